public import CantoCore
import GRDB

extension CatalogQueryRepository {
    public func search(_ query: String, scope: LibraryScope, artists: Page, albums: Page, tracks: Page) async throws
        -> SearchResults
    {
        let pattern = Self.matchPattern(query)
        let filter = Scope(scope)
        guard scope?.isEmpty != true else { return SearchResults(artists: [], albums: [], tracks: []) }
        return try await pool.read { db in
            SearchResults(
                artists: artists.limit > 0 ? try Self.artists(db, Self.artistSearch(pattern, filter, artists)) : [],
                albums: albums.limit > 0 ? try Self.albums(db, Self.albumSearch(pattern, filter, albums)) : [],
                tracks: tracks.limit > 0 ? try Self.tracks(db, Self.trackSearch(pattern, filter, tracks)) : [])
        }
    }

    /// The user's words as an FTS5 query: each run of letters and digits becomes a quoted
    /// prefix term (`"bjö"*`) and the terms are ANDed. Quoting makes `AND`, `NEAR`, `-` or
    /// `(` plain text; everything else is a separator to the tokenizer anyway. nil when the
    /// query holds no word: then everything matches.
    static func matchPattern(_ query: String) -> String? {
        let words = query.split { !($0.isLetter || $0.isNumber) }
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0.replacing("\"", with: "\"\""))\"*" }.joined(separator: " ")
    }

    // A search ranks and pages on the search table alone, by score then rowid (the order rows
    // were added in), and reads the full rows of the page only. bm25 weighs a match in a
    // name above one in a credit.

    static func artistSearch(_ pattern: String?, _ filter: Scope, _ page: Page) -> SQL {
        let limit = Self.page(offset: page.offset, limit: page.limit)
        guard let pattern else {
            return "SELECT * FROM artist WHERE \(filter.artists()) ORDER BY sort_name, rowid \(limit)"
        }
        return """
            SELECT artist.* FROM (
                SELECT rowid AS hit, bm25(artist_fts) AS score FROM artist_fts
                WHERE artist_fts MATCH \(pattern) AND \(filter.artists(id: Self.searchedID("artist")))
                ORDER BY score, hit \(limit)
            ) JOIN artist ON artist.rowid = hit ORDER BY score, hit
            """
    }

    static func albumSearch(_ pattern: String?, _ filter: Scope, _ page: Page) -> SQL {
        let limit = Self.page(offset: page.offset, limit: page.limit)
        guard let pattern else {
            return "SELECT * FROM album WHERE \(filter.albums()) ORDER BY sort_title, rowid \(limit)"
        }
        // Columns: title, album_artist_name.
        return """
            SELECT album.* FROM (
                SELECT rowid AS hit, bm25(album_fts, 10.0, 3.0) AS score FROM album_fts
                WHERE album_fts MATCH \(pattern) AND \(filter.albums(id: Self.searchedID("album")))
                ORDER BY score, hit \(limit)
            ) JOIN album ON album.rowid = hit ORDER BY score, hit
            """
    }

    static func trackSearch(_ pattern: String?, _ filter: Scope, _ page: Page) -> SQL {
        let limit = Self.page(offset: page.offset, limit: page.limit)
        guard let pattern else {
            return "SELECT * FROM track WHERE \(filter.tracks()) ORDER BY sort_title, rowid \(limit)"
        }
        // The words are looked for in the text columns only; the scope is a term on library_key.
        var match = "{title artist_name album album_artist_name} : (\(pattern))"
        if let libraries = filter.libraryIDs {
            match += " AND library_key : (\(libraries.map { "\"\(Self.hex($0))\"" }.joined(separator: " OR ")))"
        }
        return """
            SELECT track.* FROM (
                SELECT rowid AS hit, bm25(track_fts, 10.0, 4.0, 2.0, 1.0, 0.0) AS score FROM track_fts
                WHERE track_fts MATCH \(match)
                ORDER BY score, hit \(limit)
            ) JOIN track ON track.rowid = hit ORDER BY score, hit
            """
    }

    /// SQLite's `hex()` of a text: its UTF-8 bytes in upper-case hexadecimal.
    static func hex(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(text.utf8.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    /// The ID of the catalog row behind the current row of `table`'s search table, for the
    /// scope condition (only evaluated when there is one).
    private static func searchedID(_ table: String) -> String {
        "(SELECT id FROM \(table) WHERE rowid = \(table)_fts.rowid)"
    }
}
