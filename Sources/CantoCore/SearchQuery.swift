/// A search as a listener types it, parsed once for every kind searched.
///
/// With `syntax` (the web UI and the native API): `artist:`, `album:`, `genre:` name a field
/// (`artist:"sigur ros"` quotes a value with spaces), `year:1994` or `year:1990-1999` a range,
/// `"quoted words"` a phrase, `-word` or `-"some words"` excludes. Without it (Subsonic apps,
/// which send what the user typed) every character is text. Unquoted words match as whole
/// words and as prefixes of longer ones ("nig" finds "night"), for search as you type.
public struct SearchQuery: Sendable, Hashable {
    /// What a clause is looked for in.
    public enum Field: String, Sendable, Hashable {
        case artist, album, genre
    }

    /// One condition: a word (or a phrase) in any text field or in one field, or excluded.
    public struct Clause: Sendable, Hashable {
        public var field: Field?
        /// The folded tokens, matched next to each other when more than one.
        public var tokens: [String]
        /// Whether the last token may be the start of a longer word.
        public var prefix: Bool
        public var excluded: Bool

        /// The single word a typo could be corrected in, when the clause is one.
        public var word: String? {
            tokens.count == 1 && !SearchText.isSpaceless(tokens[0]) && !excluded ? tokens[0] : nil
        }
    }

    public var clauses: [Clause]
    public var years: ClosedRange<Int>?

    public init(clauses: [Clause], years: ClosedRange<Int>? = nil) {
        self.clauses = clauses
        self.years = years
    }

    /// Nothing to look for: every item matches (Subsonic's empty `search3` lists everything).
    public var isEmpty: Bool { clauses.isEmpty && years == nil }
    /// The clauses that must match.
    public var required: [Clause] { clauses.filter { !$0.excluded } }
    /// Whether any clause or the year range names a field.
    public var fields: Set<Field> { Set(clauses.compactMap(\.field)) }

    /// How well a short name (a playlist's, a genre's) answers the clauses without a field or
    /// with one of `fields`: 0 every clause as whole words, 1 with prefixes, nil not at all (a
    /// clause for another field, or an excluded one found, rules it out).
    public func tier(of name: String, fields: Set<Field> = []) -> Int? {
        guard years == nil, clauses.allSatisfy({ $0.field == nil || fields.contains($0.field ?? .genre) }) else {
            return nil
        }
        let tokens = SearchText.indexForm(name).split(separator: " ").map(String.init)
        func found(_ clause: Clause, prefix: Bool) -> Bool {
            guard clause.tokens.count <= tokens.count else { return false }
            for start in 0...(tokens.count - clause.tokens.count) {
                let window = tokens[start..<(start + clause.tokens.count)]
                if zip(window, clause.tokens).enumerated().allSatisfy({ index, pair in
                    pair.0 == pair.1 || (prefix && index == clause.tokens.count - 1 && pair.0.hasPrefix(pair.1))
                }) {
                    return true
                }
            }
            return false
        }
        guard !required.isEmpty, !clauses.contains(where: { $0.excluded && found($0, prefix: false) }) else {
            return nil
        }
        if required.allSatisfy({ found($0, prefix: false) }) { return 0 }
        return required.allSatisfy({ found($0, prefix: $0.prefix) }) ? 1 : nil
    }

    /// Parses `text`; see the type's description for the syntax.
    public static func parse(_ text: String, syntax: Bool) -> SearchQuery {
        guard syntax else {
            return SearchQuery(clauses: SearchText.queryTerms(text).map(Self.clause(field: nil, excluded: false)))
        }
        var query = SearchQuery(clauses: [])
        for piece in pieces(text) {
            var value = Substring(piece.text)
            var excluded = false
            var field: Field?
            if !piece.quoted, value.hasPrefix("-"), value.count > 1 {
                excluded = true
                value = value.dropFirst()
            }
            if let colon = value.firstIndex(of: ":") {
                let name = value[..<colon].lowercased()
                let rest = value[value.index(after: colon)...]
                if name == "year", let years = Self.years(String(rest)) {
                    query.years = years
                    continue
                }
                if let named = Field(rawValue: name) {
                    field = named
                    value = rest
                }
            }
            let quoted = piece.quoted || (value.hasPrefix("\"") && value.count > 1)
            let terms = SearchText.queryTerms(String(value))
            guard !terms.isEmpty else { continue }
            if quoted {
                query.clauses.append(
                    Clause(field: field, tokens: terms.flatMap(\.tokens), prefix: false, excluded: excluded))
            } else {
                query.clauses.append(contentsOf: terms.map(Self.clause(field: field, excluded: excluded)))
            }
        }
        return query
    }

    private static func clause(field: Field?, excluded: Bool) -> (SearchText.Term) -> Clause {
        { term in
            Clause(field: field, tokens: term.tokens, prefix: term.word != nil && !excluded, excluded: excluded)
        }
    }

    /// `1994` or `1990-1999` (in either order).
    static func years(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        switch bounds.count {
        case 1: return bounds[0].map { $0...$0 }
        case 2:
            guard let low = bounds[0], let high = bounds[1] else { return nil }
            return min(low, high)...max(low, high)
        default: return nil
        }
    }

    /// Whitespace-separated pieces; a double quote starts a piece that runs to the next one
    /// (`artist:"sigur ros"` is one piece).
    private static func pieces(_ text: String) -> [(text: String, quoted: Bool)] {
        var pieces: [(String, Bool)] = []
        var current = ""
        var quoted = false
        var inQuotes = false
        for character in text {
            if character == "\"" {
                if inQuotes {
                    pieces.append((current, true))
                    current = ""
                    inQuotes = false
                    quoted = false
                } else {
                    inQuotes = true
                    quoted = true
                }
            } else if character.isWhitespace, !inQuotes {
                if !current.isEmpty { pieces.append((current, quoted)) }
                current = ""
                quoted = false
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { pieces.append((current, quoted)) }
        return pieces
    }
}

/// The catalog's words, for correcting typos: a word is corrected to the most common words
/// within an edit distance that grows with its length (none up to 3 letters, 1 up to 5, then 2),
/// counting a swap of two neighbours as one edit. Only words that start with the same letter
/// (or whose first two letters are swapped), and whose length is within the allowed edits, are
/// compared: the words are kept by first letter and length.
public struct SearchVocabulary: Sendable {
    private let buckets: [Bucket: [Entry]]
    private let known: Set<String>

    /// A first letter and a length.
    private struct Bucket: Hashable, Sendable {
        var first: UInt8
        var length: Int
    }

    private struct Entry: Sendable {
        var word: [UInt8]
        var count: Int
        /// The word's letters as a set (`letters(of:)`).
        var letters: UInt32
    }

    /// The set of a word's bytes, each as bit `byte % 32`. An edit adds at most one letter to
    /// the set and takes at most one away (a swap neither), so two words whose sets differ by
    /// more than `k` letters either way are more than `k` edits apart; bytes sharing a bit can
    /// only make the sets look closer. Most of the vocabulary is set aside by this alone.
    static func letters(of word: [UInt8]) -> UInt32 {
        word.reduce(0) { $0 | 1 << UInt32($1 % 32) }
    }

    /// `words` are folded index tokens with how many items hold each.
    public init(words: some Sequence<(String, Int)>) {
        var buckets: [Bucket: [Entry]] = [:]
        var known = Set<String>()
        for (word, count) in words {
            let bytes = Array(word.utf8)
            guard bytes.count >= 3, bytes.allSatisfy({ $0 < 0x80 }) else { continue }
            buckets[Bucket(first: bytes[0], length: bytes.count), default: []].append(
                Entry(word: bytes, count: count, letters: Self.letters(of: bytes)))
            known.insert(word)
        }
        self.buckets = buckets
        self.known = known
    }

    /// How many words it holds.
    public var count: Int { known.count }

    /// Whether `word` is one of the catalog's words.
    public func contains(_ word: String) -> Bool { known.contains(word) }

    /// The edits allowed in a word of `length` letters.
    public static func allowedEdits(_ length: Int) -> Int {
        length <= 3 ? 0 : length <= 5 ? 1 : 2
    }

    /// Up to `limit` catalog words `word` may be a typo of, closest and most common first (never
    /// `word` itself).
    public func corrections(of word: String, limit: Int = 3) -> [String] {
        let bytes = Array(word.utf8)
        let edits = Self.allowedEdits(bytes.count)
        guard edits > 0, bytes.allSatisfy({ $0 < 0x80 }) else { return [] }
        var found: [(distance: Int, count: Int, word: [UInt8])] = []
        var rows = DistanceRows()
        let letters = Self.letters(of: bytes)
        func look(first: UInt8, where accept: (Entry) -> Bool) {
            for length in (bytes.count - edits)...(bytes.count + edits) {
                for entry in buckets[Bucket(first: first, length: length)] ?? [] {
                    guard (letters & ~entry.letters).nonzeroBitCount <= edits,
                        (entry.letters & ~letters).nonzeroBitCount <= edits, entry.word != bytes, accept(entry)
                    else { continue }
                    let distance =
                        edits == 1
                        ? Self.oneEdit(bytes, entry.word)
                        : Self.distance(bytes, entry.word, atMost: edits, rows: &rows)
                    if let distance { found.append((distance, entry.count, entry.word)) }
                }
            }
        }
        look(first: bytes[0]) { _ in true }
        if bytes.count > 1, bytes[1] != bytes[0] {
            look(first: bytes[1]) { $0.word.count > 1 && $0.word[1] == bytes[0] }
        }
        // Ties go to the word that sorts first: the words come in the order of a dictionary
        // built at each start (Swift seeds its hashing per process), and the order of ties would
        // otherwise pick other corrections from one run to the next.
        found.sort {
            ($0.distance, -$0.count) == ($1.distance, -$1.count)
                ? $0.word.lexicographicallyPrecedes($1.word) : ($0.distance, -$0.count) < ($1.distance, -$1.count)
        }
        return found.prefix(limit).map { String(decoding: $0.word, as: UTF8.self) }
    }

    /// The optimal-string-alignment distance between `a` and `b` (a swap of neighbours is one
    /// edit), or nil when it is more than `limit`.
    public static func distance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int) -> Int? {
        var rows = DistanceRows()
        return distance(a, b, atMost: limit, rows: &rows)
    }

    /// 1 when `a` and `b` are one edit apart (a letter changed, added or removed, or two
    /// neighbours swapped), else nil: `distance(a, b, atMost: 1)` for different words, in one
    /// pass instead of a table (the words of four or five letters search as you type corrects).
    public static func oneEdit(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard long.count - short.count <= 1, a != b else { return nil }
        var i = 0
        while i < short.count, short[i] == long[i] { i += 1 }
        if short.count == long.count {
            // The rest after one changed letter, or after two swapped neighbours, is the same.
            if short[(i + 1)...] == long[(i + 1)...] { return 1 }
            let swapped =
                i + 1 < short.count && short[i] == long[i + 1] && short[i + 1] == long[i]
                && short[(i + 2)...] == long[(i + 2)...]
            return swapped ? 1 : nil
        }
        // One letter more in `long`, at `i`.
        return short[i...] == long[(i + 1)...] ? 1 : nil
    }

    /// The three rows of the distance's table, kept from one comparison to the next: a
    /// correction compares a word with thousands of the vocabulary's.
    struct DistanceRows {
        var before: [Int] = []
        var previous: [Int] = []
        var current: [Int] = []
    }

    static func distance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int, rows: inout DistanceRows) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= limit ? max(a.count, b.count) : nil }
        let width = b.count + 1
        if rows.previous.count < width {
            rows = DistanceRows(
                before: [Int](repeating: 0, count: width), previous: [Int](repeating: 0, count: width),
                current: [Int](repeating: 0, count: width))
        }
        for j in 0..<width { rows.previous[j] = j }
        for i in 1...a.count {
            rows.current[0] = i
            var best = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(rows.previous[j] + 1, rows.current[j - 1] + 1, rows.previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, rows.before[j - 2] + 1)
                }
                rows.current[j] = value
                best = min(best, value)
            }
            if best > limit { return nil }
            swap(&rows.before, &rows.previous)
            swap(&rows.previous, &rows.current)
        }
        return rows.previous[b.count] <= limit ? rows.previous[b.count] : nil
    }
}
