public import CantoCore
import Foundation
import GRDB

extension CatalogQueryRepository {
    public func search(_ query: SearchQuery, scope: LibraryScope, pages: SearchPages) async throws -> SearchResults {
        let filter = Scope(scope)
        guard scope?.isEmpty != true else { return SearchResults(artists: [], albums: [], tracks: []) }
        // Corrections are looked for (over the whole vocabulary) only when a word is long enough
        // to have any and a kind asked for has fewer matches than its page: search as you type,
        // whose prefixes match plenty, never needs them. The vocabulary kept for this catalog
        // lets the one read look for them as soon as a kind falls short; without it (the catalog
        // changed since it was read) the read stops there, the vocabulary is read, and the search
        // runs again.
        let correctable = query.clauses.contains {
            $0.word.map { SearchVocabulary.allowedEdits($0.utf8.count) > 0 } ?? false
        }
        let version = try quick.catalogVersion()
        let kept = correctable ? vocabularies.kept(version: version) : nil
        if let results = try await pool.read({ db in
            try Self.results(query, filter, pages, vocabulary: kept, correctable: correctable, db)
        }) {
            return results
        }
        let vocabulary = try await vocabularies.current(pool.raw, version: version)
        return try await pool.read { db in
            try Self.results(query, filter, pages, vocabulary: vocabulary, correctable: correctable, db)
        } ?? SearchResults(artists: [], albums: [], tracks: [])
    }

    /// The results of `query`: the words as typed, and, when a word is `correctable` and a kind
    /// asked for has fewer matches as typed than its page, the words' corrections from
    /// `vocabulary` too; nil when they would be needed and there is no vocabulary.
    private static func results(
        _ query: SearchQuery, _ filter: Scope, _ pages: SearchPages, vocabulary: SearchVocabulary?,
        correctable: Bool, _ db: Database
    ) throws -> SearchResults? {
        let asTyped = SearchPlan(query: query, corrections: [:])
        // Over the whole catalog, a prefix many names start with is one lookup of its best names
        // (`SearchPrefixes`), while they were built from the search tables as they are.
        let kept = filter.libraryIDs == nil ? asTyped.keptPrefix : nil
        let current = try kept != nil && SearchPrefixes.isCurrent(db)
        // One count per kind serves both questions: are there so many matches that only the first
        // names starting with the words are ranked, and do the words as typed leave room on the
        // page for corrected ones (only then are corrected words looked for). One or two letters
        // list names starting with them whatever the count, and have no corrections.
        /// A kind asked for: its page, and how it is answered.
        struct Asked {
            var kind: SearchPlan.Kind
            var page: Page
            /// Nothing to find (composers, when no track credits one).
            var none = false
            /// The kept list of its best names (`SearchPrefixes`).
            var best: [Int64]?
            /// Its matches as typed over the whole catalog, up to what the questions need; nil
            /// when not counted.
            var count: Int?
            /// More matches than are ranked whole.
            var broad = false
        }
        var short = false
        var asked: [Asked] = []
        for (kind, page) in [
            (SearchPlan.Kind.artist, pages.artists), (.album, pages.albums), (.track, pages.tracks),
            (.composer, pages.composers),
        ] {
            var entry = Asked(kind: kind, page: page)
            let wanted = page.offset + page.limit
            if kind == .composer, page.limit > 0, try !hasComposers(db) {
                entry.none = true
            } else if current, let kept, page.limit > 0, let best = try SearchPrefixes.lookup(kind, kept, db),
                wanted <= best.count || best.count < SearchPrefixes.kept
            {
                entry.best = best
            } else {
                let ranked =
                    asTyped.isPrefixOnly && !asTyped.isShortPrefix || asTyped.isSingleCharacter
                    ? SearchPlan.rankedAtMost + 1 : 0
                let enough = max(correctable ? wanted : 0, ranked)
                if enough > 0, page.limit > 0 {
                    let count = try asTyped.count(kind, upTo: enough, db)
                    if count < wanted { short = true }
                    entry.count = count
                    entry.broad = ranked > 0 && count > SearchPlan.rankedAtMost
                }
            }
            asked.append(entry)
        }
        var corrections: [String: [String]] = [:]
        if short, correctable {
            guard let vocabulary else { return nil }
            for word in Set(query.clauses.compactMap(\.word)) {
                let found = vocabulary.corrections(of: word)
                if !found.isEmpty { corrections[word] = found }
            }
        }
        let plan = SearchPlan(query: query, corrections: corrections)
        let corrected = !corrections.isEmpty
        let statements = asked.map { asked -> SQL in
            if asked.none { return "SELECT * FROM artist WHERE FALSE" }
            if let best = asked.best { return plan.sql(asked.kind, best: best, asked.page) }
            let wanted = asked.page.offset + asked.page.limit
            return plan.sql(
                asked.kind, filter, asked.page, corrected: corrected && (asked.count ?? 0) < wanted,
                broad: asked.broad, asTyped: asked.count != 0)
        }
        var results = SearchResults(
            artists: try artists(db, statements[0]), albums: try albums(db, statements[1]),
            tracks: try tracks(db, statements[2]), composers: try artists(db, statements[3]))
        // "Did you mean" only when the words as typed find nothing the caller may see, and the
        // suggestion finds something they may: the vocabulary is the whole catalog's, and a
        // word from a library they cannot open is not theirs to be told about. Counted at none
        // over the whole catalog, they find none within the caller's libraries either.
        let noneAsTyped = asked.prefix(3).allSatisfy { $0.count == 0 }
        // Over the whole catalog, words alone (nothing outside the text index: no field, year or
        // exclusion) that a kind counted or kept names for are found; they are not looked for again.
        let foundAsTyped =
            filter.libraryIDs == nil && asTyped.isPrefixOnly
            && asked.prefix(3).contains { ($0.count ?? 0) > 0 || $0.best?.isEmpty == false }
        if corrected, try noneAsTyped || !(foundAsTyped || plan.finds(filter, db)),
            let suggested = plan.suggested(vocabulary),
            try SearchPlan(query: suggested, corrections: [:]).finds(filter, db)
        {
            results.didYouMean = SearchPlan.text(of: suggested)
        }
        return results
    }

    /// Whether any track credits a composer (one look into their index): a catalog without any
    /// answers the composers kind without walking every artist that matches.
    static func hasComposers(_ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM track_artist WHERE role = 'composer')")) ?? false
    }

    /// SQLite's `hex()` of a text: its UTF-8 bytes in upper-case hexadecimal.
    static func hex(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(text.utf8.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}

/// The catalog's vocabulary, read from the search tables' word lists when the catalog has
/// changed since it was last read, and shared by every search until then.
final class SearchVocabularies: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: (version: Int, vocabulary: SearchVocabulary)?
    private var building = false

    /// The vocabulary of catalog `version` when it has been read already; nil otherwise.
    func kept(version: Int) -> SearchVocabulary? {
        lock.withLock { kept?.version == version ? kept?.vocabulary : nil }
    }

    /// The vocabulary of catalog `version` (read from `QuickReader.catalogVersion()`).
    func current(_ pool: DatabasePool, version: Int) async throws -> SearchVocabulary {
        let (held, build) = lock.withLock { () -> (SearchVocabulary?, Bool) in
            if let kept, kept.version == version { return (kept.vocabulary, false) }
            // While one search reads the new words, the others use the last ones.
            if building, let kept { return (kept.vocabulary, false) }
            building = true
            return (nil, true)
        }
        if let held, !build { return held }
        defer { lock.withLock { building = false } }
        let vocabulary = try await pool.read { db in
            var counts: [String: Int] = [:]
            for table in ["artist_vocab", "album_vocab", "track_vocab"] {
                let rows = try Row.fetchCursor(db, sql: "SELECT term, doc FROM \(table)")
                while let row = try rows.next() {
                    let term: String = row[0]
                    counts[term, default: 0] += row[1]
                }
            }
            return SearchVocabulary(words: counts.lazy.map { ($0.key, $0.value) })
        }
        lock.withLock { kept = (version, vocabulary) }
        return vocabulary
    }
}

/// A parsed query as SQL for each kind: the whole-word matches first, then prefix matches,
/// then matches through corrected words; within each, bm25 with field weights (title above
/// artist above album), then the household's plays and stars, then the order rows came in.
struct SearchPlan {
    /// Artists, albums, tracks, composers: the kinds `SearchPrefixes` keeps lists of.
    typealias Kind = SearchPrefixes.Kind

    let query: SearchQuery
    let corrections: [String: [String]]

    private struct Table {
        var name: String
        var fts: String
        var weights: String
        /// The columns each field is looked for in; a field missing here empties the kind.
        var columns: [SearchQuery.Field?: String]
        var years: String?
        var popularity: String
    }

    private func table(_ kind: Kind) -> Table {
        let stars = { (id: String) in
            "5 * (SELECT count(*) FROM annotation WHERE item_id = \(id) AND starred_at IS NOT NULL)"
        }
        switch kind {
        case .artist, .composer:
            return Table(
                name: "artist", fts: "artist_fts", weights: "", columns: [nil: "{name}", .artist: "{name}"],
                popularity: """
                    COALESCE((SELECT plays FROM stat_house_item_total WHERE kind = 'a' AND item = artist.id), 0)
                        + \(stars("artist.id"))
                    """)
        case .album:
            return Table(
                name: "album", fts: "album_fts", weights: ", 10.0, 3.0",
                columns: [
                    nil: "{title album_artist_name}", .artist: "{album_artist_name}", .album: "{title}",
                    .genre: "",
                ], years: "album.year",
                popularity: """
                    COALESCE((SELECT plays FROM stat_house_item_total WHERE kind = 'l' AND item = album.id), 0)
                        + \(stars("album.id"))
                    """)
        case .track:
            return Table(
                name: "track", fts: "track_fts", weights: ", 10.0, 4.0, 2.0, 1.0, 0.0",
                columns: [
                    nil: "{title artist_name album album_artist_name}", .artist: "{artist_name album_artist_name}",
                    .album: "{album}", .genre: "",
                ], years: "track.year", popularity: "track.play_count + \(stars("track.id"))")
        }
    }

    /// The FTS5 expression of the query's required clauses for `table` (nil when none needs the
    /// text index); `tier` 0 whole words, 1 prefixes, 2 with corrections, 3 prefixes with the
    /// first at the start of a name.
    /// `original` false leaves a corrected word out of its own alternatives (tier 2), keeping
    /// only its corrections.
    private func match(
        _ table: Table, tier: Int, _ filter: CatalogQueryRepository.Scope, original: Bool = true
    ) -> String? {
        var terms: [String] = []
        for clause in query.clauses where clause.field != .genre {
            guard let columns = table.columns[clause.field] else { return nil }
            var alternatives = [Self.phrase(clause.tokens, prefix: tier > 0 && clause.prefix)]
            if tier == 3, terms.isEmpty { alternatives = ["^ " + alternatives[0]] }
            if tier == 2, let word = clause.word, let corrected = corrections[word], !corrected.isEmpty {
                if !original { alternatives = [] }
                alternatives += corrected.map { Self.phrase([$0], prefix: false) }
            }
            let expression = "\(columns) : (\(alternatives.joined(separator: " OR ")))"
            terms.append(clause.excluded ? "NOT \(expression)" : expression)
        }
        // FTS5's NOT joins two expressions: the excluded ones follow the required ones.
        let required = terms.filter { !$0.hasPrefix("NOT ") }
        guard !required.isEmpty else { return nil }
        var expression =
            required.joined(separator: " AND ") + " " + terms.filter { $0.hasPrefix("NOT ") }.joined(separator: " ")
        if table.name == "track", let libraries = filter.libraryIDs {
            expression =
                "(\(expression)) AND library_key : (\(libraries.map { "\"\(CatalogQueryRepository.hex($0))\"" }.joined(separator: " OR ")))"
        }
        return expression
    }

    private static func phrase(_ tokens: [String], prefix: Bool) -> String {
        "\"\(tokens.joined(separator: " ").replacing("\"", with: "\"\""))\"" + (prefix ? "*" : "")
    }

    /// Whether the kind can answer the query at all (a field it lacks empties it).
    private func answers(_ table: Table) -> Bool {
        query.clauses.allSatisfy { table.columns[$0.field] != nil } && (query.years == nil || table.years != nil)
    }

    /// The conditions outside the text index: years, genres, the scope, composers.
    private func conditions(_ kind: Kind, _ table: Table, _ filter: CatalogQueryRepository.Scope) -> [SQL] {
        var parts: [SQL] = []
        // The whole catalog needs no condition (and so no read of each match's row).
        let scoped = filter.libraryIDs != nil
        switch kind {
        case .artist: if scoped { parts.append(filter.artists()) }
        case .composer:
            if scoped { parts.append(filter.artists()) }
            // A list built once from the composer credits' own index, then looked up in memory.
            parts.append("artist.id IN (SELECT artist_id FROM track_artist WHERE role = 'composer')")
        case .album: if scoped { parts.append(filter.albums()) }
        case .track: if match(table, tier: 1, filter) == nil { parts.append(filter.tracks()) }
        }
        if let years = query.years, let column = table.years {
            parts.append("\(sql: column) BETWEEN \(years.lowerBound) AND \(years.upperBound)")
        }
        for clause in query.clauses where clause.field == .genre {
            let genres: SQL = """
                SELECT track_genre.track_id FROM track_genre JOIN genre ON genre.id = track_genre.genre_id
                WHERE instr(' ' || canto_search_text(genre.name) || ' ', \(" " + clause.tokens.joined(separator: " ") + " ")) > 0
                """
            let held: SQL =
                kind == .track
                ? "track.id IN (\(genres))"
                : "EXISTS (SELECT 1 FROM track AS genred WHERE genred.album_id = album.id AND genred.id IN (\(genres)))"
            parts.append(clause.excluded ? "NOT \(held)" : held)
        }
        if let excluded = excludedOnly(table) { parts.append(excluded) }
        return parts
    }

    /// Excluded words when nothing is required in the text index (`-live year:1990-1999`).
    private func excludedOnly(_ table: Table) -> SQL? {
        guard match(table, tier: 1, .init(nil)) == nil else { return nil }
        let excluded = query.clauses.filter { $0.excluded && $0.field != .genre }
        guard !excluded.isEmpty else { return nil }
        let expression = excluded.compactMap { clause in
            table.columns[clause.field].map { "\($0) : \(Self.phrase(clause.tokens, prefix: false))" }
        }.joined(separator: " OR ")
        return
            "\(sql: table.name).rowid NOT IN (SELECT rowid FROM \(sql: table.fts) WHERE \(sql: table.fts) MATCH \(expression))"
    }

    /// Words only, the last one maybe unfinished (what search as you type sends).
    var isPrefixOnly: Bool {
        query.years == nil && !query.clauses.isEmpty && query.clauses.allSatisfy { $0.field == nil && !$0.excluded }
            && query.clauses.last?.prefix == true
    }

    /// One character of a spaceless script (Han, kana, Hangul), and nothing else: the first
    /// keystroke of search as you type in Japanese, say. Thousands of names hold one, so it is
    /// ranked as a prefix is, at most `rankedAtMost` of its matches: ranking every match cost
    /// 40–70 ms for one kana at a million tracks.
    var isSingleCharacter: Bool {
        guard query.years == nil, query.clauses.count == 1, let clause = query.clauses.first else { return false }
        return clause.field == nil && !clause.excluded && clause.tokens.count == 1
            && SearchText.isSpaceless(clause.tokens[0])
    }

    /// One or two letters, and nothing else: names that start with them, in the order they came,
    /// read until the page is full (ranking every word that starts with "a" would read most of a
    /// big catalog on every first keystroke).
    var isShortPrefix: Bool {
        isPrefixOnly && query.clauses.allSatisfy { $0.prefix && $0.tokens[0].utf8.count <= 2 }
    }

    /// The one word of search as you type, when `SearchPrefixes` may keep its best names.
    var keptPrefix: String? {
        guard isPrefixOnly, query.clauses.count == 1, query.clauses[0].tokens.count == 1 else { return nil }
        let token = query.clauses[0].tokens[0]
        return token.count <= SearchPrefixes.longest ? token : nil
    }

    /// The page of `best` (rowids of the kind's table, best first), in that order. The rowids
    /// are arguments: the statement is kept for the next page of as many.
    func sql(_ kind: Kind, best: [Int64], _ page: Page) -> SQL {
        let name = SQL(sql: table(kind).name)
        // A negative start or count is read as zero, as `CatalogQueryRepository.page` reads it.
        let rows = best.dropFirst(max(page.offset, 0)).prefix(max(page.limit, 0))
        guard !rows.isEmpty else { return "SELECT * FROM \(name) WHERE FALSE" }
        let values: [SQL] = rows.enumerated().map { "(\($0.offset), \($0.element))" }
        return """
            WITH best(position, hit) AS (VALUES \(values.joined(separator: ", ")))
            SELECT \(name).* FROM best JOIN \(name) ON \(name).rowid = best.hit ORDER BY best.position
            """
    }

    /// The most matches of a kind a prefix search ranks whole; a prefix matching more (say "mel"
    /// in a million tracks) ranks the first this many names that start with it instead (or takes
    /// its best names from `SearchPrefixes`).
    static let rankedAtMost = 64

    /// The most matches of corrected words search as you type ranks.
    static let correctedAtMost = 256

    /// How many items of the kind the words as typed match, counted up to `limit`.
    func count(_ kind: Kind, upTo limit: Int, _ db: Database) throws -> Int {
        let table = table(kind)
        guard answers(table), let prefix = match(table, tier: 1, .init(nil)) else { return 0 }
        let fts = SQL(sql: table.fts)
        let sql: SQL = "SELECT count(*) FROM (SELECT 1 FROM \(fts) WHERE \(fts) MATCH \(prefix) LIMIT \(limit))"
        return try SQLRequest<Int>(literal: sql, cached: true).fetchOne(db) ?? 0
    }

    /// The page of `kind` the plan finds within `filter`: `corrected` with the words' corrections
    /// too, `broad` ranking only the first names that start with the words (more match than are
    /// ranked whole), `asTyped` false when the words as typed are known to match nothing (counted
    /// over the whole catalog), so only their corrections are looked for.
    func sql(
        _ kind: Kind, _ filter: CatalogQueryRepository.Scope, _ page: Page, corrected: Bool = true, broad: Bool = false,
        asTyped: Bool = true
    ) -> SQL {
        let table = table(kind)
        let limit = CatalogQueryRepository.page(offset: page.offset, limit: page.limit)
        let name = SQL(sql: table.name)
        guard page.limit > 0, answers(table) else { return "SELECT * FROM \(name) WHERE FALSE" }
        let parts = conditions(kind, table, filter)
        let condition: SQL = parts.isEmpty ? "TRUE" : parts.map { "(\($0))" }.joined(separator: " AND ")
        let sortColumn = SQL(sql: table.name == "artist" ? "sort_name" : "sort_title")
        guard let prefix = match(table, tier: 1, filter) else {
            return "SELECT * FROM \(name) WHERE \(condition) ORDER BY \(sortColumn), rowid \(limit)"
        }
        let fts = SQL(sql: table.fts)
        if isShortPrefix, let initial = match(table, tier: 3, filter) {
            return """
                SELECT \(name).* FROM \(fts) JOIN \(name) ON \(name).rowid = \(fts).rowid
                WHERE \(fts) MATCH \(initial) AND \(condition) ORDER BY \(fts).rowid \(limit)
                """
        }
        let bm25 = SQL(sql: "bm25(\(table.fts)\(table.weights))")
        var tiers: SQL
        var joined: SQL = parts.isEmpty ? "" : "JOIN \(name) ON \(name).rowid = hits.hit WHERE \(condition)"
        // One character of a spaceless script is found inside names, and few names start with
        // it: its first matches are ranked.
        if broad, let initial = match(table, tier: isSingleCharacter ? 1 : 3, filter) {
            // More matches than are ranked: the first `rankedAtMost` names that start with the
            // words (in the order they came, within the caller's scope) are ranked, no more.
            let scoped: SQL = parts.isEmpty ? "" : "JOIN \(name) ON \(name).rowid = \(fts).rowid AND \(condition)"
            tiers = """
                SELECT \(fts).rowid AS hit, 0 AS tier, \(bm25) AS score FROM \(fts) \(scoped)
                WHERE \(fts) MATCH \(initial) LIMIT \(Self.rankedAtMost)
                """
            joined = ""
        } else {
            // Words that match nothing as typed are not looked for again: a prefix's full-text
            // lookup can cost a millisecond even when nothing starts with it (at a million
            // tracks, 1.3 ms for "aajy*" against 0.01 ms for "bajy*"). One word is then looked
            // for through its corrections alone.
            let single = query.clauses.count == 1
            var withCorrections: String?
            if corrected, !corrections.isEmpty,
                let expression = match(table, tier: 2, filter, original: asTyped || !single),
                expression != prefix
            {
                withCorrections = expression
            }
            // Each tier's matches, its columns named (the first of a UNION names them); a bound
            // one in a subquery of its own, so its LIMIT is its own.
            var ranked: [SQL] = []
            func tier(_ number: Int, _ expression: String, atMost bound: Int? = nil) {
                let matches: SQL =
                    "SELECT rowid AS hit, \(number) AS tier, \(bm25) AS score FROM \(fts) WHERE \(fts) MATCH \(expression)"
                ranked.append(bound.map { "SELECT * FROM (\(matches) LIMIT \($0))" } ?? matches)
            }
            if asTyped {
                let exact = match(table, tier: 0, filter) ?? prefix
                tier(0, exact)
                if prefix != exact { tier(1, prefix) }
            }
            if let withCorrections {
                // A corrected word can be a common one: search as you type ranks only the first
                // `correctedAtMost` of its matches (a whole catalog's would be ranked otherwise).
                tier(2, withCorrections, atMost: isPrefixOnly ? Self.correctedAtMost : nil)
            }
            guard !ranked.isEmpty else { return "SELECT * FROM \(name) WHERE FALSE" }
            tiers = ranked.joined(separator: " UNION ALL ")
        }
        // Materialised, so bm25 runs inside each full-text scan (it cannot once flattened). Only
        // the rows that rank up to the page's last one by tier and score (and those tied with it)
        // are joined to their catalog rows for the popularity tie-break: a one-letter prefix
        // matches much of the catalog, and joining every match cost more than the search.
        let last = page.offset + page.limit - 1
        return """
            WITH hits AS MATERIALIZED (\(tiers)),
            found AS MATERIALIZED (
                SELECT hit, min(tier) AS tier, round(score, 1) AS score FROM hits \(joined) GROUP BY hit
            ),
            cut AS (SELECT tier, score FROM found ORDER BY tier, score LIMIT 1 OFFSET \(last))
            SELECT \(name).* FROM found JOIN \(name) ON \(name).rowid = found.hit
            WHERE NOT EXISTS (SELECT 1 FROM cut) OR (found.tier, found.score) <= (SELECT tier, score FROM cut)
            ORDER BY found.tier, found.score, \(SQL(sql: table.popularity)) DESC, found.hit \(limit)
            """
    }

    /// Whether the words as typed find any artist, album or track within `filter`.
    func finds(_ filter: CatalogQueryRepository.Scope, _ db: Database) throws -> Bool {
        for kind in [Kind.artist, .album, .track] {
            let table = table(kind)
            guard answers(table), let prefix = match(table, tier: 1, filter) else { continue }
            let name = SQL(sql: table.name)
            let fts = SQL(sql: table.fts)
            let parts = conditions(kind, table, filter)
            let condition: SQL = parts.isEmpty ? "TRUE" : parts.map { "(\($0))" }.joined(separator: " AND ")
            let sql: SQL = """
                SELECT 1 FROM \(fts) JOIN \(name) ON \(name).rowid = \(fts).rowid
                WHERE \(fts) MATCH \(prefix) AND \(condition) LIMIT 1
                """
            if try SQLRequest<Int>(literal: sql, cached: true).fetchOne(db) != nil { return true }
        }
        return false
    }

    /// The query with each corrected word replaced by its best correction (nil when no word is
    /// corrected: a word the catalog holds as typed is kept).
    func suggested(_ vocabulary: SearchVocabulary?) -> SearchQuery? {
        var changed = false
        var query = query
        for index in query.clauses.indices {
            guard let word = query.clauses[index].word, let best = corrections[word]?.first,
                vocabulary?.contains(word) != true
            else { continue }
            changed = true
            query.clauses[index].tokens = [best]
            query.clauses[index].prefix = false
        }
        return changed ? query : nil
    }

    /// A query written back as text in the search syntax.
    static func text(of query: SearchQuery) -> String {
        var text = query.clauses.map { clause in
            let term = SearchText.Term(tokens: clause.tokens).text
            let words = term.contains(" ") ? "\"\(term)\"" : term
            return (clause.excluded ? "-" : "") + (clause.field.map { "\($0.rawValue):" } ?? "") + words
        }.joined(separator: " ")
        if let years = query.years {
            text += years.count == 1 ? " year:\(years.lowerBound)" : " year:\(years.lowerBound)-\(years.upperBound)"
        }
        return text
    }
}
