public import CantoCore
import GRDB

extension CatalogQueryRepository {
    /// Skips from one first character to the next through the sort-name index: as many seeks
    /// as there are distinct initials (a few hundred), not a walk over every artist.
    public func artistInitials() async throws -> [String] {
        try await pool.read { db in
            var initials: [String] = []
            var bound: SQL = "TRUE"
            while true {
                let sql: SQL = """
                    SELECT substr(sort_name, 1, 1) FROM artist WHERE \(bound) AND album_count > 0
                    ORDER BY sort_name LIMIT 1
                    """
                guard let initial = try SQLRequest<String>(literal: sql, cached: true).fetchOne(db) else {
                    break
                }
                initials.append(initial)
                if initial.isEmpty {
                    bound = "sort_name > ''"
                } else if let next = Self.successor(of: initial) {
                    bound = "sort_name >= \(next)"
                } else {
                    break
                }
            }
            return initials
        }
    }

    public func artists(initial: String, after: Artist?, limit: Int, scope: LibraryScope) async throws -> [Artist] {
        let sql = Self.artistPage(initial: initial, after: after, limit: limit, scope: scope)
        return try await pool.read { db in try Self.artists(db, sql) }
    }

    /// One page of the artist index: a run through the covering partial index `artist_index`.
    static func artistPage(initial: String, after: Artist?, limit: Int, scope: LibraryScope) -> SQL {
        var range: SQL = "sort_name = ''"
        if !initial.isEmpty {
            range = "sort_name >= \(initial)"
            if let next = Self.successor(of: initial) { range = "\(range) AND sort_name < \(next)" }
        }
        var position: SQL = "TRUE"
        if let after {
            position =
                "(sort_name > \(after.sortName) OR (sort_name = \(after.sortName) AND id > \(after.id.rawValue)))"
        }
        return """
            SELECT artist.* FROM artist WHERE \(range) AND \(position) AND album_count > 0
                AND \(Scope(scope).artists())
            ORDER BY sort_name, id LIMIT \(max(limit, 0))
            """
    }

    /// The first text after every text starting with the one-character `initial` in SQLite's
    /// byte order (which is code-point order): the next scalar, skipping surrogates; nil after
    /// the last scalar.
    static func successor(of initial: String) -> String? {
        guard let scalar = initial.unicodeScalars.first else { return nil }
        var value = scalar.value + 1
        if (0xD800...0xDFFF).contains(value) { value = 0xE000 }
        return Unicode.Scalar(value).map { String(Character($0)) }
    }
}
