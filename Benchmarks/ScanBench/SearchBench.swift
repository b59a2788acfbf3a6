import CantoCore
import CantoStore
import Foundation
import GRDB

/// `canto-bench search [--tracks 20000] [--judged FILE] [--write-judged]`: a catalog of T tracks
/// with names in several scripts (accents, Japanese, Korean, Cyrillic, full-width, punctuation)
/// written straight into SQLite through the real schema (so the search tables fold as in a scan);
/// then the judged query set — each query with the item it must find — run through the same
/// search the APIs use, reporting MRR@10 and recall@10 per category; then search as you type
/// (1–5 letter prefixes never asked before) and typo queries at concurrency 16, p50/p95/p99.
enum SearchBench {
    struct Judged {
        var category: String
        var kind: String
        var query: String
        var expected: String
    }

    static func run(tracks: Int, judgedPath: String, writeJudged: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("canto-bench-search-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try CantoDatabase(dataDirectory: directory)
        let started = ContinuousClock.now
        let catalog = try await database.pool.write { db in try SearchCatalog.write(db, tracks: tracks) }
        print(
            String(
                format: "catalog: %d tracks, %d albums, %d artists written in %.1f s", tracks, catalog.albums.count,
                catalog.artists.count, (ContinuousClock.now - started) / .seconds(1)))
        try await searchPrefixes(database)
        let queries = CatalogQueryRepository(database: database)
        if writeJudged {
            let judged = SearchCatalog.judgments(catalog)
            let text =
                "# category\tkind\tquery\texpected (canto-bench search --tracks \(tracks) --write-judged)\n"
                + judged.map { "\($0.category)\t\($0.kind)\t\($0.query)\t\($0.expected)" }.joined(separator: "\n")
                + "\n"
            try text.write(toFile: judgedPath, atomically: true, encoding: .utf8)
            print("wrote \(judged.count) judged queries to \(judgedPath)")
        }
        let judged = try String(contentsOfFile: judgedPath, encoding: .utf8).split(separator: "\n").compactMap {
            line -> Judged? in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return fields.count == 4
                ? Judged(category: fields[0], kind: fields[1], query: fields[2], expected: fields[3]) : nil
        }
        try await evaluate(judged, queries)
        try await latency(catalog, queries)
    }

    /// The search tables' segments merged and search as you type's best names per prefix built,
    /// as a scan's end does.
    static func searchPrefixes(_ database: CantoDatabase) async throws {
        let catalog = CatalogRepository(database: database)
        var started = ContinuousClock.now
        let steps = try await catalog.mergeSearchSegments()
        print(
            String(
                format: "search segments: merged in %d steps, %.1f s", steps,
                (ContinuousClock.now - started) / .seconds(1)))
        started = ContinuousClock.now
        let kept = try await catalog.refreshSearchPrefixes() ?? 0
        print(
            String(
                format: "search prefixes: %d kept in %.1f s", kept, (ContinuousClock.now - started) / .seconds(1)))
    }

    /// The search bench's catalog (`SearchCatalog`: a long tail of artists, 8 albums and 30
    /// artists a hundred tracks) written into the data folder `directory` for `canto serve`, with
    /// the catalog's words one a line in `words` (for queries no cache has seen).
    static func writeCatalog(into directory: URL, tracks: Int, words: String?) async throws {
        let database = try CantoDatabase(dataDirectory: directory)
        let started = ContinuousClock.now
        let catalog = try await database.pool.write { db in
            let written = try SearchCatalog.write(db, tracks: tracks)
            // What the scanner keeps on each album and artist, filled in once for the whole catalog.
            try db.execute(
                sql: """
                    UPDATE album SET track_count = (SELECT count(*) FROM track WHERE album_id = album.id),
                        duration_ms = (SELECT coalesce(sum(duration_ms), 0) FROM track WHERE album_id = album.id),
                        disc_count = 1;
                    UPDATE artist SET album_count = (SELECT count(*) FROM album WHERE album_artist_id = artist.id),
                        track_count = (SELECT count(*) FROM track_artist WHERE artist_id = artist.id);
                    """)
            return written
        }
        try await database.pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        print(
            String(
                format: "catalog: %d tracks, %d albums, %d artists written in %.1f s", tracks, catalog.albums.count,
                catalog.artists.count, (ContinuousClock.now - started) / .seconds(1)))
        try await searchPrefixes(database)
        if let words {
            try (catalog.words.joined(separator: "\n") + "\n").write(toFile: words, atomically: true, encoding: .utf8)
        }
    }

    static func evaluate(_ judged: [Judged], _ queries: CatalogQueryRepository) async throws {
        var byCategory: [String: (count: Int, reciprocal: Double, found: Int)] = [:]
        var misses: [String] = []
        let ten = Page(offset: 0, limit: 10)
        let none = Page(offset: 0, limit: 0)
        for item in judged {
            let pages = SearchPages(
                artists: item.kind == "artist" ? ten : none, albums: item.kind == "album" ? ten : none,
                tracks: item.kind == "track" ? ten : none)
            let results = try await queries.search(
                SearchQuery.parse(item.query, syntax: true), scope: nil, pages: pages)
            let names =
                item.kind == "artist"
                ? results.artists.map(\.name)
                : item.kind == "album" ? results.albums.map(\.title) : results.tracks.map(\.title)
            // A result with the same name as the one meant, once folded, is as right as it.
            let meant = SearchText.fold(item.expected)
            let rank = names.firstIndex { SearchText.fold($0) == meant }.map { $0 + 1 }
            var entry = byCategory[item.category, default: (0, 0, 0)]
            entry.count += 1
            if let rank {
                entry.reciprocal += 1 / Double(rank)
                entry.found += 1
            } else if misses.count < 12 {
                misses.append(
                    "\(item.category) \(item.kind) \"\(item.query)\" → \(item.expected); got \(names.prefix(3))")
            }
            byCategory[item.category] = entry
        }
        let total = byCategory.values.reduce((0, 0.0, 0)) { ($0.0 + $1.count, $0.1 + $1.reciprocal, $0.2 + $1.found) }
        print("judged queries: \(total.0)")
        print("category     queries  MRR@10  recall@10")
        for (category, entry) in byCategory.sorted(by: { $0.key < $1.key }) {
            print(
                String(
                    format: "%@ %7d  %6.3f  %9.3f", category.padding(toLength: 12, withPad: " ", startingAt: 0),
                    entry.count,
                    entry.reciprocal / Double(entry.count), Double(entry.found) / Double(entry.count)))
        }
        print(
            String(
                format: "%@ %7d  %6.3f  %9.3f", "all".padding(toLength: 12, withPad: " ", startingAt: 0), total.0,
                total.1 / Double(max(1, total.0)),
                Double(total.2) / Double(max(1, total.0))))
        for miss in misses { print("  missed: \(miss)") }
    }

    /// Search as you type and typo queries, each asked once, 16 at a time.
    static func latency(_ catalog: SearchCatalog.Written, _ queries: CatalogQueryRepository) async throws {
        var generator = SplitMix64(seed: 99)
        let words = Array(Set(catalog.words.filter { $0.count >= 5 && $0.allSatisfy(\.isASCII) })).sorted()
        var prefixes = Set<String>()
        while prefixes.count < 600, prefixes.count < words.count * 5 {
            let word = words[Int(generator.next() % UInt64(words.count))]
            prefixes.insert(String(word.prefix(1 + Int(generator.next() % 5))))
        }
        var typos: [String] = []
        for _ in 0..<300 {
            typos.append(SearchCatalog.typo(words[Int(generator.next() % UInt64(words.count))], &generator))
        }
        let eight = Page(offset: 0, limit: 8)
        let pages = SearchPages(artists: eight, albums: eight, tracks: eight, composers: eight)
        // Warm the vocabulary and the page cache once (as a running server has).
        _ = try await queries.search(SearchQuery.parse("warm", syntax: true), scope: nil, pages: pages)
        for (label, list) in [("search as you type (1–5 letters, unseen)", Array(prefixes)), ("typo queries", typos)] {
            let times = try await withThrowingTaskGroup(of: [Double].self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var times: [Double] = []
                        for (index, query) in list.enumerated() where index % 16 == worker {
                            let started = ContinuousClock.now
                            _ = try await queries.search(
                                SearchQuery.parse(query, syntax: true), scope: nil, pages: pages)
                            times.append((ContinuousClock.now - started) / .milliseconds(1))
                        }
                        return times
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }.sorted()
            }
            func at(_ q: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * q))] }
            print(
                String(
                    format: "%@, concurrency 16, %d queries: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                    label as NSString, times.count, at(0.5), at(0.95), at(0.99), times.last ?? 0))
        }
    }
}

/// The names of the search benchmark's catalog, from a seed: every run writes the same catalog.
enum SearchCatalog {
    struct Written {
        var artists: [String] = []
        var albums: [(title: String, artist: Int)] = []
        var tracks: [(title: String, album: Int)] = []
        var words: [String] = []
    }

    static let syllables = [
        "ka", "lo", "mi", "ra", "ven", "tor", "sa", "el", "dan", "ri", "mo", "na", "bel", "cor", "the", "lu", "vi",
        "an",
        "sel", "ma", "ro", "din", "ka", "zu", "per", "gal", "ien", "os", "tra", "fi", "qu", "har", "mel", "no", "dra",
    ]
    static let english = [
        "love", "night", "city", "heart", "blue", "summer", "fire", "dream", "river", "light", "home", "road", "rain",
        "golden", "silver", "shadow", "dance", "ocean", "winter", "paradise", "midnight", "stranger", "electric",
        "forever", "broken", "wild", "morning", "thunder", "garden", "mirror", "velvet", "echo", "storm", "hollow",
    ]
    static let kanji = Array("龍一坂本山田川花月風雪夜空星海光森島橋雨春夏秋冬愛心歌道")
    static let kana = Array("ありがとうさくらひかりなみだこころゆめそらうたはなびきみぼく")
    static let hangul = Array("사랑하늘별바다노래꿈빛마음")
    static let cyrillic = ["Звезда", "Ночь", "Город", "Любовь", "Река", "Кино", "Ветер", "Песня"]
    static let accents: [Character: [Character]] = [
        "a": ["á", "ä", "å", "æ"], "o": ["ó", "ö", "ø"], "e": ["é", "è", "ë"], "u": ["ú", "ü"], "i": ["í", "ı"],
        "s": ["ß"], "l": ["ł"], "c": ["ç"], "n": ["ñ"],
    ]

    static func word(_ generator: inout SplitMix64) -> String {
        if generator.next() % 3 == 0 { return english[Int(generator.next() % UInt64(english.count))] }
        let count = 2 + Int(generator.next() % 2)
        return (0..<count).map { _ in syllables[Int(generator.next() % UInt64(syllables.count))] }.joined()
    }

    static func pick<T>(_ list: [T], _ generator: inout SplitMix64) -> T {
        list[Int(generator.next() % UInt64(list.count))]
    }

    /// A name of `words` words in one of the catalog's scripts and styles.
    static func name(words: Int, _ generator: inout SplitMix64) -> String {
        let style = generator.next() % 100
        switch style {
        case 0..<6:
            return String((0..<(2 + Int(generator.next() % 3))).map { _ in pick(kanji, &generator) })
        case 6..<10:
            let kana = String((0..<(3 + Int(generator.next() % 4))).map { _ in pick(Self.kana, &generator) })
            // Half of them in katakana.
            return generator.next() % 2 == 0
                ? kana
                : String(String.UnicodeScalarView(kana.unicodeScalars.map { Unicode.Scalar($0.value + 0x60) ?? $0 }))
        case 10..<12:
            return String((0..<(2 + Int(generator.next() % 3))).map { _ in pick(hangul, &generator) })
        case 12..<15:
            return (0..<words).map { _ in pick(cyrillic, &generator) }.joined(separator: " ")
        default:
            var parts = (0..<words).map { _ in word(&generator).capitalized }
            if style < 27 {  // accented
                let index = Int(generator.next() % UInt64(parts.count))
                parts[index] = String(
                    parts[index].map { character in
                        guard let options = accents[character], generator.next() % 3 == 0 else { return character }
                        return pick(options, &generator)
                    })
            } else if style < 31, parts.count >= 2 {  // punctuation
                let mark = pick(["/", "!", "'", "."], &generator)
                return parts[0] + mark + parts[1...].joined(separator: " ")
            } else if style < 33 {
                return String(
                    String.UnicodeScalarView(
                        parts.joined(separator: " ").unicodeScalars.map { scalar in
                            (0x21...0x7E).contains(scalar.value)
                                ? Unicode.Scalar(scalar.value + 0xFEE0) ?? scalar : scalar
                        }))
            }
            return parts.joined(separator: " ")
        }
    }

    static func write(_ db: Database, tracks: Int) throws -> Written {
        var generator = SplitMix64(seed: 2026)
        var written = Written()
        let now = Date()
        try db.execute(sql: "INSERT INTO library (id, name, path) VALUES ('lib', 'Bench', '/music')")
        try db.execute(
            sql: "INSERT INTO folder (id, library_id, parent_id, path, name) VALUES ('f', 'lib', NULL, '', '')")
        let artistCount = max(1, tracks * 3 / 10)
        let albumCount = max(1, tracks * 8 / 100)
        let insertArtist = try db.makeStatement(sql: "INSERT INTO artist (id, name, sort_name) VALUES (?, ?, ?)")
        for index in 0..<artistCount {
            let name = name(words: 1 + Int(generator.next() % 3), &generator)
            written.artists.append(name)
            try insertArtist.execute(arguments: ["ar\(index)", name, name.lowercased()])
        }
        // A long tail: album artists drawn with a bias to the first ones.
        func artistIndex() -> Int {
            let u = Double(generator.next() % 1_000_000) / 1_000_000
            return min(artistCount - 1, Int(Double(artistCount) * u * u))
        }
        let insertAlbum = try db.makeStatement(
            sql: """
                INSERT INTO album (id, title, sort_title, album_artist_id, album_artist_name, year, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for index in 0..<albumCount {
            let title = name(words: 1 + Int(generator.next() % 3), &generator)
            let artist = artistIndex()
            written.albums.append((title, artist))
            try insertAlbum.execute(arguments: [
                "al\(index)", title, title.lowercased(), "ar\(artist)", written.artists[artist],
                1960 + Int(generator.next() % 65), now, now,
            ])
        }
        let insertTrack = try db.makeStatement(
            sql: """
                INSERT INTO track (id, library_id, folder_id, album_id, path, suffix, size, modified_at, content_hash,
                    title, sort_title, album, artist_name, album_artist_name, year, duration_ms, created_at, updated_at)
                VALUES (?, 'lib', 'f', ?, ?, 'flac', 1, ?, ?, ?, ?, ?, ?, ?, 2000, 240000, ?, ?)
                """)
        let insertCredit = try db.makeStatement(
            sql: "INSERT INTO track_artist (track_id, artist_id, role, position) VALUES (?, ?, 'artist', 0)")
        for index in 0..<tracks {
            let album = index % albumCount
            let (albumTitle, albumArtist) = written.albums[album]
            // Most tracks by the album artist; a fifth by a guest from the long tail.
            let artist = generator.next() % 5 == 0 ? artistIndex() : albumArtist
            let title = name(words: 1 + Int(generator.next() % 4), &generator)
            written.tracks.append((title, album))
            try insertTrack.execute(arguments: [
                "t\(index)", "al\(album)", "t\(index).flac", now, "h\(index)", title, title.lowercased(), albumTitle,
                written.artists[artist], written.artists[albumArtist], now, now,
            ])
            try insertCredit.execute(arguments: ["t\(index)", "ar\(artist)"])
        }
        var words = Set<String>()
        for name in written.artists + written.albums.map(\.title) + written.tracks.map(\.title) {
            for word in SearchText.indexForm(name).split(separator: " ") { words.insert(String(word)) }
        }
        written.words = words.sorted()
        return written
    }

    /// One edit that is not in the first letter: a swap, a deletion, an insertion or a
    /// substitution (two for words of 8 letters or more).
    static func typo(_ word: String, _ generator: inout SplitMix64) -> String {
        var letters = Array(word)
        let edits = SearchVocabulary.allowedEdits(letters.count)
        for _ in 0..<max(1, edits) {
            guard letters.count > 2 else { break }
            let at = 1 + Int(generator.next() % UInt64(letters.count - 2))
            switch generator.next() % 4 {
            case 0: letters.swapAt(at, at + 1)
            case 1: letters.remove(at: at)
            case 2: letters.insert(pick(Array("aeioulnrst"), &generator), at: at)
            default: letters[at] = pick(Array("aeioulnrst"), &generator)
            }
        }
        return String(letters)
    }

    /// The judged queries: for items with a name of their own in their kind, a query of each
    /// category and the item it must find.
    static func judgments(_ catalog: Written) -> [SearchBench.Judged] {
        var generator = SplitMix64(seed: 7)
        var judged: [SearchBench.Judged] = []
        var counts: [String: [String: Int]] = ["artist": [:], "album": [:], "track": [:]]
        for name in catalog.artists { counts["artist"]?[name, default: 0] += 1 }
        for album in catalog.albums { counts["album"]?[album.title, default: 0] += 1 }
        for track in catalog.tracks { counts["track"]?[track.title, default: 0] += 1 }
        func unique(_ kind: String, _ name: String) -> Bool { counts[kind]?[name] == 1 }
        let latin = { (name: String) in name.unicodeScalars.allSatisfy { $0.value < 0x250 } }
        let items: [(kind: String, name: String)] =
            catalog.artists.map { ("artist", $0) } + catalog.albums.map { ("album", $0.title) }
            + catalog.tracks.map { ("track", $0.title) }
        var taken: [String: Int] = [:]
        func add(_ category: String, _ kind: String, _ query: String, _ expected: String, limit: Int) {
            guard taken[category, default: 0] < limit, !query.isEmpty, query != expected || category == "exact"
            else { return }
            taken[category, default: 0] += 1
            judged.append(.init(category: category, kind: kind, query: query, expected: expected))
        }
        var order = Array(items.indices)
        for index in order.indices.reversed() {
            order.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        for index in order {
            let (kind, name) = items[index]
            guard unique(kind, name) else { continue }
            let words = name.split(separator: " ").map(String.init)
            let folded = SearchText.fold(name)
            if latin(name), !name.contains(where: { "/!'.".contains($0) }), folded == name.lowercased(),
                words.count >= 2
            {
                add("exact", kind, name, name, limit: 80)
                add(
                    "prefix", kind, words.dropLast().joined(separator: " ") + " " + words[words.count - 1].prefix(3),
                    name, limit: 80)
                if kind == "track", let album = catalog.tracks.first(where: { $0.title == name }),
                    latin(catalog.albums[album.album].title)
                {
                    let albumWord = catalog.albums[album.album].title.split(separator: " ").first.map(String.init) ?? ""
                    add("multifield", kind, "\(words[0]) \(albumWord)", name, limit: 60)
                }
            }
            if latin(name), let long = words.firstIndex(where: { $0.count >= 5 && $0.allSatisfy(\.isLetter) }) {
                var typo = words
                typo[long] = Self.typo(words[long], &generator)
                if SearchText.fold(typo[long]) != SearchText.fold(words[long]) {
                    add("typo", kind, typo.joined(separator: " "), name, limit: 80)
                }
            }
            if name.unicodeScalars.contains(where: { $0.value > 0x2E80 && $0.value < 0xFF00 }) {
                let characters = Array(name)
                if characters.count >= 3 {
                    add("nonlatin", kind, String(characters[1...2]), name, limit: 90)
                }
            } else if name.unicodeScalars.contains(where: { $0.value >= 0xFF01 }) {
                add("nonlatin", kind, SearchText.fold(name), name, limit: 90)
            } else if name.unicodeScalars.contains(where: { (0x400...0x4FF).contains($0.value) }) {
                add("nonlatin", kind, name.lowercased(), name, limit: 90)
            }
            if let mark = name.firstIndex(where: { "/!'.".contains($0) }) {
                var without = name
                without.remove(at: mark)
                add("punctuation", kind, without, name, limit: 40)
            }
            if latin(name), folded != name.lowercased(), words.count >= 1 {
                add("accents", kind, folded, name, limit: 40)
            }
        }
        return judged
    }
}
