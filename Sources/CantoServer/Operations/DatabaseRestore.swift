import CantoSecurity
import CantoStore
public import Foundation

/// Why `canto restore` refused a copy; nothing in the data folder was changed.
public enum RestoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A server (or a scan) holds the data folder.
    case inUse(dataDirectory: String)
    /// The file is not a database, or SQLite's integrity check found damage.
    case damaged(file: String, problems: [String])
    /// The copy was made by a newer Canto: this binary does not know these migrations.
    case newerSchema(file: String, unknown: [String])
    /// The copy carries the key and the passphrase does not open it (or it cannot be written).
    case key(reason: String)

    /// A sentence for the command line and the log.
    public var description: String {
        switch self {
        case .inUse(let folder):
            "a Canto server or scan is using \(folder): stop it first (systemctl stop canto)"
        case .damaged(let file, let problems):
            "\(file) is damaged or not a Canto database: \(problems.prefix(3).joined(separator: "; "))"
        case .newerSchema(let file, let unknown):
            "\(file) was made by a newer Canto (migrations \(unknown.joined(separator: ", "))): "
                + "restore it with that version or newer"
        case .key(let reason): "the key in the backup cannot be restored: \(reason)"
        }
    }
}

/// What a restore did.
public struct RestoreResult: Sendable, Equatable {
    /// The backup carried the server's key.
    public var backupHadKey: Bool
    /// The key was written to the data folder.
    public var keyRestored: Bool
    /// Migrations the server will run on the restored database at its next start.
    public var pendingMigrations: [String]
    /// Where the database it replaced was kept, if there was one.
    public var previous: URL?
}

/// Puts a backup in place of a data folder's database, after checking it.
public enum DatabaseRestore {
    /// Restores `file` into `dataDirectory`.
    ///
    /// Refuses (changing nothing) while a server or scan holds the folder, when the copy fails
    /// SQLite's integrity check, when it was made by a newer Canto, or when it carries the key and
    /// `passphrase` does not open it. The database it replaces is kept as `canto.db.before-restore`
    /// (with its WAL, if any); a stale `-shm` is removed, so SQLite never pairs the new file with
    /// the old one's journal. The key is restored only when the copy carries it and a passphrase is
    /// given; otherwise the folder's own key stays.
    public static func restore(file: URL, dataDirectory: URL, passphrase: String?) throws -> RestoreResult {
        guard let lock = try DataFolderLock(dataDirectory: dataDirectory, mode: .exclusive) else {
            throw RestoreError.inUse(dataDirectory: dataDirectory.path)
        }
        return try withExtendedLifetime(lock) {
            let staging = dataDirectory.appendingPathComponent(".canto.db.restoring")
            try? FileManager.default.removeItem(at: staging)
            try FileManager.default.copyItem(at: file, to: staging)
            do {
                let result = try restore(
                    staging: staging, file: file, dataDirectory: dataDirectory, passphrase: passphrase)
                return result
            } catch {
                try? FileManager.default.removeItem(at: staging)
                for suffix in ["-wal", "-shm", "-journal"] {
                    try? FileManager.default.removeItem(atPath: staging.path + suffix)
                }
                throw error
            }
        }
    }

    private static func restore(staging: URL, file: URL, dataDirectory: URL, passphrase: String?) throws
        -> RestoreResult
    {
        let status: DatabaseFileStatus
        do {
            status = try DatabaseCopy.status(of: staging)
        } catch .unreadable(_, let reason) {
            throw RestoreError.damaged(file: file.path, problems: [reason])
        } catch {
            throw RestoreError.damaged(file: file.path, problems: [error.description])
        }
        guard status.intact else { throw RestoreError.damaged(file: file.path, problems: status.problems) }
        guard status.unknown.isEmpty else { throw RestoreError.newerSchema(file: file.path, unknown: status.unknown) }
        guard !status.applied.isEmpty else {
            throw RestoreError.damaged(file: file.path, problems: ["it holds no Canto migrations"])
        }
        let items = try DatabaseCopy.detachItems(from: staging)
        let envelope = items[Backups.keyItem]
        // The key is opened before anything is replaced, so a wrong passphrase changes nothing.
        var key: (envelope: Data, passphrase: String)?
        if let envelope, let passphrase {
            do {
                try KeyEnvelope.check(envelope, passphrase: passphrase)
            } catch {
                throw RestoreError.key(reason: error.description)
            }
            key = (envelope, passphrase)
        }
        let database = dataDirectory.appendingPathComponent(DatabaseCopy.fileName)
        let fileManager = FileManager.default
        var previous: URL?
        if fileManager.fileExists(atPath: database.path) {
            let kept = dataDirectory.appendingPathComponent(DatabaseCopy.fileName + ".before-restore")
            for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: kept.path + suffix) }
            try fileManager.moveItem(at: database, to: kept)
            if fileManager.fileExists(atPath: database.path + "-wal") {
                try fileManager.moveItem(atPath: database.path + "-wal", toPath: kept.path + "-wal")
            }
            previous = kept
        }
        for suffix in ["-wal", "-shm", "-journal"] where fileManager.fileExists(atPath: database.path + suffix) {
            try fileManager.removeItem(atPath: database.path + suffix)
        }
        try fileManager.moveItem(at: staging, to: database)
        if let key {
            do {
                try KeyEnvelope.restore(
                    key.envelope, passphrase: key.passphrase,
                    to: dataDirectory.appendingPathComponent(SecretBox.keyFileName))
            } catch {
                throw RestoreError.key(reason: error.description)
            }
        }
        // Run as root (`sudo canto restore`), the files go to the folder's owner, whom the server runs as.
        FileOwnership.handOver(
            [database, dataDirectory.appendingPathComponent(SecretBox.keyFileName)], like: dataDirectory)
        return RestoreResult(
            backupHadKey: envelope != nil, keyRestored: key != nil, pendingMigrations: status.pending,
            previous: previous)
    }
}
