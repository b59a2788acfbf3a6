public import Foundation

/// A plugin's own tables in the server's database: created by the migrations its descriptor
/// declares (``PluginDescriptor/migrations``), each table and index named `<plugin id>_…`, read
/// and written in the server's transactions (so they are in its backups).
///
/// The host checks every statement before it runs: a plugin reaches only tables whose names
/// start with its id and an underscore; `PRAGMA`, `ATTACH`, triggers, views, virtual tables and
/// transaction statements are refused (``PluginSQLRefused``). A plugin that declares no
/// migrations has no tables, and every call is refused.
///
/// ```swift
/// let plays = try await context.tables.write { sql in
///     try sql.execute("INSERT INTO counter_plays (user_id, track_id) VALUES (?, ?)", [.text(user), .text(track)])
///     return try sql.rows("SELECT count(*) AS n FROM counter_plays", [])[0]["n"].integer ?? 0
/// }
/// ```
public protocol PluginTables: Sendable {
    /// Runs `body` in one read transaction.
    func read<Value: Sendable>(_ body: @escaping @Sendable (any PluginSQL) throws -> Value) async throws -> Value
    /// Runs `body` in one write transaction: everything it does is kept, or nothing is (it threw).
    func write<Value: Sendable>(_ body: @escaping @Sendable (any PluginSQL) throws -> Value) async throws -> Value
}

/// Statements inside one of ``PluginTables``' transactions. Only valid inside the closure.
public protocol PluginSQL {
    /// Runs one statement (no `;`-separated lists) with `?` arguments.
    func execute(_ sql: String, _ arguments: [PluginSQLValue]) throws
    /// Runs one query and returns its rows.
    func rows(_ sql: String, _ arguments: [PluginSQLValue]) throws -> [PluginRow]
    /// How many rows the last `execute` inserted, updated or deleted.
    var changes: Int { get }
}

/// A value bound to a statement or read from a row.
public enum PluginSQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The integer, if the value is one.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
    /// The number, integer or real.
    public var real: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }
    /// The text, if the value is text.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }
    /// The bytes, if the value is a blob.
    public var blob: Data? {
        if case .blob(let value) = self { return value }
        return nil
    }
}

/// One row of a query: its columns in order.
public struct PluginRow: Sendable, Equatable {
    public var columns: [String]
    public var values: [PluginSQLValue]

    public init(columns: [String], values: [PluginSQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of column `name` (`.null` when the row has no such column).
    public subscript(_ name: String) -> PluginSQLValue {
        guard let index = columns.firstIndex(of: name), index < values.count else { return .null }
        return values[index]
    }
}

/// One step of a plugin's schema: statements run in one transaction, once, in the order the
/// descriptor lists the migrations. An `id` once applied is never run again, so change the schema
/// by adding a migration, never by editing one.
public struct PluginMigration: Sendable, Equatable, Codable {
    public var id: String
    public var statements: [String]

    public init(_ id: String, _ statements: [String]) {
        self.id = id
        self.statements = statements
    }
}

/// A statement the host would not run for a plugin.
public struct PluginSQLRefused: Error, Sendable, Equatable, CustomStringConvertible {
    public var pluginID: String
    public var reason: String

    public init(pluginID: String, reason: String) {
        self.pluginID = pluginID
        self.reason = reason
    }

    public var description: String { "plugin \(pluginID): statement refused: \(reason)" }
}
