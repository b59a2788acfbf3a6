import Foundation
import GRDB

/// A stored value that does not decode as the type its column is read as: a date whose text is
/// empty or outside the years 0000–9999, a NULL where the schema forbids one, a column a row
/// lacks. Reads throw it where GRDB's row subscripts would stop the process, so one bad row
/// fails the request that meets it (an internal error, and a log line naming the column) and
/// the server stays up.
///
/// The description names table, column and type but never the row's values: a row can hold
/// token hashes and e-mail addresses, which do not belong in a log.
public struct StoredValueUnreadable: Error, Sendable, Equatable, CustomStringConvertible {
    /// The table the row was read from (for a join or an aggregate, the table the value is about).
    public let table: String
    /// The column, or `#<index>` when a row lacks the position asked for.
    public let column: String
    /// The Swift type the value was read as.
    public let type: String
    /// What the column holds, as SQLite stores it: "NULL", "text", "integer", "real", "blob",
    /// or "nothing" when the row has no such column.
    public let stored: String

    /// An unreadable value in `table.column`.
    public init(table: String, column: String, type: String, stored: String) {
        self.table = table
        self.column = column
        self.type = type
        self.stored = stored
    }

    /// One line for the log.
    public var description: String {
        "the stored value of \(table).\(column) (\(stored)) cannot be read as \(type)"
    }
}

/// A row read only through GRDB's throwing decoders: a value that does not decode throws
/// `StoredValueUnreadable` (naming `table` and the column) instead of trapping, as GRDB's
/// non-throwing `row[…]` subscripts do. Reads by index stay as fast as the subscripts they
/// replace (a bounds check and GRDB's `decode(_:atIndex:)`).
struct StoredRow {
    let row: Row
    let table: String

    init(_ row: Row, table: String) {
        self.row = row
        self.table = table
    }

    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) -> Value {
        get throws {
            guard index >= 0, index < row.count else { throw unreadable(at: index, Value.self) }
            do {
                return try row.decode(Value.self, atIndex: index)
            } catch {
                throw unreadable(at: index, Value.self)
            }
        }
    }

    /// For the types GRDB decodes from a database value (dates among them).
    subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value {
        get throws {
            guard index >= 0, index < row.count else { throw unreadable(at: index, Value.self) }
            do {
                return try row.decode(Value.self, atIndex: index)
            } catch {
                throw unreadable(at: index, Value.self)
            }
        }
    }

    /// The value of the named column. An optional reads a missing column as nil.
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ column: String) -> Value {
        get throws {
            do {
                return try row.decode(Value.self, forColumn: column)
            } catch {
                throw unreadable(column, Value.self)
            }
        }
    }

    /// The value of the named column, for the types GRDB decodes from a database value.
    subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value {
        get throws {
            do {
                return try row.decode(Value.self, forColumn: column)
            } catch {
                throw unreadable(column, Value.self)
            }
        }
    }

    /// A stored date, at the whole millisecond it was written with (see `TrackRecord.wholeMilliseconds`).
    func date(_ column: String) throws -> Date {
        TrackRecord.wholeMilliseconds(try self[column])
    }

    func date(_ index: Int) throws -> Date {
        TrackRecord.wholeMilliseconds(try self[index])
    }

    func optionalDate(_ column: String) throws -> Date? {
        (try self[column] as Date?).map(TrackRecord.wholeMilliseconds)
    }

    func optionalDate(_ index: Int) throws -> Date? {
        (try self[index] as Date?).map(TrackRecord.wholeMilliseconds)
    }

    // MARK: Errors (only built when a read fails)

    private func unreadable(at index: Int, _ type: Any.Type) -> StoredValueUnreadable {
        guard index >= 0, index < row.count else {
            return StoredValueUnreadable(table: table, column: "#\(index)", type: "\(type)", stored: "nothing")
        }
        let name = Array(row.columnNames)[index]
        return StoredValueUnreadable(
            table: table, column: name, type: "\(type)",
            stored: Self.storageClass(try? row.decode(DatabaseValue.self, atIndex: index)))
    }

    private func unreadable(_ column: String, _ type: Any.Type) -> StoredValueUnreadable {
        // GRDB matches names without regard to case, leftmost first.
        let names = Array(row.columnNames)
        guard let index = names.firstIndex(where: { $0.caseInsensitiveCompare(column) == .orderedSame }) else {
            return StoredValueUnreadable(table: table, column: column, type: "\(type)", stored: "nothing")
        }
        return StoredValueUnreadable(
            table: table, column: column, type: "\(type)",
            stored: Self.storageClass(try? row.decode(DatabaseValue.self, atIndex: index)))
    }

    private static func storageClass(_ value: DatabaseValue?) -> String {
        switch value?.storage {
        case nil: "nothing"
        case .null: "NULL"
        case .int64: "integer"
        case .double: "real"
        case .string: "text"
        case .blob: "blob"
        }
    }
}
