public import Foundation

/// A library of the catalog: a music folder the household asked Canto to scan, or a collection
/// another media source brings. Each belongs to one source, the only one that may change it.
public struct Library: Sendable, Equatable, Codable {
    public var id: LibraryID
    public var name: String
    /// Where the source finds it: a folder for the local library; whatever the source means by it
    /// otherwise (its tracks are resolved by the source, never read as files by the server).
    public var path: String
    /// The id of the media source (plugin) it belongs to.
    public var source: String
    public init(id: LibraryID, name: String, path: String, source: String = Library.localSource) {
        self.id = id
        self.name = name
        self.path = path
        self.source = source
    }

    /// The local library's source id.
    public static let localSource = "local"
}

/// Where a track's audio is, as its media source resolves it.
public enum MediaLocation: Sendable, Equatable {
    /// A file on this machine, by absolute path.
    case file(String)
    /// An http(s) resource the server fetches (ranges are passed through).
    case remote(URL)
}

/// The role an artist plays on a track.
public enum ArtistRole: String, Sendable, Codable, CaseIterable {
    case artist
    case albumArtist = "album_artist"
    case composer
}

/// A track as the catalog holds it.
public struct Track: Sendable, Equatable, Codable {
    public var id: TrackID
    public var libraryID: LibraryID
    public var folderID: FolderID
    public var albumID: AlbumID
    /// The path relative to the library's folder, with "/" separators.
    public var path: String
    public var suffix: String
    public var size: Int64
    public var modifiedAt: Date
    public var contentHash: String
    public var title: String
    public var album: String
    public var artistName: String
    public var albumArtistName: String
    public var trackNumber: Int?
    public var trackTotal: Int?
    public var discNumber: Int?
    public var discTotal: Int?
    public var discSubtitle: String?
    public var date: String?
    public var originalDate: String?
    public var year: Int?
    public var compilation: Bool
    public var comment: String?
    public var bpm: Int?
    public var isrc: String?
    public var musicBrainz: MusicBrainzIDs
    public var replayGain: ReplayGain
    public var audio: AudioProperties
    public var artworkID: ArtworkID?
    public var playCount: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: TrackID, libraryID: LibraryID, folderID: FolderID, albumID: AlbumID, path: String, suffix: String,
        size: Int64, modifiedAt: Date, contentHash: String, title: String, album: String, artistName: String,
        albumArtistName: String, trackNumber: Int? = nil, trackTotal: Int? = nil, discNumber: Int? = nil,
        discTotal: Int? = nil, discSubtitle: String? = nil, date: String? = nil, originalDate: String? = nil,
        year: Int? = nil, compilation: Bool = false, comment: String? = nil, bpm: Int? = nil, isrc: String? = nil,
        musicBrainz: MusicBrainzIDs = .init(), replayGain: ReplayGain = .init(), audio: AudioProperties = .init(),
        artworkID: ArtworkID? = nil, playCount: Int = 0, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.libraryID = libraryID
        self.folderID = folderID
        self.albumID = albumID
        self.path = path
        self.suffix = suffix
        self.size = size
        self.modifiedAt = modifiedAt
        self.contentHash = contentHash
        self.title = title
        self.album = album
        self.artistName = artistName
        self.albumArtistName = albumArtistName
        self.trackNumber = trackNumber
        self.trackTotal = trackTotal
        self.discNumber = discNumber
        self.discTotal = discTotal
        self.discSubtitle = discSubtitle
        self.date = date
        self.originalDate = originalDate
        self.year = year
        self.compilation = compilation
        self.comment = comment
        self.bpm = bpm
        self.isrc = isrc
        self.musicBrainz = musicBrainz
        self.replayGain = replayGain
        self.audio = audio
        self.artworkID = artworkID
        self.playCount = playCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct Album: Sendable, Equatable, Codable {
    public var id: AlbumID
    public var title: String
    public var albumArtistName: String
    public var albumArtistID: ArtistID
    public var year: Int?
    public var compilation: Bool
    public var releaseMBID: String?
    public var artworkID: ArtworkID?
    public var trackCount: Int
    public var discCount: Int
    public var durationMs: Int64
    /// When the album was first seen.
    public var createdAt: Date
    public init(
        id: AlbumID, title: String, albumArtistName: String, albumArtistID: ArtistID, year: Int?, compilation: Bool,
        releaseMBID: String?, artworkID: ArtworkID?, trackCount: Int, discCount: Int, durationMs: Int64,
        createdAt: Date = Date(timeIntervalSince1970: 0)
    ) {
        self.createdAt = createdAt
        self.id = id
        self.title = title
        self.albumArtistName = albumArtistName
        self.albumArtistID = albumArtistID
        self.year = year
        self.compilation = compilation
        self.releaseMBID = releaseMBID
        self.artworkID = artworkID
        self.trackCount = trackCount
        self.discCount = discCount
        self.durationMs = durationMs
    }
}

public struct Artist: Sendable, Equatable, Codable {
    public var id: ArtistID
    public var name: String
    public var sortName: String
    public var musicBrainzID: String?
    public var albumCount: Int
    public var trackCount: Int
    public init(id: ArtistID, name: String, sortName: String, musicBrainzID: String?, albumCount: Int, trackCount: Int)
    {
        self.id = id
        self.name = name
        self.sortName = sortName
        self.musicBrainzID = musicBrainzID
        self.albumCount = albumCount
        self.trackCount = trackCount
    }
}

/// Where a piece of artwork lives: inside an audio file, or as an image file beside it.
public struct Artwork: Sendable, Equatable, Codable {
    public enum Source: String, Sendable, Codable { case embedded, file }
    public var id: ArtworkID
    public var source: Source
    /// The absolute path of the audio file (embedded) or the image file.
    public var path: String
    public var mimeType: String
    public var byteCount: Int
    public init(id: ArtworkID, source: Source, path: String, mimeType: String, byteCount: Int) {
        self.id = id
        self.source = source
        self.path = path
        self.mimeType = mimeType
        self.byteCount = byteCount
    }
}

/// A folder of a library's directory tree, for folder browsing.
public struct Folder: Sendable, Equatable, Codable {
    public var id: FolderID
    public var libraryID: LibraryID
    public var parentID: FolderID?
    /// Relative to the library's folder; "" for the library's own folder.
    public var path: String
    public var name: String
    public init(id: FolderID, libraryID: LibraryID, parentID: FolderID?, path: String, name: String) {
        self.id = id
        self.libraryID = libraryID
        self.parentID = parentID
        self.path = path
        self.name = name
    }
}
