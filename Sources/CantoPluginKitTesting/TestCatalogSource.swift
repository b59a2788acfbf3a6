import CantoCore
import CantoPluginKit
import Foundation

/// A track the test host puts in its catalog: metadata only (no audio file), so a test can have
/// tracks of any length at no cost.
public struct TestTrack: Sendable, Codable, Equatable {
    public var title: String
    public var artist: String
    public var album: String
    public var seconds: Int
    public var genre: String?
    /// The MusicBrainz recording ID.
    public var musicBrainzID: String?

    public init(
        _ title: String, artist: String = "Test Artist", album: String = "Test Album", seconds: Int = 200,
        genre: String? = nil, musicBrainzID: String? = nil
    ) {
        self.title = title
        self.artist = artist
        self.album = album
        self.seconds = seconds
        self.genre = genre
        self.musicBrainzID = musicBrainzID
    }
}

/// The test host's media source: one library whose tracks are the `TestTrack`s written to
/// `tracks.json` in its data folder, each with the ID `t<index>`.
struct TestCatalogSource: MediaSourcePlugin {
    static let descriptor = PluginDescriptor(
        id: "testcatalog", name: "Test catalog", version: "1", enabledByDefault: true)
    static let library = Library(
        id: LibraryID("ltestcatalog"), name: "Test catalog", path: "testcatalog:", source: "testcatalog")
    static let folder = FolderID("ftestcatalog")
    let catalog: any CatalogWriter
    let file: URL

    static func trackID(_ index: Int) -> TrackID { TrackID("t\(index)") }

    init(configuration: PluginConfiguration, context: PluginContext) throws {
        catalog = context.catalogWriter
        file = context.dataDirectory.appendingPathComponent("tracks.json")
    }

    func scan(libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void)
        async throws -> ScanSummary
    {
        let tracks = try JSONDecoder().decode([TestTrack].self, from: Data(contentsOf: file))
        try await catalog.syncLibraries([Self.library], source: Self.descriptor.id)
        var batch = CatalogBatch()
        batch.folders = [Folder(id: Self.folder, libraryID: Self.library.id, parentID: nil, path: "", name: "Tests")]
        for (index, spec) in tracks.enumerated() {
            var audio = AudioProperties()
            audio.durationMs = Int64(spec.seconds) * 1000
            audio.bitrateKbps = 128
            audio.sampleRate = 44_100
            audio.channels = 2
            var track = Track(
                id: Self.trackID(index), libraryID: Self.library.id, folderID: Self.folder,
                albumID: CatalogIDs.album(albumArtist: spec.artist, title: spec.album, releaseMBID: nil),
                path: "\(index).mp3", suffix: "mp3", size: 1, modifiedAt: Date(timeIntervalSince1970: 1_700_000_000),
                contentHash: "test-\(index)", title: spec.title, album: spec.album, artistName: spec.artist,
                albumArtistName: spec.artist, audio: audio)
            track.trackNumber = index + 1
            track.musicBrainz.recordingID = spec.musicBrainzID
            batch.tracks.append(
                TrackWrite(
                    track: track, credits: [ArtistCredit(name: spec.artist, role: .artist)],
                    genres: spec.genre.map { [$0] } ?? [], lyrics: nil, syncedLyrics: nil, artwork: nil))
        }
        try await catalog.apply(batch)
        try await catalog.finishScan(libraries: [Self.library.id], at: Date())
        var summary = ScanSummary()
        summary.added = tracks.count
        return summary
    }

    func location(of track: Track, in library: Library) async throws -> MediaLocation {
        throw PluginConfigurationError(
            pluginID: Self.descriptor.id, key: "", message: "test tracks have no audio to stream")
    }
}
