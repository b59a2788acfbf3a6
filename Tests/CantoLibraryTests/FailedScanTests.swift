import CantoCore
import CantoLibrary
import CantoMedia
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

/// A scan whose writes fail part way: what it wrote before stays whole, and the writer does not
/// keep the scan's large page cache.
@Suite struct FailedScanTests {
    /// The real catalog, whose second batch fails (as a full disk would fail it), or whose scans
    /// never reach their end (a process killed just before it).
    struct FailingWriter: CatalogWriter {
        let catalog: CatalogRepository
        var failingBatch: Int? = 2
        var ends = true
        let applied = Counter()

        final class Counter: Sendable {
            private let count = Mutex(0)
            func next() -> Int {
                count.withLock {
                    $0 += 1; return $0
                }
            }
        }

        struct DiskFull: Error {}

        func syncLibraries(_ libraries: [Library], source: String) async throws -> Int {
            try await catalog.syncLibraries(libraries, source: source)
        }
        func folderPaths(in library: LibraryID) async throws -> Set<String> {
            try await catalog.folderPaths(in: library)
        }
        func knownFiles(in library: LibraryID, folder: String) async throws -> [KnownFile] {
            try await catalog.knownFiles(in: library, folder: folder)
        }
        func knownFiles(withContentHash contentHash: String) async throws -> [KnownFile] {
            try await catalog.knownFiles(withContentHash: contentHash)
        }
        func knownFiles(withContentHashes contentHashes: [String]) async throws -> [KnownFile] {
            try await catalog.knownFiles(withContentHashes: contentHashes)
        }
        func apply(_ batch: CatalogBatch) async throws {
            if applied.next() == failingBatch { throw DiskFull() }
            try await catalog.apply(batch)
        }
        func finishScan(libraries: [LibraryID], at date: Date?) async throws {
            guard ends else { return }
            try await catalog.finishScan(libraries: libraries, at: date)
        }
    }

    @Test func theBatchesBeforeAFailureStayWholeAndTheWritersCacheIsGivenBack() async throws {
        let music = try TemporaryDirectory(prefix: "canto-failing-scan")
        for folder in ["A", "B", "C"] {
            try FileManager.default.createDirectory(
                at: music.appending(folder), withIntermediateDirectories: true)
            for number in 1...2 {
                try AudioClip(seconds: 1).encode(
                    .flac, to: music.appending("\(folder)/\(number).flac"),
                    metadata: ["title": "\(folder) \(number)", "artist": "Band", "album": "Album \(folder)"])
            }
        }
        let harness = try ScanHarness(root: music.url)
        let writer = FailingWriter(catalog: harness.catalog)
        var options = ScanOptions()
        options.batchSize = 2
        let scanner = LibraryScanner(catalog: writer, options: options, logger: ScanHarness.logger)
        await #expect(throws: FailingWriter.DiskFull.self) {
            try await scanner.scan(libraries: [harness.library])
        }
        let settings = try await harness.database.pool.writeWithoutTransaction { db in
            (
                cache: try Int.fetchOne(db, sql: "PRAGMA cache_size"),
                lastScan: try DatabaseValue.fetchOne(db, sql: "SELECT last_scan_at FROM library")
            )
        }
        #expect(settings.cache == -2_000, "the writer keeps SQLite's 2 MB again")
        #expect(settings.lastScan?.isNull == true, "the library is not marked scanned")
        // The first batch's two tracks are in, each album's figures counting what it holds.
        let albums = try await harness.allAlbums()
        #expect(albums.map(\.tracks.count).reduce(0, +) == 2, "\(albums.map(\.album.title))")
        #expect(albums.allSatisfy { $0.album.trackCount == $0.tracks.count })
    }

    /// A scan whose process died before its end wrote its tracks but not their albums' figures;
    /// the next scan finds no file changed, and still makes the figures whole.
    @Test func aScanAfterOneThatNeverEndedMakesTheFiguresWhole() async throws {
        let music = try TemporaryDirectory(prefix: "canto-unfinished-scan")
        try FileManager.default.createDirectory(at: music.appending("A"), withIntermediateDirectories: true)
        for number in 1...3 {
            try AudioClip(seconds: 1).encode(
                .flac, to: music.appending("A/\(number).flac"),
                metadata: ["title": "A \(number)", "artist": "Band", "album": "Album A"])
        }
        let harness = try ScanHarness(root: music.url)
        let dying = FailingWriter(catalog: harness.catalog, failingBatch: nil, ends: false)
        _ = try await LibraryScanner(catalog: dying, options: ScanOptions(), logger: ScanHarness.logger).scan(
            libraries: [harness.library])
        #expect(try await harness.allAlbums().map(\.album.trackCount) == [0], "the figures wait for the end")

        let again = try await LibraryScanner(
            catalog: harness.catalog, options: ScanOptions(), logger: ScanHarness.logger
        )
        .scan(libraries: [harness.library])
        #expect(!again.changed)
        let albums = try await harness.allAlbums()
        #expect(albums.map(\.album.trackCount) == [3])
        #expect(albums.map(\.tracks.count) == [3])
    }
}
