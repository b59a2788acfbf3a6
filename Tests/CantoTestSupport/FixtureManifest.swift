public import Foundation

/// A track the scanner should find, with the names it should show.
public struct ExpectedTrack: Sendable, Equatable {
    /// Relative to the library root, "/"-separated.
    public var path: String
    public var format: FixtureFormat
    public var title: String
    /// The display artist: several artists joined by " / ".
    public var artist: String
    public var album: String
    public var albumArtist: String

    public init(path: String, format: FixtureFormat, title: String, artist: String, album: String, albumArtist: String)
    {
        self.path = path
        self.format = format
        self.title = title
        self.artist = artist
        self.album = album
        self.albumArtist = albumArtist
    }
}

/// An album the scanner should make.
public struct ExpectedAlbum: Sendable, Equatable {
    public var title: String
    public var albumArtist: String
    public var trackCount: Int
    public var discCount: Int
    public var compilation: Bool

    public init(title: String, albumArtist: String, trackCount: Int, discCount: Int, compilation: Bool) {
        self.title = title
        self.albumArtist = albumArtist
        self.trackCount = trackCount
        self.discCount = discCount
        self.compilation = compilation
    }
}

/// What `FixtureLibrary.make` built and what a scan of it should find. Paths are relative to
/// `root`.
public struct FixtureManifest: Sendable {
    public var root: URL
    public var tracks: [ExpectedTrack]
    public var albums: [ExpectedAlbum]
    /// One file per format, tagged by FFmpeg.
    public var formatTracks: [FixtureFormat: String]
    public var everyFieldTrack: String
    public var everyFieldTags: EveryFieldTags
    public var embeddedCoverTrack: String
    public var embeddedCover: Data
    /// The `cover.jpg` beside `folderCoverTracks`.
    public var folderCoverImage: String
    public var folderCoverTracks: [String]
    /// Several track artists, album artist "Various Artists" and COMPILATION=1.
    public var taggedCompilation: ExpectedAlbum
    /// Several track artists and no album artist tag.
    public var untaggedCompilation: ExpectedAlbum
    /// Tracks in "CD 1" and "CD 2" subfolders.
    public var multiDisc: ExpectedAlbum
    public var multiDiscTracks: [String]
    /// An mp3 without any tag: names come from its folders and file name.
    public var untaggedTrack: String
    /// Random bytes named .mp3.
    public var corruptFile: String
    public var zeroByteFile: String
    public var textFile: String

    public var expectedTrackCount: Int { tracks.count }
    /// Files a scan reports as errors.
    public var errorFiles: [String] { [corruptFile, zeroByteFile] }
    /// Files a scan skips as not audio.
    public var skippedFiles: [String] { [textFile] }

    public func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }
    public func path(_ relativePath: String) -> String { url(relativePath).path }
    public func track(at relativePath: String) -> ExpectedTrack? { tracks.first { $0.path == relativePath } }
    public func album(titled title: String) -> ExpectedAlbum? { albums.first { $0.title == title } }

    /// A full copy of the library at `directory`, for tests that change files.
    public func copy(to directory: URL) throws -> FixtureManifest {
        try FileManager.default.createDirectory(
            at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root, to: directory)
        var copy = self
        copy.root = directory
        return copy
    }
}
