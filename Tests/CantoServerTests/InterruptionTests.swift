import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import Testing

/// Scans that are stopped part-way: by SIGTERM (graceful) or SIGKILL (a crash). Either way the
/// database stays consistent and the next scan finishes the job.
@Suite("Interrupted scans", .serialized)
struct InterruptionTests {
    static let trackCount = 3000
    /// One file at a time and small transactions: a scan long enough to interrupt part-way.
    static let slowScan = ["CANTO_PLUGINS_LOCAL_BATCH_SIZE": "20", "CANTO_PLUGINS_LOCAL_CONCURRENCY": "1"]

    /// Sends `signal` to the process once its scan has committed at least one batch, watching
    /// through one read-only connection (each read sees the latest commit in WAL mode). The
    /// watching runs on a thread of its own: with the whole suite running, the tests' shared
    /// task threads can be busy for seconds, long enough for the scan to finish unwatched.
    func signalAfterPartialScan(_ signal: Int32, data: TemporaryDirectory, process: CantoProcess) async {
        let path = data.appending("canto.db").path
        let child = process.process
        let seen: Bool = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(120)
                var reader: DatabaseQueue?
                while Date() < deadline, child.isRunning {
                    // Only once the file is in WAL mode: a reader opened on the fresh file before the
                    // switch can keep seeing nothing.
                    if reader == nil, FileManager.default.fileExists(atPath: path + "-wal") {
                        var configuration = Configuration()
                        configuration.readonly = true
                        reader = try? DatabaseQueue(path: path, configuration: configuration)
                    }
                    do {
                        let count = try reader?.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM track") }
                        if let count, count > 0 {
                            kill(child.processIdentifier, signal)
                            continuation.resume(returning: true)
                            return
                        }
                    } catch {
                        // Opened while the file was still being created or migrated: open it again.
                        reader = nil
                    }
                    usleep(2_000)
                }
                continuation.resume(returning: false)
            }
        }
        if !seen { Issue.record("the scan never committed a batch while running:\n\(process.text)") }
    }

    func expectConsistent(_ data: TemporaryDirectory) throws {
        let database = try CantoDatabase(dataDirectory: data.url)
        try database.pool.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            // Every track's album, artists and folder were written in the same transaction.
            let orphans = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM track WHERE album_id NOT IN (SELECT id FROM album)
                        OR folder_id NOT IN (SELECT id FROM folder)
                        OR NOT EXISTS (SELECT 1 FROM track_artist WHERE track_id = track.id)
                    """)
            #expect(orphans == 0)
        }
    }

    @Test func killedMidScanLeavesAConsistentDatabaseAndTheNextScanCompletes() async throws {
        let music = try TemporaryDirectory(prefix: "canto-kill-music")
        let library = try LibraryGenerator.generate(at: music.url, tracks: Self.trackCount, seed: 7)
        let data = try TemporaryDirectory(prefix: "canto-kill-data")
        let arguments = ["scan", "--data-dir", data.path, "--music-folder", music.path]
        let scan = try CantoProcess(arguments, environment: Self.slowScan)
        await signalAfterPartialScan(SIGKILL, data: data, process: scan)
        try await scan.waitForExit()
        #expect(scan.process.terminationReason == .uncaughtSignal)

        try expectConsistent(data)
        let partial = try await CatalogRepository(database: try CantoDatabase(dataDirectory: data.url)).counts().tracks
        #expect(partial > 0)
        #expect(partial < library.trackCount)

        let again = try await CantoProcess.run(arguments)
        #expect(again.status == 0)
        #expect(again.output.contains("added \(library.trackCount - partial),"))
        try expectConsistent(data)
        let total = try await CatalogRepository(database: try CantoDatabase(dataDirectory: data.url)).counts().tracks
        #expect(total == library.trackCount)
    }

    @Test func sigtermDuringAScanStopsAtATransactionBoundary() async throws {
        let music = try TemporaryDirectory(prefix: "canto-term-music")
        let library = try LibraryGenerator.generate(at: music.url, tracks: Self.trackCount, seed: 8)
        let data = try TemporaryDirectory(prefix: "canto-term-data")
        let server = try CantoProcess(
            ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data.path, "--music-folder", music.path],
            environment: Self.slowScan)
        await signalAfterPartialScan(SIGTERM, data: data, process: server)
        let stopping = ContinuousClock.now
        try await server.waitForExit(timeout: .seconds(20))
        #expect(server.process.terminationStatus == 0, "\(server.text)")
        #expect(ContinuousClock.now - stopping < .seconds(10))
        try expectConsistent(data)
        let counts = try await CatalogRepository(database: try CantoDatabase(dataDirectory: data.url)).counts()
        #expect(counts.tracks < library.trackCount)
        #expect(server.text.contains("scan stopped"))
        #expect(!server.text.contains("scan failed"))
    }
}
