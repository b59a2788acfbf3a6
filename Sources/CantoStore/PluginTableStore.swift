public import CantoCore
import Foundation
import GRDB

/// One plugin's own tables (`PluginTables`): its migrations, recorded in `plugin_migration`, and
/// its statements, each checked by `PluginSQLGuard` before it runs in the server's database.
public struct PluginTableStore: PluginTables {
    let pool: MeteredPool
    let pluginID: String
    /// Whether the plugin declares migrations (without them it has no tables to reach).
    let declaresTables: Bool
    /// Statements already found to reach only the plugin's tables, with the schema they were checked against.
    let approved = ApprovedStatements()
    var sqlGuard: PluginSQLGuard { PluginSQLGuard(pluginID: pluginID, approved: approved) }

    public init(database: CantoDatabase, pluginID: String, declaresTables: Bool) {
        pool = MeteredPool(database.pool, repository: "plugin_tables")
        self.pluginID = pluginID
        self.declaresTables = declaresTables
    }

    /// Runs the migrations not run before, in order, each in one transaction with its record;
    /// returns the ids it ran. A statement refused or failing stops there (that migration's
    /// statements are undone) and throws.
    @discardableResult
    public func migrate(_ migrations: [PluginMigration]) async throws -> [String] {
        let pluginID = pluginID
        guard Set(migrations.map(\.id)).count == migrations.count else {
            throw PluginSQLRefused(pluginID: pluginID, reason: "two migrations share an id")
        }
        let applied = try await pool.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT id FROM plugin_migration WHERE plugin_id = ?", arguments: [pluginID]))
        }
        var ran: [String] = []
        let sqlGuard = sqlGuard
        for migration in migrations where !applied.contains(migration.id) {
            let now = try Date().storable("appliedAt")
            try await pool.write { db in
                for statement in migration.statements {
                    try sqlGuard.check(statement, arguments: [], in: db, schemaAllowed: true)
                    try db.makeStatement(sql: statement).execute()
                }
                _ = try db.run(
                    "INSERT INTO plugin_migration (plugin_id, id, applied_at) VALUES (?, ?, ?)",
                    [pluginID, migration.id, now])
            }
            ran.append(migration.id)
        }
        return ran
    }

    public func read<Value: Sendable>(_ body: @escaping @Sendable (any PluginSQL) throws -> Value) async throws
        -> Value
    {
        try allowed()
        let sqlGuard = sqlGuard
        return try await pool.read { db in try body(GuardedSQL(db: db, sqlGuard: sqlGuard)) }
    }

    public func write<Value: Sendable>(_ body: @escaping @Sendable (any PluginSQL) throws -> Value) async throws
        -> Value
    {
        try allowed()
        let sqlGuard = sqlGuard
        return try await pool.write { db in try body(GuardedSQL(db: db, sqlGuard: sqlGuard)) }
    }

    private func allowed() throws {
        guard declaresTables else {
            throw PluginSQLRefused(pluginID: pluginID, reason: "the plugin declares no migrations, so no tables")
        }
    }
}

/// Statements on one connection inside a transaction, each checked first.
final class GuardedSQL: PluginSQL {
    let db: Database
    let sqlGuard: PluginSQLGuard
    private(set) var changes = 0

    init(db: Database, sqlGuard: PluginSQLGuard) {
        self.db = db
        self.sqlGuard = sqlGuard
    }

    func execute(_ sql: String, _ arguments: [PluginSQLValue]) throws {
        let bound = StatementArguments(arguments.map(\.databaseValue))
        let known = sqlGuard.approvedBefore(sql)
        try sqlGuard.check(sql, arguments: bound, in: db, schemaAllowed: false)
        try statement(sql, known: known).execute(arguments: bound)
        changes = db.changesCount
    }

    /// A text used before is kept prepared on the connection; a new one is prepared for this one
    /// use (a plugin that builds texts on the fly does not fill the connection's cache).
    private func statement(_ sql: String, known: Bool) throws -> Statement {
        known ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    func rows(_ sql: String, _ arguments: [PluginSQLValue]) throws -> [PluginRow] {
        let bound = StatementArguments(arguments.map(\.databaseValue))
        let known = sqlGuard.approvedBefore(sql)
        try sqlGuard.check(sql, arguments: bound, in: db, schemaAllowed: false)
        let statement = try statement(sql, known: known)
        let columns = statement.columnNames
        return try Row.fetchAll(statement, arguments: bound).map { row in
            PluginRow(columns: columns, values: row.databaseValues.map(PluginSQLValue.init))
        }
    }
}

extension PluginSQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let value): value.databaseValue
        }
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob(data)
        }
    }
}
