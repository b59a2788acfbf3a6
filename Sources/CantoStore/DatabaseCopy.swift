public import Foundation
import GRDB

/// What a database file holds, as `canto restore` and `canto doctor` check it.
public struct DatabaseFileStatus: Sendable, Equatable {
    /// `PRAGMA integrity_check` (or `quick_check`) said "ok".
    public var intact: Bool
    /// The first lines the check reported when it was not "ok".
    public var problems: [String]
    /// Migrations the file has that this binary knows, in order.
    public var applied: [String]
    /// Migrations the file has that this binary does not know: it was made by a newer Canto.
    public var unknown: [String]
    /// Migrations this binary would still run on the file.
    public var pending: [String]
}

/// Why a copy or a check of the database failed.
public enum DatabaseCopyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a SQLite database, or cannot be opened.
    case unreadable(path: String, reason: String)
    /// There is no database at the path.
    case missing(path: String)

    /// A sentence for the command line and the log.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path) cannot be read as a database: \(reason)"
        case .missing(let path): "\(path) does not exist"
        }
    }
}

/// Online copies of the database and checks of a copy, each on its own connection, so they work
/// beside a running server in another process (WAL mode: the copy reads one snapshot and
/// never blocks the server's writes).
public enum DatabaseCopy {
    /// The database's file name inside a data folder.
    public static let fileName = "canto.db"

    /// Copies the database at `source` into a new file at `destination` with `VACUUM INTO`: one
    /// read transaction, so the copy is the database as it was when the copy began, compacted.
    /// The copy is written beside `destination` first and renamed into place when complete, so a
    /// file at `destination` is never half written.
    public static func copy(from source: URL, to destination: URL, busyTimeout: TimeInterval = 5) throws {
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw DatabaseCopyError.missing(path: source.path)
        }
        let partial = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: partial)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: source.path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [partial.path])
            }
            try queue.close()
            try FileManager.default.moveItem(at: partial, to: destination)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    /// Checks the database file at `path`: integrity (the full check, or SQLite's quicker one)
    /// and which migrations it has. Opens it without migrating; never writes to it.
    public static func status(of path: URL, quick: Bool = false) throws(DatabaseCopyError) -> DatabaseFileStatus {
        guard FileManager.default.fileExists(atPath: path.path) else { throw .missing(path: path.path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        do {
            let queue = try DatabaseQueue(path: path.path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                let pragma = quick ? "PRAGMA quick_check(20)" : "PRAGMA integrity_check(20)"
                let lines = try String.fetchAll(db, sql: pragma)
                let migrator = Migrations.migrator
                let known = migrator.migrations
                let recorded =
                    try db.tableExists("grdb_migrations")
                    ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
                return DatabaseFileStatus(
                    intact: lines == ["ok"], problems: lines == ["ok"] ? [] : lines,
                    applied: known.filter { recorded.contains($0) },
                    unknown: recorded.subtracting(known).sorted(),
                    pending: known.filter { !recorded.contains($0) })
            }
        } catch let error as DatabaseError {
            throw .unreadable(path: path.path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw .unreadable(path: path.path, reason: "\(error)")
        }
    }

    /// The migrations this binary knows, oldest first: a file with others is newer than it.
    public static var knownMigrations: [String] { Migrations.migrator.migrations }

    /// Stores `value` under `name` in a small table of the copy at `path` (what a backup carries
    /// beside the database, such as the sealed key). The copy must not be in use.
    public static func attach(_ value: Data, named name: String, to path: URL) throws {
        let queue = try DatabaseQueue(path: path.path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS canto_backup_item (name TEXT PRIMARY KEY, value BLOB)")
            try db.execute(
                sql: "INSERT OR REPLACE INTO canto_backup_item (name, value) VALUES (?, ?)", arguments: [name, value])
        }
        try queue.close()
    }

    /// Takes every item `attach` stored out of the copy at `path`, leaving the database as it was
    /// copied. The copy must not be in use.
    public static func detachItems(from path: URL) throws -> [String: Data] {
        let queue = try DatabaseQueue(path: path.path)
        let items = try queue.write { db -> [String: Data] in
            guard try db.tableExists("canto_backup_item") else { return [:] }
            var items: [String: Data] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, value FROM canto_backup_item") {
                items[try row.decode(String.self, atIndex: 0)] = try row.decode(Data.self, atIndex: 1)
            }
            try db.execute(sql: "DROP TABLE canto_backup_item")
            return items
        }
        try queue.close()
        return items
    }
}
