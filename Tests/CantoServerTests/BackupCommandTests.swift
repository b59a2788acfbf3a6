import CantoTestSupport
import Crypto
import Foundation
import GRDB
import Synchronization
import Testing

@testable import CantoServer

/// `canto backup` and `canto restore`, through the real binary, beside a running `canto serve`.
@Suite("canto backup and restore", .serialized)
struct BackupCommandTests {
    /// The writes a client made and when: sent, and acknowledged by the server.
    final class WriteLog: Sendable {
        struct Entry: Sendable {
            var name: String
            var sent: ContinuousClock.Instant
            var acknowledged: ContinuousClock.Instant
        }
        private let entries = Mutex<[Entry]>([])
        private let stopped = Atomic(false)
        func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
        var all: [Entry] { entries.withLock { $0 } }
        var count: Int { entries.withLock { $0.count } }
        func stop() { stopped.store(true, ordering: .relaxed) }
        var isStopped: Bool { stopped.load(ordering: .relaxed) }
    }

    static func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), _ condition: @Sendable () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func common(_ data: TemporaryDirectory, _ music: TemporaryDirectory) -> [String] {
        ["--data-dir", data.path, "--music-folder", music.path]
    }

    /// The path `canto backup` printed (its last line of standard output).
    static func backupPath(_ output: String) throws -> String {
        try #require(output.split(separator: "\n").last { $0.hasPrefix("/") && $0.hasSuffix(".db") }.map(String.init))
    }

    @Test func backupWhileTheServerWritesHoldsEveryAcknowledgedWrite() async throws {
        let data = try TemporaryDirectory(prefix: "canto-backup-live")
        let music = try TemporaryDirectory(prefix: "canto-backup-music")
        let backups = try TemporaryDirectory(prefix: "canto-backup-out")
        let server = try await TestServer.start(scan: false, data: data, music: music.url)
        let admin = try await server.setUpAdmin()
        let log = WriteLog()
        let writer = Task {
            var number = 0
            while !log.isStopped {
                number += 1
                let sent = ContinuousClock.now
                let name = "written-\(number)"
                let answer = try await admin.json("POST", "/api/v1/playlists", ["name": name])
                if answer.status == 201 { log.append(.init(name: name, sent: sent, acknowledged: .now)) }
            }
        }
        try await Self.waitUntil("the first writes are acknowledged") { log.count >= 30 }
        let began = ContinuousClock.now
        let backup = try await CantoProcess.run(
            ["backup", "--out", backups.path] + Self.common(data, music))
        let ended = ContinuousClock.now
        try await Self.waitUntil("writes go on after the backup") {
            log.all.filter { $0.sent > ended }.count >= 10
        }
        log.stop()
        try await writer.value
        #expect(backup.status == 0, "\(backup.output)")
        // The server kept acknowledging writes while the copy was being taken.
        #expect(log.all.contains { $0.acknowledged > began && $0.acknowledged < ended })
        #expect(backup.output.contains("not in this backup"))
        let file = try Self.backupPath(backup.output)
        #expect(URL(fileURLWithPath: file).deletingLastPathComponent().path == backups.url.path)
        #expect(file.firstMatch(of: /canto-\d{8}T\d{6}\.\d{3}Z\.db$/) != nil)

        // The server holds its data folder: a restore into it is refused, and changes nothing.
        let refused = try await CantoProcess.run(["restore", file] + Self.common(data, music))
        #expect(refused.status == 1)
        #expect(refused.output.contains("stop it first"), "\(refused.output)")
        #expect(try await admin.get("/api/v1/playlists").status == 200)

        let fresh = try TemporaryDirectory(prefix: "canto-backup-restored")
        let restored = try await CantoProcess.run(["restore", file] + Self.common(fresh, music))
        #expect(restored.status == 0, "\(restored.output)")
        let queue = try DatabaseQueue(path: fresh.appending("canto.db").path)
        let (check, names) = try await queue.read { db in
            (
                try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                Set(try String.fetchAll(db, sql: "SELECT name FROM playlist"))
            )
        }
        #expect(check == ["ok"])
        let before = log.all.filter { $0.acknowledged < began }.map(\.name)
        #expect(before.count >= 30)
        #expect(Set(before).subtracting(names).isEmpty, "acknowledged before the backup, missing from it")
        // A snapshot taken during the command: nothing sent after it ended is in it.
        let after = log.all.filter { $0.sent > ended }.map(\.name)
        #expect(!after.isEmpty)
        #expect(Set(after).isDisjoint(with: names))
    }

    @Test func restoreRefusesDamagedAndNewerCopies() async throws {
        let data = try TemporaryDirectory(prefix: "canto-restore-refuse")
        let music = try TemporaryDirectory(prefix: "canto-restore-music")
        let made = try await CantoProcess.run(
            ["user", "add", "olga", "--role", "admin", "--password-stdin"] + Self.common(data, music),
            input: "olga-password-1\n")
        #expect(made.status == 0, "\(made.output)")
        let backup = try await CantoProcess.run(["backup"] + Self.common(data, music))
        #expect(backup.status == 0, "\(backup.output)")
        let good = URL(fileURLWithPath: try Self.backupPath(backup.output))
        let target = try TemporaryDirectory(prefix: "canto-restore-target")

        // Not a database at all.
        let junk = target.appending("junk.db")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: junk)
        // A real copy cut in half.
        let bytes = try Data(contentsOf: good)
        let truncated = target.appending("truncated.db")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        for file in [junk, truncated] {
            let refused = try await CantoProcess.run(["restore", file.path] + Self.common(target, music))
            #expect(refused.status == 1, "\(file.lastPathComponent): \(refused.output)")
            #expect(refused.output.contains("damaged"), "\(refused.output)")
            #expect(!FileManager.default.fileExists(atPath: target.appending("canto.db").path))
        }

        // A copy made by a newer Canto (a migration this binary does not know).
        let newer = target.appending("newer.db")
        try FileManager.default.copyItem(at: good, to: newer)
        let queue = try DatabaseQueue(path: newer.path)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')")
        }
        try queue.close()
        let refused = try await CantoProcess.run(["restore", newer.path] + Self.common(target, music))
        #expect(refused.status == 1)
        #expect(refused.output.contains("newer Canto") && refused.output.contains("v999-from-the-future"))
        #expect(!FileManager.default.fileExists(atPath: target.appending("canto.db").path))

        // The good copy is accepted; the database it replaces is kept.
        let first = try await CantoProcess.run(["restore", good.path] + Self.common(target, music))
        #expect(first.status == 0, "\(first.output)")
        let second = try await CantoProcess.run(["restore", good.path] + Self.common(target, music))
        #expect(second.status == 0, "\(second.output)")
        #expect(FileManager.default.fileExists(atPath: target.appending("canto.db.before-restore").path))
        let list = try await CantoProcess.run(["user", "list"] + Self.common(target, music))
        #expect(list.output.contains("olga"), "\(list.output)")
    }

    static func md5(_ text: String) -> String {
        Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Subsonic token auth with the app password: the server must open the sealed copy of it.
    static func tokenPing(_ server: TestServer, user: String, appPassword: String) async throws -> Bool {
        let salt = "s\(UInt32.random(in: 1000...999_999))"
        let token = md5(appPassword + salt)
        let answer = try await server.get("/rest/ping.view?u=\(user)&t=\(token)&s=\(salt)&v=1.16.1&c=test&f=json")
        return answer.body.contains("\"status\":\"ok\"")
    }

    @Test func theKeyTravelsSealedWithThePassphrase() async throws {
        let data = try TemporaryDirectory(prefix: "canto-key")
        let music = try TemporaryDirectory(prefix: "canto-key-music")
        let secrets = try TemporaryDirectory(prefix: "canto-key-secrets")
        let made = try await CantoProcess.run(
            ["user", "add", "pia", "--role", "admin", "--password-stdin"] + Self.common(data, music),
            input: "pia-password-1\n")
        let appPassword = try #require(made.output.firstMatch(of: /shown once\): (\S+)/).map { String($0.1) })
        let passphrase = secrets.appending("passphrase")
        try Data("a long backup passphrase\n".utf8).write(to: passphrase)
        let wrong = secrets.appending("wrong")
        try Data("not the passphrase\n".utf8).write(to: wrong)

        let missing = try await CantoProcess.run(["backup", "--include-key"] + Self.common(data, music))
        #expect(missing.status != 0)
        #expect(missing.output.contains("passphrase"))

        let backup = try await CantoProcess.run(
            ["backup", "--include-key", "--passphrase-file", passphrase.path] + Self.common(data, music))
        #expect(backup.status == 0, "\(backup.output)")
        #expect(!backup.output.contains("not in this backup"))
        let file = try Self.backupPath(backup.output)
        let key = try Data(contentsOf: data.appending("secret.key"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).range(of: key) == nil, "the key is in the clear")

        // A wrong passphrase is refused before anything is written.
        let refusedFolder = try TemporaryDirectory(prefix: "canto-key-refused")
        let refused = try await CantoProcess.run(
            ["restore", file, "--passphrase-file", wrong.path] + Self.common(refusedFolder, music))
        #expect(refused.status == 1)
        #expect(refused.output.contains("passphrase is wrong"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: refusedFolder.appending("canto.db").path))
        #expect(!FileManager.default.fileExists(atPath: refusedFolder.appending("secret.key").path))

        // The passphrase from the environment restores the key: the sealed app password opens.
        let fresh = try TemporaryDirectory(prefix: "canto-key-restored")
        let restored = try await CantoProcess.run(
            ["restore", file] + Self.common(fresh, music),
            environment: ["CANTO_BACKUP_PASSPHRASE": "a long backup passphrase"])
        #expect(restored.status == 0, "\(restored.output)")
        #expect(restored.output.contains("key was restored"))
        let attributes = try FileManager.default.attributesOfItem(atPath: fresh.appending("secret.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let server = try await TestServer.start(scan: false, data: fresh, music: music.url)
        #expect(try await Self.tokenPing(server, user: "pia", appPassword: appPassword))

        // Without the key, the same copy restores the database but not the sealed secrets.
        let keyless = try TemporaryDirectory(prefix: "canto-key-lost")
        let withoutKey = try await CantoProcess.run(["restore", file] + Self.common(keyless, music))
        #expect(withoutKey.status == 0)
        #expect(withoutKey.output.contains("carries the server's key"))
        let other = try await TestServer.start(scan: false, data: keyless, music: music.url)
        #expect(!(try await Self.tokenPing(other, user: "pia", appPassword: appPassword)))
    }

    @Test func theServerShowsTheLastBackupAsAMetric() async throws {
        let data = try TemporaryDirectory(prefix: "canto-backup-metric")
        let music = try TemporaryDirectory(prefix: "canto-backup-metric-music")
        // A fresh folder has no database to copy yet.
        let nothing = try await CantoProcess.run(["backup"] + Self.common(data, music))
        #expect(nothing.status == 1)
        #expect(nothing.output.contains("canto.db does not exist"))
        _ = try await CantoProcess.run(
            ["user", "add", "rita", "--password-stdin"] + Self.common(data, music), input: "rita-password-1\n")
        let backup = try await CantoProcess.run(["backup"] + Self.common(data, music))
        #expect(backup.status == 0, "\(backup.output)")
        let file = try Self.backupPath(backup.output)
        #expect(file.hasPrefix(data.appending("backups").path + "/"))
        let taken = try #require(Backups.list(in: data.appending("backups")).last?.date)
        let server = try await TestServer.start(scan: false, data: data, music: music.url)
        let pattern = /canto_backup_last_success_timestamp_seconds ([0-9.e+]+)/
        var value: Double?
        let deadline = ContinuousClock.now + .seconds(30)
        while value == nil, ContinuousClock.now < deadline {
            value = try await server.get("/metrics").body.firstMatch(of: pattern).flatMap { Double($0.1) }
            if value == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let seconds = try #require(value, "the gauge is not on /metrics")
        #expect(abs(seconds - taken.timeIntervalSince1970) < 0.01)
    }
}
