import GRDB

/// Lists bound into `IN (…)` with a length from a short series (8, 16, 32, … 1024), so a
/// statement reading a list is prepared once a connection and kept in its statement cache.
/// Prepared again for every list length, as these reads were, SQLite's parser and planner cost
/// about as much as running them (under search as you type, 8% of the process's CPU went into
/// preparing statements; half of it after these lists were bound this way).
enum BoundList {
    /// The length a list of `count` values is bound as.
    static func length(_ count: Int) -> Int {
        var length = 8
        while length < count { length *= 2 }
        return length
    }

    /// `values` padded to `length(values.count)` by repeating the last one: an `IN` list with
    /// repeats matches the same rows.
    static func padded<Values: BidirectionalCollection>(_ values: Values) -> [Values.Element] {
        guard let last = values.last else { return [] }
        return Array(values) + Array(repeating: last, count: length(values.count) - values.count)
    }

    /// `(?, ?, …)`'s question marks for a list of `count` values, padded.
    static func marks(_ count: Int) -> String {
        databaseQuestionMarks(count: length(count))
    }
}
