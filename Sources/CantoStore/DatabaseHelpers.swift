import CantoCore
import Foundation
import GRDB

extension Date {
    /// This instant, for a write into the database: an instant that would not read back (outside
    /// `StoredTime`'s range, not finite) throws `DomainError.invalid(field)` and nothing is stored.
    /// Every store function that writes a date passes it through here, before its transaction.
    func storable(_ field: String) throws -> Date {
        try StoredTime.checked(self, field: field)
    }
}

extension Optional<Date> {
    /// nil, or the instant when it reads back (see `Date.storable`).
    func storable(_ field: String) throws -> Date? {
        try map { try $0.storable(field) }
    }
}

extension Database {
    /// Runs `sql` through the connection's statement cache and returns the rows it changed.
    @discardableResult
    func run(_ sql: String, _ arguments: StatementArguments) throws -> Int {
        try cachedStatement(sql: sql).execute(arguments: arguments)
        return changesCount
    }
}

extension Array {
    /// The array in consecutive slices of at most `size` elements (for `IN (…)` lists).
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
