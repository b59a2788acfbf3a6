import CantoCore
import Foundation
import GRDB

/// Twelve-month windows: per listener (and for the household, owner `*`), every item's sums over
/// the twelve months to their latest month and over the twelve before, so the "last twelve
/// months" chart and the one it is compared with each read their top rows from an index instead
/// of summing a year of rows. A play in a new month builds the new windows from the month rows
/// (once a month); every other play adds to the window it falls in. Anything that rewrites the
/// month rows (a rebuild, a listener starting or stopping sharing, or going) builds them again.
extension StatsRollups {
    /// The household's windows' owner.
    static let household = "*"

    /// Whose windows a play adds to: the listener's, and the household's when they share.
    static func windowOwners(_ user: String, _ owner: Owner) -> [String] {
        owner.shared ? [user, household] : [user]
    }

    /// Before a play of `month` is added: when it is the owner's first in a month later than
    /// their windows, the windows move to it (built from the month rows, which do not hold the
    /// play yet). Returns the windows the play falls in.
    static func windows(of key: String, for month: Int, _ db: Database) throws -> [Int] {
        let latest = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT max(end_month) FROM stat_window_end WHERE owner = ?"), arguments: [key])
        if latest.map({ month > $0 }) ?? true { try moveWindows(of: key, to: month, db) }
        return try Int.fetchAll(
            db.cachedStatement(
                sql: "SELECT end_month FROM stat_window_end WHERE owner = ? AND end_month BETWEEN ? AND ?"),
            arguments: [key, month, month + 11])
    }

    /// The owner's windows are the twelve months to `month` and the twelve before, built from
    /// the month rows; older ones go.
    static func moveWindows(of key: String, to month: Int, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM stat_window WHERE owner = ? AND end_month NOT IN (?, ?)",
            arguments: [key, month, month - 12])
        try db.execute(
            sql: "DELETE FROM stat_window_end WHERE owner = ? AND end_month NOT IN (?, ?)",
            arguments: [key, month, month - 12])
        let (table, filter): (String, String) =
            key == household ? ("stat_house_item_month", "") : ("stat_item_month", "user_id = ? AND")
        for end in [month - 12, month]
        where try Int.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM stat_window_end WHERE owner = ? AND end_month = ?"),
            arguments: [key, end]) == nil
        {
            try db.execute(
                sql: "INSERT INTO stat_window_end (owner, end_month) VALUES (?, ?)", arguments: [key, end])
            try db.execute(
                sql: """
                    INSERT INTO stat_window (owner, end_month, kind, item, plays, skips, seconds)
                    SELECT ?, ?, kind, item, sum(plays), sum(skips), sum(seconds) FROM \(table)
                    WHERE \(filter) month BETWEEN ? AND ? GROUP BY kind, item
                    """,
                arguments: [key, end] + (key == household ? [] : [key]) + [end - 11, end])
        }
    }

    /// Builds the owners' windows again at their latest month with plays (none when they have none).
    static func resetWindows(of keys: [String], _ db: Database) throws {
        for key in keys {
            try db.execute(sql: "DELETE FROM stat_window WHERE owner = ?", arguments: [key])
            try db.execute(sql: "DELETE FROM stat_window_end WHERE owner = ?", arguments: [key])
            let latest =
                key == household
                ? try Int.fetchOne(db, sql: "SELECT max(month) FROM stat_house_item_month")
                : try Int.fetchOne(
                    db, sql: "SELECT max(month) FROM stat_item_month WHERE user_id = ?", arguments: [key])
            if let latest { try moveWindows(of: key, to: latest, db) }
        }
    }
}
