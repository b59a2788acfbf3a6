import Foundation
import GRDB

/// The best names of each kind that start with each short prefix many names start with, kept in
/// the database (`search_prefix_best`) for search as you type over the whole catalog.
///
/// Searching as you type sends one to five letters, and at a million tracks "kan" starts hundreds
/// of artists and thousands of tracks: ranking them all on every keystroke cost several
/// milliseconds of CPU a kind. Here every prefix of up to `longest` characters of a name's first
/// word (in each of the kind's indexed fields) that starts more than `threshold` names keeps its
/// best `kept` rowids, best first: the field that starts with it (title before artist before
/// album), fewer words in that field, more household plays, then the order the rows came in. A
/// search is one lookup. The table belongs to the search tables' generation it was built from
/// (`search_generation`, moved by triggers whenever their text changes); once they move on it is
/// not used (the search ranks in SQL, as for prefixes not kept here) until the end of the scan
/// rebuilds it. The plays are those of the time it was built.
enum SearchPrefixes {
    /// The longest prefix kept, in characters.
    static let longest = 5
    /// The rowids kept for each prefix: a page of search as you type is 8 (the native search
    /// allows up to 50; a page past these is ranked in SQL).
    static let kept = 32

    /// The kinds, as stored.
    enum Kind: Int, CaseIterable, Sendable {
        case artist = 0, album, track, composer
    }

    /// Rebuilds the table from the catalog as it is now, keeping prefixes that start more than
    /// `threshold` names. Returns how many prefixes it kept.
    @discardableResult
    static func rebuild(_ pool: DatabasePool, threshold: Int) async throws -> Int {
        let (generation, rows) = try await pool.read { db in
            let generation = try Self.generation(db)
            var rows: [(kind: Int, prefix: String, rowids: Data)] = []
            for kind in Kind.allCases {
                for (prefix, best) in try best(kind, threshold: threshold, db) {
                    rows.append((kind.rawValue, prefix, encode(best.map(\.rowid))))
                }
            }
            return (generation, rows)
        }
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM search_prefix_best")
            let insert = try db.makeStatement(
                sql: "INSERT INTO search_prefix_best (kind, prefix, rowids) VALUES (?, ?, ?)")
            for row in rows { try insert.execute(arguments: [row.kind, row.prefix, row.rowids]) }
            // Read in the same transaction as the rows: search tables that changed since leave
            // the table marked with the generation it was built from, so it is not used.
            try db.execute(
                sql: "INSERT OR REPLACE INTO search_prefix_state (id, generation) VALUES (1, ?)",
                arguments: [generation])
        }
        return rows.count
    }

    /// The kept rowids of `kind` for `prefix`, best first; nil when the prefix is not kept.
    static func lookup(_ kind: Kind, _ prefix: String, _ db: Database) throws -> [Int64]? {
        guard
            let data = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT rowids FROM search_prefix_best WHERE kind = ? AND prefix = ?"),
                arguments: [kind.rawValue, prefix])
        else { return nil }
        return decode(data)
    }

    /// Whether the table was built from the search tables `db` reads.
    static func isCurrent(_ db: Database) throws -> Bool {
        guard
            let built = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT generation FROM search_prefix_state WHERE id = 1"))
        else { return false }
        return try built == generation(db)
    }

    /// The search tables' generation (`search_generation`).
    static func generation(_ db: Database) throws -> Int? {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT generation FROM search_generation WHERE id = 1"))
    }

    /// A candidate's rank within a prefix: lower is better.
    struct Candidate: Comparable {
        var field: Int
        var words: Int
        var plays: Int
        var rowid: Int64

        static func < (a: Self, b: Self) -> Bool {
            (a.field, a.words, -a.plays, a.rowid) < (b.field, b.words, -b.plays, b.rowid)
        }
    }

    /// Each kind's rows: rowid, the indexed fields in weight order, the household's plays.
    static func source(_ kind: Kind) -> (sql: String, fields: Int) {
        let plays = { (code: String, table: String) in
            "LEFT JOIN stat_house_item_total AS stat ON stat.kind = '\(code)' AND stat.item = \(table).id"
        }
        switch kind {
        case .artist:
            return (
                "SELECT f.rowid, f.name, COALESCE(stat.plays, 0) FROM artist_fts AS f "
                    + "JOIN artist ON artist.rowid = f.rowid \(plays("a", "artist"))", 1
            )
        case .composer:
            return (
                "SELECT f.rowid, f.name, COALESCE(stat.plays, 0) FROM artist_fts AS f "
                    + "JOIN artist ON artist.rowid = f.rowid \(plays("a", "artist")) "
                    + "WHERE artist.id IN (SELECT artist_id FROM track_artist WHERE role = 'composer')", 1
            )
        case .album:
            return (
                "SELECT f.rowid, f.title, f.album_artist_name, COALESCE(stat.plays, 0) FROM album_fts AS f "
                    + "JOIN album ON album.rowid = f.rowid \(plays("l", "album"))", 2
            )
        case .track:
            return (
                "SELECT f.rowid, f.title, f.artist_name, f.album, f.album_artist_name, track.play_count "
                    + "FROM track_fts AS f JOIN track ON track.rowid = f.rowid", 4
            )
        }
    }

    /// The prefixes of up to `longest` characters of the first word of each of a row's fields,
    /// each with the first field it starts (fields come in weight order) and that field's words.
    static func prefixes(of fields: [String]) -> [String: (field: Int, words: Int)] {
        var found: [String: (field: Int, words: Int)] = [:]
        for (index, text) in fields.enumerated() {
            let first = text.prefix { $0 != " " }
            guard !first.isEmpty else { continue }
            let words = text.utf8.reduce(1) { $1 == UInt8(ascii: " ") ? $0 + 1 : $0 }
            var prefix = ""
            for character in first.prefix(longest) {
                prefix.append(character)
                if found[prefix] == nil { found[prefix] = (index, words) }
            }
        }
        return found
    }

    /// The best `kept` candidates of each prefix that starts more than `threshold` rows of `kind`.
    /// Two passes over the kind's rows: counting first keeps only the busy prefixes' lists in
    /// memory (a million tracks have hundreds of thousands of prefixes, most of a few rows).
    static func best(_ kind: Kind, threshold: Int, _ db: Database) throws -> [String: [Candidate]] {
        let (sql, fieldCount) = source(kind)
        func each(_ body: (Int64, [String: (field: Int, words: Int)], Int) -> Void) throws {
            let rows = try Row.fetchCursor(db, sql: sql)
            while let found = try rows.next() {
                let row = StoredRow(found, table: "search_prefix_best")
                let fields: [String] = try (0..<fieldCount).map { index in try row[index + 1] as String? ?? "" }
                let plays: Int? = try row[fieldCount + 1]
                body(try row[0], prefixes(of: fields), plays ?? 0)
            }
        }
        var counts: [String: Int] = [:]
        try each { _, prefixes, _ in
            for prefix in prefixes.keys { counts[prefix, default: 0] += 1 }
        }
        var best: [String: [Candidate]] = [:]
        for (prefix, count) in counts where count > threshold { best[prefix] = [] }
        counts = [:]
        try each { rowid, prefixes, plays in
            for (prefix, place) in prefixes {
                guard var list = best[prefix] else { continue }
                let candidate = Candidate(field: place.field, words: place.words, plays: plays, rowid: rowid)
                if list.count == kept, let last = list.last, !(candidate < last) { continue }
                best[prefix] = nil  // the list is changed in place, not copied
                let index = list.firstIndex { candidate < $0 } ?? list.endIndex
                list.insert(candidate, at: index)
                if list.count > kept { list.removeLast() }
                best[prefix] = list
            }
        }
        return best
    }

    /// Rowids as 8-byte little-endian integers.
    static func encode(_ rowids: [Int64]) -> Data {
        var data = Data(capacity: rowids.count * 8)
        for rowid in rowids { withUnsafeBytes(of: rowid.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// The rowids of `encode`; nil when `data` is not a whole number of them.
    static func decode(_ data: Data) -> [Int64]? {
        guard data.count % 8 == 0 else { return nil }
        var rowids: [Int64] = []
        rowids.reserveCapacity(data.count / 8)
        var value: UInt64 = 0
        for (index, byte) in data.enumerated() {
            value |= UInt64(byte) << (8 * UInt64(index % 8))
            if index % 8 == 7 {
                rowids.append(Int64(bitPattern: value))
                value = 0
            }
        }
        return rowids
    }
}
