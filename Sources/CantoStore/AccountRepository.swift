public import CantoCore
public import Foundation
import GRDB

/// Users and their credentials, sessions, API keys, the audit log and server settings, in SQLite.
/// Every lookup by something a user owns carries the owner in its SQL, so callers cannot forget it.
public struct AccountRepository: UserStore, SessionStore, APIKeyStore, AuditStore, SettingsStore {
    let pool: MeteredPool
    let quick: QuickReader
    /// What the Subsonic token check reads, by username, until the database changes.
    let tokenUsers: VersionedCache<String, (User, Data?)?>
    /// Sessions by their token's hash, until the sessions change (a sign-in, a sign-out, a
    /// session's last use written once a minute).
    let sessionsByHash: VersionedCache<String, Session?>
    /// Users by ID, until the users change.
    let usersByID: VersionedCache<String, User?>

    /// The accounts in `database`; the token cache takes its share of `budget`.
    public init(database: CantoDatabase, budget: MemoryBudget = .standard) {
        pool = MeteredPool(database.pool, repository: "accounts")
        quick = database.quick
        // A user record and a sealed password: a fixed estimate, well above the usual size.
        tokenUsers = VersionedCache(name: "token_users", capacity: 64, budget: budget) { entry in
            1024 + (entry?.1?.count ?? 0)
        }
        // Fixed estimates, well above the usual sizes.
        sessionsByHash = VersionedCache(name: "sessions", capacity: 256, budget: budget) { _ in 512 }
        usersByID = VersionedCache(name: "users", capacity: 256, budget: budget) { _ in 1024 }
    }

    // MARK: Users

    /// Throws `DomainError.invalid` for a date outside `StoredTime`'s range (nothing is stored).
    public func createUser(_ user: User, passwordHash: String, sealedAppPassword: Data) async throws {
        let createdAt = try user.createdAt.storable("createdAt")
        let lastSeenAt = try user.lastSeenAt.storable("lastSeenAt")
        do {
            try await pool.write { db in
                try db.appendEvent(.userCreated(user: user.id), at: createdAt)
                try db.execute(
                    sql: """
                        INSERT INTO user (id, username, display_name, email, role, password_hash, app_password,
                            max_bitrate, library_ids_restricted, can_download, can_share, created_at, last_seen_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        user.id.rawValue, user.username, user.displayName, user.email, user.role.rawValue,
                        passwordHash, sealedAppPassword, user.maxBitrate, user.libraryIDs != nil, user.canDownload,
                        user.canShare, createdAt, lastSeenAt,
                    ])
                try Self.saveLibraries(user, db)
            }
        } catch let error as DatabaseError where Self.isUsernameClash(error) {
            throw DuplicateUsername(username: user.username)
        }
    }

    /// Every signed-in request asks: read again only when the users have changed.
    public func user(_ id: UserID) async throws -> User? {
        try usersByID.value(for: id.rawValue, version: quick.version(of: .accounts)) {
            try quick.read { db in try Self.fetchUsers(db, where: "id = ?", [id.rawValue]).first }
        }
    }

    /// Usernames match without regard to (ASCII) case, as they are unique.
    public func user(username: String) async throws -> User? {
        try quick.read { db in try Self.fetchUsers(db, where: "username = ?", [username]).first }
    }

    /// Every Subsonic request asks: the row is read on the caller's thread, and again only when
    /// the users have changed (an unknown name too: creating that user is a change); a play or a
    /// star elsewhere keeps it.
    public func userWithSealedAppPassword(username: String) async throws -> (User, Data?)? {
        try tokenUsers.value(for: username, version: quick.version(of: .accounts)) {
            try quick.read { db in
                guard let user = try Self.fetchUsers(db, where: "username = ?", [username]).first else { return nil }
                let sealed = try Data.fetchOne(
                    db.cachedStatement(sql: "SELECT app_password FROM user WHERE id = ?"),
                    arguments: [user.id.rawValue])
                return (user, sealed)
            }
        }
    }

    public func users() async throws -> [User] {
        try await pool.read { db in try Self.fetchUsers(db, where: "1", []) }
    }

    public func userCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM user") ?? 0 }
    }

    /// Throws `DuplicateUsername` for a rename onto a taken name, `NotFoundOrForbidden` when
    /// there is no such user, `DomainError.invalid("lastSeenAt")` for a date outside `StoredTime`'s range.
    public func updateUser(_ user: User) async throws {
        let lastSeenAt = try user.lastSeenAt.storable("lastSeenAt")
        do {
            try await pool.write { db in
                let wasAdmin = try Self.isAdmin(user.id, db)
                let changed = try db.run(
                    """
                    UPDATE user SET username = ?, display_name = ?, email = ?, role = ?, max_bitrate = ?,
                        library_ids_restricted = ?, can_download = ?, can_share = ?, last_seen_at = ?
                    WHERE id = ?
                    """,
                    [
                        user.username, user.displayName, user.email, user.role.rawValue, user.maxBitrate,
                        user.libraryIDs != nil, user.canDownload, user.canShare, lastSeenAt, user.id.rawValue,
                    ])
                guard changed > 0 else { throw NotFoundOrForbidden() }
                if wasAdmin && user.role != .admin { try Self.requireAnAdmin(db) }
                try Self.saveLibraries(user, db)
            }
        } catch let error as DatabaseError where Self.isUsernameClash(error) {
            throw DuplicateUsername(username: user.username)
        }
    }

    /// Sessions, keys, plays, playlists, queue, bookmarks, stars, preferences and avatar go
    /// with the user (ON DELETE CASCADE); the audit log keeps its entries.
    public func deleteUser(_ id: UserID) async throws -> Bool {
        try await pool.write { db in
            let wasAdmin = try Self.isAdmin(id, db)
            try StatsRollups.forget(id.rawValue, db)
            guard try db.run("DELETE FROM user WHERE id = ?", [id.rawValue]) > 0 else { return false }
            if wasAdmin { try Self.requireAnAdmin(db) }
            try db.appendEvent(.userDeleted(user: id), at: Date())
            return true
        }
    }

    public func touch(_ id: UserID, at date: Date) async throws {
        let date = try date.storable("lastSeenAt")
        try await pool.write { db in
            _ = try db.run("UPDATE user SET last_seen_at = ? WHERE id = ?", [date, id.rawValue])
        }
    }

    private static func isAdmin(_ id: UserID, _ db: Database) throws -> Bool {
        try String.fetchOne(db, sql: "SELECT role FROM user WHERE id = ?", arguments: [id.rawValue]) == "admin"
    }

    /// Inside the write that removed an admin: when no admin is left, the transaction is rolled
    /// back. One statement decides, so two admins demoting each other at once cannot both succeed.
    private static func requireAnAdmin(_ db: Database) throws {
        let admins = try Int.fetchOne(db, sql: "SELECT count(*) FROM user WHERE role = 'admin'") ?? 0
        if admins == 0 { throw LastAdminRefused() }
    }

    // MARK: Rows

    /// Only SQLite's own words tell the username's unique index from the primary key's.
    static func isUsernameClash(_ error: DatabaseError) -> Bool {
        error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && (error.message ?? "").contains("user.username")
    }

    /// Rewrites the user's library list. Rows keep the caller's order (rowid); a library ID
    /// that is not in the catalog fails the foreign key rather than being dropped silently.
    private static func saveLibraries(_ user: User, _ db: Database) throws {
        try db.run("DELETE FROM user_library WHERE user_id = ?", [user.id.rawValue])
        for library in user.libraryIDs ?? [] {
            try db.run(
                "INSERT OR IGNORE INTO user_library (user_id, library_id) VALUES (?, ?)",
                [user.id.rawValue, library.rawValue])
        }
    }

    /// One row that does not decode (see `StoredValueUnreadable`) fails the whole read.
    private static func fetchUsers(_ db: Database, where condition: String, _ arguments: StatementArguments) throws
        -> [User]
    {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, username, display_name, email, role, max_bitrate, library_ids_restricted, can_download,
                        can_share, created_at, last_seen_at
                    FROM user WHERE \(condition) ORDER BY username, id
                    """), arguments: arguments)
        // Columns by position, in the SELECT's order (a lookup by name costs more than the read).
        return try rows.map { row in
            let row = StoredRow(row, table: "user")
            let id: String = try row[0]
            var libraries: [LibraryID]?
            if try row[6] as Bool {
                libraries = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT library_id FROM user_library WHERE user_id = ? ORDER BY rowid"),
                    arguments: [id]
                ).map { LibraryID($0) }
            }
            return try User(
                id: UserID(id), username: row[1], displayName: row[2], email: row[3],
                // An unknown role (a newer version's, say) grants the least.
                role: Role(rawValue: row[4]) ?? .user, maxBitrate: row[5], libraryIDs: libraries,
                canDownload: row[7], canShare: row[8], createdAt: row.date(9), lastSeenAt: row.optionalDate(10))
        }
    }
}
