import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct CatalogQuerySearchTests {
    typealias Fixture = CatalogQueryFixture
    static let all = Page(offset: 0, limit: 50)

    /// The names found for `query`: artists, albums and tracks.
    static func names(
        _ query: String, _ fixture: Fixture, scope: LibraryScope = nil, artists: Page = all, albums: Page = all,
        tracks: Page = all
    ) async throws -> (artists: [String], albums: [String], tracks: [String]) {
        let found = try await fixture.queries.search(
            query, scope: scope, artists: artists, albums: albums, tracks: tracks)
        return (found.artists.map(\.name), found.albums.map(\.title), found.tracks.map(\.title))
    }

    @Test func accentsAndCaseFoldInBothDirections() async throws {
        let fixture = try await Fixture()
        let bjork = try await Self.names("bjork", fixture)
        #expect(bjork.artists == ["Björk"])
        #expect(Set(bjork.albums) == ["Homogenic", "Vespertine"])
        #expect(Set(bjork.tracks) == ["Jóga", "Bachelorette", "Hunter", "Hidden Place", "Pagan Poetry"])

        let sigur = try await Self.names("sigur ros", fixture)
        #expect(sigur.artists == ["Sigur Rós"])
        #expect(sigur.albums == ["Takk..."])
        #expect(Set(sigur.tracks) == ["Hoppípolla", "Glósóli"])

        #expect(try await Self.names("CORACAO", fixture).albums == ["Coração Vagabundo"])
        #expect(try await Self.names("hoppipolla", fixture).tracks == ["Hoppípolla"])
        #expect(try await Self.names("GLÓSÓLI", fixture).tracks == ["Glósóli"])
        #expect(try await Self.names("坂本龍一", fixture).artists == ["坂本龍一"])
        #expect(try await Self.names("nothing like this", fixture) == ([], [], []))
    }

    /// Corrections keep the distance table's rows from one vocabulary word to the next, and check
    /// words of four and five letters in one pass: words of every length in turn get the
    /// corrections a fresh table per word (the definition) gives.
    /// Against a fresh table for every pair: over five letters (words that share most of their
    /// letters) and over twelve (most words are set aside by their letters before any table).
    @Test(arguments: ["abcde", "abcdefghijkl"])
    func correctionsAreTheWordsWithinTheAllowedEdits(alphabet: String) {
        var random = SplitMix64(seed: 19)
        let letters = Array(alphabet.utf8)
        var vocabulary: [String: Int] = [:]
        for _ in 0..<(letters.count == 5 ? 1_500 : 20_000) {
            let length = 3 + Int(random.next() % 8)
            let word = String(
                decoding: (0..<length).map { _ in letters[Int(random.next() % UInt64(letters.count))] }, as: UTF8.self)
            vocabulary[word, default: 0] += 1
        }
        let words = SearchVocabulary(words: vocabulary.map { ($0.key, $0.value) })
        /// Optimal string alignment with a whole fresh table.
        func reference(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
            for i in 0...a.count { d[i][0] = i }
            for j in 0...b.count { d[0][j] = j }
            for i in stride(from: 1, through: a.count, by: 1) {
                for j in stride(from: 1, through: b.count, by: 1) {
                    d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                    }
                }
            }
            return d[a.count][b.count]
        }
        var corrected = 0
        for query in vocabulary.keys.shuffled(using: &random).prefix(150) + ["abcdeabcde", "eeee", "abcd"] {
            let typed = Array(query.utf8)
            let edits = SearchVocabulary.allowedEdits(typed.count)
            let expected = vocabulary.compactMap { word, count -> (Int, Int, String)? in
                let bytes = Array(word.utf8)
                let sameStart = bytes[0] == typed[0] || (bytes[0] == typed[1] && bytes[1] == typed[0])
                guard word != query, sameStart else { return nil }
                let distance = reference(typed, bytes)
                return distance <= edits ? (distance, -count, word) : nil
            }
            let found = words.corrections(of: query, limit: 10_000)
            #expect(Set(found) == Set(expected.map(\.2)), "\(query)")
            // Closest, then most common, then the word that sorts first: the same in every run.
            #expect(found == expected.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.map(\.2), "\(query)")
            corrected += found.isEmpty ? 0 : 1
        }
        #expect(corrected > 50)
        // Words of four and five letters are checked in one pass, not with the table.
        for (a, b, expected) in [
            ("abcd", "abdc", 1), ("abcd", "bacd", 1), ("abcd", "abce", 1), ("abcd", "abc", 1), ("abcd", "xabcd", 1),
            ("abcd", "abxcd", 1), ("abcd", "badc", nil), ("abcd", "acbe", nil), ("abcd", "ab", nil),
            ("abcd", "abcd", nil), ("abcde", "abced", 1), ("abcde", "aebcd", nil),
        ] as [(String, String, Int?)] {
            #expect(SearchVocabulary.oneEdit(Array(a.utf8), Array(b.utf8)) == expected, "\(a) \(b)")
            let table = SearchVocabulary.distance(Array(a.utf8), Array(b.utf8), atMost: 1)
            #expect((table == 1 ? 1 : nil) == expected, "\(a) \(b)")
        }
    }

    @Test func everyWordIsAPrefixAndAllMustMatch() async throws {
        let fixture = try await Fixture()
        #expect(try await Self.names("bjö", fixture).artists == ["Björk"])
        #expect(try await Self.names("bj", fixture).artists == ["Björk"])
        #expect(try await Self.names("坂本", fixture).artists == ["坂本龍一"])
        #expect(try await Self.names("sig", fixture).artists == ["Sigur Rós"])
        // Both words must match: "love" alone finds two tracks, "love do" one.
        #expect(Set(try await Self.names("love", fixture).tracks) == ["Love Me Do", "Moonlight"])
        #expect(try await Self.names("love do", fixture).tracks == ["Love Me Do"])
        #expect(try await Self.names("merry lawr", fixture).albums == ["Merry Christmas Mr. Lawrence"])
        #expect(try await Self.names("merry bjork", fixture) == ([], [], []))
    }

    /// Words that match nothing as typed are found through their corrections. The first search
    /// reads the vocabulary after looking at the words as typed and searches again; the next
    /// has it at hand and corrects in the same read, where a word that matched nothing is looked
    /// for through its corrections alone. Both answer alike, "did you mean" included.
    @Test func aWordThatMatchesNothingIsFoundThroughItsCorrections() async throws {
        let fixture = try await Fixture()
        let all = Self.all
        for query in ["huntre", "pagan poerty", "poerty pagan", "merry poerty", "bjrok"] {
            let first = try await fixture.queries.search(query, scope: nil, artists: all, albums: all, tracks: all)
            let again = try await fixture.queries.search(query, scope: nil, artists: all, albums: all, tracks: all)
            #expect(first == again, "\(query)")
        }
        #expect(try await Self.names("huntre", fixture).tracks == ["Hunter"])
        #expect(try await Self.names("pagan poerty", fixture).tracks == ["Pagan Poetry"])
        #expect(try await Self.names("merry poerty", fixture).tracks == [])
        let bjrok = try await fixture.queries.search("bjrok", scope: nil, artists: all, albums: all, tracks: all)
        #expect(bjrok.artists.map(\.name) == ["Björk"])
        #expect(bjrok.didYouMean == "bjork")
    }

    /// One character of a spaceless script held by more names than are ranked whole is ranked
    /// among its first matches, found inside names (none here starts with it: the first names
    /// that start with it, as a Latin prefix is ranked, would be none).
    @Test func aCharacterInsideManyNamesIsFound() async throws {
        let songs = (1...70).map { number in
            Fixture.Song(
                title: "ありがとう \(number)", album: "歌集 \(number)", albumArtist: "Singer \(number)",
                artists: ["Singer \(number)"], year: 2000, genres: ["Pop"], seenAt: Double(number))
        }
        let fixture = try await Fixture(songs: songs)
        let found = try await Self.names("う", fixture, tracks: Page(offset: 0, limit: 8))
        #expect(found.tracks.count == 8)
        #expect(found.tracks.allSatisfy { $0.hasPrefix("ありがとう ") })
        // Two characters, a phrase inside the name, the same.
        #expect(try await Self.names("とう", fixture, tracks: Page(offset: 0, limit: 8)).tracks.count == 8)
    }

    @Test func aTitleMatchRanksAboveAWeakerMatch() async throws {
        let fixture = try await Fixture()
        // "Love Me Do" has the word in its title, "Moonlight" only on its album.
        #expect(try await Self.names("love", fixture).tracks == ["Love Me Do", "Moonlight"])
        // "Coração Vagabundo" the track carries it in its title and album, "Avarandado" on its album only.
        #expect(try await Self.names("coracao", fixture).tracks == ["Coração Vagabundo", "Avarandado"])
        // Forbidden Colours credits David Sylvian; Merry Christmas Mr. Lawrence names itself.
        #expect(try await Self.names("merry", fixture).tracks == ["Merry Christmas Mr. Lawrence", "Forbidden Colours"])
    }

    @Test(arguments: [
        "\"", "*", "AND (", "-x", "\"\"\"", "bj*rk", "NEAR(a b)", "title:hunter", "a\"b", "'", ")", "^hunter", "OR",
        "NOT", "{title}: x", "\u{0}", "💿", "\u{301}",
    ])
    func hostileQueriesAreSearchedAsText(query: String) async throws {
        let fixture = try await Fixture()
        _ = try await Self.names(query, fixture)
    }

    @Test func operatorsAndPunctuationAreWords() async throws {
        let fixture = try await Fixture()
        #expect(try await Self.names("title:hunter", fixture).tracks == [])
        #expect(try await Self.names("^hunter", fixture).tracks == ["Hunter"])
        #expect(try await Self.names("\"hunter\"", fixture).tracks == ["Hunter"])
        #expect(try await Self.names("hunter -bjork", fixture).tracks == ["Hunter"])
        #expect(try await Self.names("love OR hunter", fixture).tracks == [])
        #expect(try await Self.names("Mr. Lawrence", fixture).albums == ["Merry Christmas Mr. Lawrence"])
    }

    @Test(arguments: ["", "  ", "\"\"", "*"])
    func anEmptyQueryListsEverythingByNameInPages(query: String) async throws {
        let fixture = try await Fixture()
        let artists = try await fixture.catalog.artists().map(\.name)
        let everything = try await Self.names(query, fixture)
        #expect(everything.artists == artists)
        #expect(
            everything.albums == [
                "Coração Vagabundo", "Homogenic", "Love Songs", "Merry Christmas Mr. Lawrence", "Please", "Takk...",
                "Vespertine",
            ])
        #expect(everything.tracks.count == Fixture.songs.count)
        #expect(everything.tracks.prefix(3) == ["Avarandado", "Bachelorette", "Coração Vagabundo"])

        let page = Page(offset: 2, limit: 3)
        let paged = try await Self.names(query, fixture, artists: page, albums: page, tracks: page)
        #expect(paged.artists == Array(artists[2..<5]))
        #expect(paged.albums == Array(everything.albums[2..<5]))
        #expect(paged.tracks == Array(everything.tracks[2..<5]))
        let scoped = try await Self.names(query, fixture, scope: [Fixture.books])
        #expect(scoped == (["Björk"], ["Vespertine"], ["Hidden Place", "Pagan Poetry"]))
    }

    @Test func eachKindPagesOnItsOwn() async throws {
        let fixture = try await Fixture()
        let full = try await Self.names("bjork", fixture)
        let none = Page(offset: 0, limit: 0)
        let paged = try await Self.names(
            "bjork", fixture, artists: none, albums: Page(offset: 1, limit: 1), tracks: Page(offset: 3, limit: 5))
        #expect(paged.artists == [])
        #expect(paged.albums == [full.albums[1]])
        #expect(paged.tracks == Array(full.tracks[3...]))
        #expect(full.tracks.count == 5)
    }

    @Test func searchStaysInsideTheScope() async throws {
        let fixture = try await Fixture()
        let music = try await Self.names("bjork", fixture, scope: [Fixture.music])
        #expect(music.artists == ["Björk"])
        #expect(music.albums == ["Homogenic"])
        #expect(Set(music.tracks) == ["Jóga", "Bachelorette", "Hunter"])
        let books = try await Self.names("sigur", fixture, scope: [Fixture.books])
        #expect(books == ([], [], []))
        #expect(try await Self.names("bjork", fixture, scope: []) == ([], [], []))
    }

    @Test func searchFollowsRescansRenamesAndDeletions() async throws {
        let fixture = try await Fixture()
        var hunter = Fixture.write(Fixture.song("Hunter"))
        hunter.track.title = "Army of Me"
        var please = Fixture.song("Love Me Do")
        please.album = "Please Please Me"
        try await fixture.apply(
            [hunter, Fixture.write(please)], deleting: [Fixture.track("Bachelorette"), Fixture.track("Love Me Do")])

        #expect(try await Self.names("hunter", fixture).tracks == [])
        #expect(try await Self.names("army", fixture).tracks == ["Army of Me"])
        #expect(try await fixture.searchIsInStep())
        #expect(try await Self.names("bachelorette", fixture).tracks == [])
        #expect(
            Set(try await Self.names("bjork", fixture).tracks) == [
                "Jóga", "Army of Me", "Hidden Place", "Pagan Poetry",
            ])
        // The old album lost its only track and went at the end of the scan; the new one is found.
        #expect(try await Self.names("please", fixture).albums == ["Please Please Me"])

        // A removed library takes its tracks, albums and artists out of the search.
        try await fixture.catalog.syncLibraries([fixture.store.libraries[0]], source: "local")
        try await fixture.catalog.finishScan(libraries: [Fixture.music], at: TestAccounts.date(2_000))
        #expect(try await Self.names("vespertine", fixture) == ([], [], []))
        #expect(try await Self.names("hidden", fixture).tracks == [])
        #expect(try await Self.names("bjork", fixture).albums == ["Homogenic"])
        #expect(try await fixture.searchIsInStep())
    }

    @Test func anArtistLeavingTheCatalogLeavesTheSearch() async throws {
        let fixture = try await Fixture()
        #expect(try await fixture.searchIsInStep())
        #expect(try await Self.names("sylvian", fixture).artists == ["David Sylvian"])
        try await fixture.apply([], deleting: [Fixture.track("Forbidden Colours")])
        #expect(try await Self.names("sylvian", fixture) == ([], [], []))
        #expect(try await Self.names("lawrence", fixture).tracks == ["Merry Christmas Mr. Lawrence"])
        #expect(try await fixture.searchIsInStep())
    }

    /// Same words in the same fields: the household's plays, then stars, decide.
    @Test func householdPlaysAndStarsBreakTies() async throws {
        let songs = [
            Fixture.Song(
                title: "Something", album: "Abbey Road", albumArtist: "The Beatles", artists: ["The Beatles"],
                year: 1969, genres: ["Rock"], seenAt: 10),
            Fixture.Song(
                title: "Something", album: "Later", albumArtist: "Zed Band", artists: ["Zed Band"], year: 2002,
                genres: ["Jazz"], seenAt: 20),
        ]
        let fixture = try await Fixture(songs: songs)
        func order() async throws -> [String] {
            try await fixture.queries.search(
                "something", scope: nil, artists: Self.all, albums: Self.all, tracks: Self.all
            )
            .tracks.map(\.artistName)
        }
        let first = try await order()
        #expect(first.count == 2)
        let later = try #require(
            try await fixture.queries.search(
                "something", scope: nil, artists: Self.all, albums: Self.all, tracks: Self.all
            ).tracks.last)
        try await fixture.catalog.recordPlay(of: later.id)
        try await fixture.catalog.recordPlay(of: later.id)
        #expect(try await order() == first.reversed())
        // A star counts as five plays.
        let other = try #require(
            try await fixture.queries.search(
                "something", scope: nil, artists: Self.all, albums: Self.all, tracks: Self.all
            ).tracks.last)
        try await fixture.store.state.setStarred(
            true, item: other.id.rawValue, kind: .track, user: fixture.ana.id, at: TestAccounts.date(5))
        #expect(try await order() == first)
    }
}
