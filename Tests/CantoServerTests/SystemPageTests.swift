import CantoCore
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import HTTPTypes
import Logging
import Synchronization
import Testing

@testable import CantoServer

/// The admin's System page (`GET /api/v1/admin/system`): requests per minute, the last warnings
/// and errors logged, the process's figures, free disk and each plugin's health.
@Suite("System page")
struct SystemPageTests {
    /// The database file's pages the readers map are the system's file cache: the memory shown
    /// leaves them out. Read here from this process's own `/proc/self/smaps` after a mapped read.
    @Test func theMemoryShownLeavesOutTheDatabasePagesMapped() async throws {
        let folder = try TemporaryDirectory(prefix: "canto-mapped")
        let database = try CantoDatabase(dataDirectory: folder.url)
        let rows = 64
        try await database.pool.write { db in
            try db.execute(sql: "CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB)")
            for id in 0..<rows {
                try db.execute(sql: "INSERT INTO filler VALUES (?, randomblob(65536))", arguments: [id])
            }
        }
        // Into the file, where the readers map it (pages still in the WAL are read from there).
        _ = try await database.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        let read = try await database.pool.read { db in
            // hex() reads every byte (length() of a blob reads only its header).
            try Int.fetchOne(db, sql: "SELECT sum(length(hex(body))) FROM filler") ?? 0
        }
        #expect(read == rows * 65_536 * 2)
        let mapped = ProcessFigures.residentBytes(smaps: try #require(ProcessFigures.smaps())).database
        // Other tests' databases are mapped beside this one: at least this one's 4 MB.
        #expect(mapped >= Int64(rows * 65_536), "\(mapped) bytes mapped")

        // A path with spaces, a mapping of another file between two of the database.
        let text = """
            7f0000000000-7f0000100000 r--s 00000000 fd:01 42                         /srv/My Music/data/canto.db
            Size:               1024 kB
            Rss:                 512 kB
            7f0000100000-7f0000200000 r--s 00000000 fd:01 43                         /srv/data/canto.db-shm
            Rss:                  32 kB
            7f0000200000-7f0000300000 r--s 00000000 fd:01 42                         /srv/My Music/data/canto.db
            Rss:                 100 kB
            Pss:                  50 kB
            7f0000300000-7f0000400000 rw-p 00000000 00:00 0
            Rss:                 900 kB
            """
        let figures = ProcessFigures.residentBytes(smaps: text)
        #expect(figures.all == Int64(1_544 * 1_024))
        #expect(figures.database == Int64(612 * 1_024))
        let status = "Name:\tcanto\nVmPeak:\t  9000 kB\nVmRSS:\t  2000 kB\nRssAnon:\t  1388 kB\n"
        #expect(ProcessFigures.resident(status: status, smaps: text) == Int64((1_544 - 612) * 1_024))
        #expect(ProcessFigures.resident(status: status, smaps: nil) == Int64(2_000 * 1_024))
        #expect(ProcessFigures.resident(status: nil, smaps: nil) == nil)
    }

    @Test func requestsAreCountedPerMinuteAndOnlyServerErrorsAsErrors() {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let counts = RequestCounts(clock: clock)
        for status in [200, 404, 500, 503] { counts.record(status: status) }
        clock.advance(by: 60)
        counts.record(status: 200)
        var hour = counts.lastHour()
        #expect(hour.count == RequestCounts.minutes)
        #expect(hour.last?.start == Date(timeIntervalSince1970: 1_800_000_060))
        #expect(hour.last.map { [$0.requests, $0.errors] } == [1, 0])
        #expect(hour.dropLast().last.map { [$0.requests, $0.errors] } == [4, 2])
        #expect(hour.dropLast(2).allSatisfy { $0.requests == 0 && $0.errors == 0 })
        // Two hours on, the slots of old minutes are not read as new ones; the totals stay.
        clock.advance(by: 7_200)
        counts.record(status: 502)
        hour = counts.lastHour()
        #expect(hour.map(\.requests).reduce(0, +) == 1)
        #expect(hour.last.map { [$0.requests, $0.errors] } == [1, 1])
        #expect(counts.totals == (6, 3))
    }

    @Test func theRingKeepsTheLastWarningsAndErrorsOnly() {
        let logs = RecentLogs(capacity: 5)
        var written: [String] = []
        let lines = Lines()
        var logger = Logger(label: "test") { _ in CollectingHandler(lines: lines) }
        logger.logLevel = .debug
        logger = logs.feeding(logger)
        // Fed twice, a line is still kept once.
        logger = logs.feeding(logger)
        for index in 0..<8 {
            logger.info("quiet", metadata: ["index": "\(index)"])
            logger.warning("loud", metadata: ["index": "\(index)"])
            written += ["quiet", "loud"]
        }
        logger.error("broken", metadata: ["error": "Boom"])
        written.append("broken")
        let kept = logs.newestFirst
        #expect(kept.map(\.message) == ["broken", "loud", "loud", "loud", "loud"])
        #expect(kept.map { $0.metadata["index"] } == [nil, "7", "6", "5", "4"])
        #expect(kept.first?.level == .error)
        // The wrapped handler still writes every line.
        #expect(lines.all == written)
    }

    @Test func anAdminSeesRequestsLogsFiguresAndPluginsAUserIsRefused() async throws {
        // A plugin whose start fails: the registry logs an error, and its health shows it.
        let server = try await InProcessServer.start(plugins: [FailingSource.self])
        let admin = try await server.addAdminSession()
        let user = try await server.addUser("olga")
        try await server.withClient { client in
            for path in ["/api/v1/albums", "/api/v1/artists", "/api/v1/no-such-route"] {
                _ = try await client.send(.get, path, token: admin)
            }
            let refused = try await client.send(.get, "/api/v1/admin/system", token: user.token)
            #expect(refused.status == .forbidden, "\(refused.body)")

            let answer = try await client.send(.get, "/api/v1/admin/system", token: admin)
            #expect(answer.status == .ok, "\(answer.body)")
            let system = answer.json
            // The three above and the refused one; the answer being written is not counted yet.
            #expect(system["requests"] as? Int == 4, "\(system)")
            #expect(system["serverErrors"] as? Int == 0)
            let minutes = system["minutes"] as? [[String: Any]] ?? []
            #expect(minutes.count == 60)
            #expect(minutes.compactMap { $0["requests"] as? Int }.reduce(0, +) == 4)
            #expect((system["residentBytes"] as? Int ?? 0) > 0)
            #expect((system["cpuSeconds"] as? Double ?? 0) > 0)
            #expect((system["uptimeSeconds"] as? Double ?? -1) >= 0)
            #expect(system["activeStreams"] as? Int != nil)
            let disks = system["disks"] as? [[String: Any]] ?? []
            #expect(disks.compactMap { $0["folder"] as? String } == ["data", "cache"])
            for disk in disks {
                #expect((disk["freeBytes"] as? Int ?? 0) > 0, "\(disk)")
                #expect((disk["totalBytes"] as? Int ?? 0) >= (disk["freeBytes"] as? Int ?? 0), "\(disk)")
            }
            let logs = system["logs"] as? [[String: Any]] ?? []
            let failed = logs.first { $0["message"] as? String == "plugin failed to start" }
            #expect(failed?["level"] as? String == "error", "\(logs)")
            #expect((failed?["metadata"] as? [String: Any])?["plugin.id"] as? String == "failing", "\(logs)")
            let plugins = system["plugins"] as? [[String: Any]] ?? []
            let failing = plugins.first { $0["id"] as? String == "failing" }
            #expect(failing?["state"] as? String == "failed", "\(plugins)")
            #expect(plugins.contains { $0["id"] as? String == "local" && $0["state"] as? String == "running" })

            // The next reading counts the one before.
            let again = try await client.send(.get, "/api/v1/admin/system", token: admin)
            #expect(again.json["requests"] as? Int == 5)
        }
    }
}

/// The messages a `CollectingHandler` was given.
private final class Lines: Sendable {
    private let kept = Mutex<[String]>([])
    func append(_ line: String) { kept.withLock { $0.append(line) } }
    var all: [String] { kept.withLock { $0 } }
}

/// A log handler that keeps each line's message.
private struct CollectingHandler: LogHandler {
    let lines: Lines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { lines.append(event.message.description) }
}
