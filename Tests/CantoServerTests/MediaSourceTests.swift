import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import CantoServer

/// A second media source, written as a plugin author would: one library of its own holding one
/// track that lives at an http address (`base_url` + `song.mp3`).
struct RemoteStubSource: MediaSourcePlugin {
    static let descriptor = PluginDescriptor(
        id: "remote", name: "Remote stub", version: "0.1.0", enabledByDefault: true, configurationKeys: ["base_url"],
        permissions: PluginPermissions(networkHostKeys: ["base_url"]))
    static let library = Library(
        id: LibraryID("lremote"), name: "Remote shelf", path: "remote:shelf", source: "remote")
    static let folder = FolderID("fremote")
    static let track = TrackID("tremote")
    let baseURL: URL
    let catalog: any CatalogWriter

    init(configuration: PluginConfiguration, context: PluginContext) throws {
        guard let text = try configuration.string("base_url"), let url = URL(string: text) else {
            throw PluginConfigurationError(pluginID: "remote", key: "base_url", message: "is required")
        }
        baseURL = url
        catalog = context.catalogWriter
    }

    func scan(libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void)
        async throws -> ScanSummary
    {
        try await catalog.syncLibraries([Self.library], source: "remote")
        var batch = CatalogBatch()
        batch.folders = [Folder(id: Self.folder, libraryID: Self.library.id, parentID: nil, path: "", name: "Shelf")]
        var audio = AudioProperties()
        audio.durationMs = 2000
        audio.bitrateKbps = 128
        audio.sampleRate = 44_100
        audio.channels = 1
        let track = Track(
            id: Self.track, libraryID: Self.library.id, folderID: Self.folder,
            albumID: CatalogIDs.album(albumArtist: "Far Artist", title: "Far Album", releaseMBID: nil),
            path: "song.mp3", suffix: "mp3", size: 1, modifiedAt: Date(timeIntervalSince1970: 1_700_000_000),
            contentHash: "remote-song", title: "Far Song", album: "Far Album", artistName: "Far Artist",
            albumArtistName: "Far Artist", audio: audio)
        batch.tracks = [
            TrackWrite(
                track: track, credits: [ArtistCredit(name: "Far Artist", role: .artist)], genres: [], lyrics: nil,
                syncedLyrics: nil, artwork: nil)
        ]
        try await catalog.apply(batch)
        try await catalog.finishScan(libraries: [Self.library.id], at: Date())
        var summary = ScanSummary()
        summary.added = 1
        return summary
    }

    func location(of track: Track, in library: Library) async throws -> MediaLocation {
        .remote(baseURL.appendingPathComponent(track.path))
    }
}

@Suite("Media sources")
struct MediaSourceTests {
    /// The stub's remote files: one generated mp3, served with ranges by a real HTTP server on loopback.
    static func remoteFiles() throws -> (directory: TemporaryDirectory, song: Data) {
        let directory = try TemporaryDirectory(prefix: "canto-remote")
        let song = directory.url.appendingPathComponent("song.mp3")
        try AudioClip(seconds: 2, frequency: 550).encode(
            .mp3, to: song, metadata: ["title": "Far Song", "artist": "Far Artist"])
        return (directory, try Data(contentsOf: song))
    }

    @Test func aRemoteSourceCoexistsWithTheLocalLibraryStreamsAndSurvivesALocalRescan() async throws {
        let (files, song) = try Self.remoteFiles()
        let remote = Router()
        remote.add(middleware: FileMiddleware(files.path, searchForIndexHtml: false))
        try await Application(router: remote).test(.live) { remoteClient in
            let base = "http://localhost:\(remoteClient.port ?? 0)/"
            let server = try await InProcessServer.start(
                plugins: [RemoteStubSource.self], environment: ["CANTO_PLUGINS_REMOTE_BASE_URL": base])
            let libraries = try await server.services.catalog.libraries()
            #expect(Set(libraries.map(\.source)) == ["local", "remote"])
            #expect(libraries.count == 3)
            let listener = try await server.addUser("rita")
            try await server.withClient { client in
                // Its track is in the catalog like any other, and streams (whole, then a range).
                let found = try await client.subsonic("search3", [("query", "Far Song")], as: listener)
                #expect(found.body.contains("tremote"), "\(found.body)")
                let whole = try await client.subsonic("stream", [("id", "tremote"), ("format", "raw")], as: listener)
                #expect(whole.status == .ok)
                #expect(whole.subsonicError == nil, "\(whole.body)")
                #expect(Data(whole.body.utf8).count > 0)
                #expect(whole.headers[.contentLength] == String(song.count))
                let ranged = try await client.send(
                    .get, "/api/v1/tracks/tremote/stream?format=raw", token: listener.token, range: "bytes=0-99")
                #expect(ranged.status == .partialContent)
                #expect(ranged.headers[.contentRange] == "bytes 0-99/\(song.count)")
                // Transcoded too: FFmpeg reads the remote address itself.
                let transcoded = try await client.subsonic(
                    "stream", [("id", "tremote"), ("format", "opus"), ("maxBitRate", "64")], as: listener)
                #expect(transcoded.status == .ok)
                #expect(transcoded.headers[.contentType] == "audio/ogg")
                #expect(!transcoded.body.isEmpty)
            }
            // A rescan (the local library's folders have not changed) leaves the remote library alone.
            let summary = try await server.services.scans.scanNow()
            #expect(summary.removed == 0)
            #expect(try await server.services.catalog.track(RemoteStubSource.track) != nil)
            #expect(try await server.services.catalog.libraries().count == 3)
        }
    }

    @Test func aSourceCannotChangeAnotherSourcesLibraries() async throws {
        let server = try await InProcessServer.start()
        let local = try #require(try await server.services.catalog.libraries().first)
        let writer = SourceCatalogWriter(
            source: "intruder", writer: server.services.catalog, reader: server.services.catalog)
        // Declaring nothing of its own removes nothing of the local library's.
        #expect(try await writer.syncLibraries([], source: "intruder") == 0)
        await #expect(throws: DomainError.self) { try await writer.syncLibraries([local], source: "intruder") }
        await #expect(throws: DomainError.self) {
            try await writer.syncLibraries([], source: "local")
        }
        // Nor can it delete, move or add tracks in it.
        let track = try #require(try await server.services.catalog.tracks(titled: "Bright Day", limit: 1).first)
        var deletion = CatalogBatch()
        deletion.deletedTracks = [track.id]
        await #expect(throws: DomainError.self) { try await writer.apply(deletion) }
        var addition = CatalogBatch()
        var copy = track
        copy.id = TrackID("tintruder")
        addition.tracks = [
            TrackWrite(track: copy, credits: [], genres: [], lyrics: nil, syncedLyrics: nil, artwork: nil)
        ]
        await #expect(throws: DomainError.self) { try await writer.apply(addition) }
        await #expect(throws: DomainError.self) { _ = try await writer.folderPaths(in: local.id) }
        #expect(try await writer.knownFiles(withContentHash: track.contentHash).isEmpty)
        #expect(try await writer.knownFiles(withContentHashes: [track.contentHash]).isEmpty)
        // The owner's writer finds it, asked one content at a time or a folder's at once.
        let owner = SourceCatalogWriter(
            source: local.source, writer: server.services.catalog, reader: server.services.catalog)
        let one = try await owner.knownFiles(withContentHash: track.contentHash)
        #expect(one.map(\.id).contains(track.id))
        let many = try await owner.knownFiles(withContentHashes: [track.contentHash, "no-such-content"])
        #expect(Set(many.map(\.id)) == Set(one.map(\.id)))
        #expect(try await server.services.catalog.track(track.id) != nil)
        #expect(try await server.services.catalog.track(TrackID("tintruder")) == nil)
        #expect(try await server.services.catalog.libraries().count == 2)
        // A catalog with tracks: no source's scan is a first import.
        #expect(try await owner.beginScan() == false)
        #expect(try await writer.beginScan() == false)
    }

    /// The local library scans through a source's writer: an empty catalog's first scan sets
    /// the indexes aside through it too (`FirstImportTests` holds what that does).
    @Test func aSourcesFirstScanOfAnEmptyCatalogIsAFirstImport() async throws {
        let data = try TemporaryDirectory(prefix: "canto-source-first")
        let catalog = CatalogRepository(database: try CantoDatabase(dataDirectory: data.url))
        let writer = SourceCatalogWriter(source: "local", writer: catalog, reader: catalog)
        #expect(try await writer.beginScan())
        try await writer.finishScan(libraries: [], at: nil)
    }
}
