import CantoSecurity
import CantoStore
import CantoTestSupport
import Foundation
import Logging
import Testing

@testable import CantoServer

/// The server's backup schedule: its settings, when copies fall due, and the retention rule,
/// run in this process over a real database.
@Suite("Backup schedule")
struct BackupScheduleTests {
    @Test func settingsComeFromTheBackupSection() throws {
        let scratch = try TemporaryDirectory(prefix: "canto-backup-config")
        try FileManager.default.createDirectory(at: scratch.appending("music"), withIntermediateDirectories: true)
        let file = scratch.appending("backup.toml")
        try """
        [data]
        dir = "state"
        [backup]
        every_hours = 6
        keep = 3
        folder = "copies"
        passphrase_file = "secret/passphrase"
        """.write(to: file, atomically: true, encoding: .utf8)
        let settings = try CantoConfiguration.load(
            file: file.path, environment: [:], workingDirectory: scratch.path
        ).backup
        #expect(settings.interval == .seconds(6 * 3600))
        #expect(settings.keep == 3)
        #expect(settings.folder.path == scratch.appending("copies").standardizedFileURL.path)
        #expect(settings.passphraseFile?.path == scratch.appending("secret/passphrase").standardizedFileURL.path)

        let defaults = try CantoConfiguration.load(environment: [:], workingDirectory: scratch.path).backup
        #expect(defaults.interval == .seconds(24 * 3600))
        #expect(defaults.keep == 7)
        #expect(defaults.folder.path == scratch.appending("data/backups").standardizedFileURL.path)
        #expect(defaults.passphraseFile == nil)

        let off = try CantoConfiguration.load(
            environment: ["CANTO_BACKUP_EVERY_HOURS": "0"], workingDirectory: scratch.path
        ).backup
        #expect(off.interval == nil)
        #expect(throws: ConfigError.self) {
            try CantoConfiguration.load(environment: ["CANTO_BACKUP_KEEP": "0"], workingDirectory: scratch.path)
        }
    }

    @Test func aCopyFallsDueAnIntervalAfterTheNewest() {
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        let day = Duration.seconds(86_400)
        let newest = started.addingTimeInterval(-3600)
        #expect(
            BackupService.nextDue(newest: newest, started: started, interval: day) == newest.addingTimeInterval(86_400))
        // None yet: within the hour, so a server restarted every few hours still makes copies.
        #expect(BackupService.nextDue(newest: nil, started: started, interval: day) == started.addingTimeInterval(3600))
        #expect(
            BackupService.nextDue(newest: nil, started: started, interval: .seconds(60))
                == started.addingTimeInterval(60))
    }

    @Test func theScheduleKeepsTheNewestCopies() async throws {
        let data = try TemporaryDirectory(prefix: "canto-backup-schedule")
        _ = try CantoDatabase(dataDirectory: data.url)
        _ = try SecretBox(dataDirectory: data.url)
        let passphrase = data.appending("passphrase")
        try Data("scheduled passphrase\n".utf8).write(to: passphrase)
        let folder = data.appending("backups")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Two old copies, and a file of the admin's own that is not a copy.
        let old = [
            Backups.fileName(for: Date(timeIntervalSince1970: 1_700_000_000)),
            Backups.fileName(for: Date(timeIntervalSince1970: 1_700_086_400)),
        ]
        for name in old { try Data("old".utf8).write(to: folder.appendingPathComponent(name)) }
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))

        let status = BackupStatus()
        let service = BackupService(
            settings: BackupSettings(interval: .milliseconds(30), keep: 2, folder: folder, passphraseFile: passphrase),
            dataDirectory: data.url,
            logger: Logger(label: "test"), status: status)
        let running = Task { try await service.run() }
        // Three copies with two kept: the first made is removed too. Each seals the key with scrypt,
        // a few seconds in a debug build on a busy machine, so the deadline is generous.
        let deadline = ContinuousClock.now + .seconds(180)
        while status.snapshot.successes < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        running.cancel()
        try await running.value
        let snapshot = status.snapshot
        #expect(snapshot.successes >= 3)
        #expect(snapshot.failures == 0)
        let lastSuccess = try #require(snapshot.lastSuccess)
        #expect(abs(lastSuccess.timeIntervalSinceNow) < 60)

        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == (Array(snapshot.made.suffix(2)) + ["notes.txt"]).sorted())
        for name in old { #expect(!names.contains(name)) }
        let status0 = try DatabaseCopy.status(of: folder.appendingPathComponent(snapshot.made.last ?? ""))
        #expect(status0.intact && status0.pending.isEmpty && status0.unknown.isEmpty)

        // Each scheduled copy carries the key, sealed with the passphrase file's passphrase.
        let fresh = try TemporaryDirectory(prefix: "canto-backup-schedule-restored")
        let restored = try DatabaseRestore.restore(
            file: folder.appendingPathComponent(snapshot.made.last ?? ""), dataDirectory: fresh.url,
            passphrase: "scheduled passphrase")
        #expect(restored.backupHadKey && restored.keyRestored)
        #expect(
            try Data(contentsOf: fresh.appending("secret.key")) == Data(contentsOf: data.appending("secret.key")))
    }
}
