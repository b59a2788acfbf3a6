/// An opaque, stable identifier. IDs are strings because clients (Subsonic apps, the web UI)
/// cache them; the tag type keeps a track's ID from being passed where an album's is expected.
public struct Identifier<Kind>: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public enum TrackKind {}
public enum AlbumKind {}
public enum ArtistKind {}
public enum GenreKind {}
public enum LibraryKind {}
public enum FolderKind {}
public enum ArtworkKind {}

public typealias TrackID = Identifier<TrackKind>
public typealias AlbumID = Identifier<AlbumKind>
public typealias ArtistID = Identifier<ArtistKind>
public typealias GenreID = Identifier<GenreKind>
public typealias LibraryID = Identifier<LibraryKind>
public typealias FolderID = Identifier<FolderKind>
public typealias ArtworkID = Identifier<ArtworkKind>

/// Derives IDs from the things that identify a catalog entry, so that a rebuilt database
/// gives the same IDs again. Each ID carries a one-letter prefix naming its kind.
public enum CatalogIDs {
    /// A track's first ID comes from where it was first found; a moved file keeps it.
    public static func track(library: LibraryID, relativePath: String) -> TrackID {
        TrackID("t" + StableHash.hex128("\(library.rawValue)/\(relativePath)"))
    }

    public static func album(albumArtist: String, title: String, releaseMBID: String?) -> AlbumID {
        let key = [SortKey.folded(albumArtist), SortKey.folded(title), releaseMBID ?? ""].joined(separator: "\u{1F}")
        return AlbumID("al" + StableHash.hex128(key))
    }

    public static func artist(name: String) -> ArtistID {
        ArtistID("ar" + StableHash.hex128(SortKey.folded(name)))
    }

    public static func genre(name: String) -> GenreID {
        GenreID("g" + StableHash.hex128(SortKey.folded(name)))
    }

    public static func folder(library: LibraryID, relativePath: String) -> FolderID {
        FolderID("f" + StableHash.hex128("\(library.rawValue)/\(relativePath)"))
    }

    public static func library(path: String) -> LibraryID {
        LibraryID("l" + StableHash.hex128(path).prefix(12))
    }
}
