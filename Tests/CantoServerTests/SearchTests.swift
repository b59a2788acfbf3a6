import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// Search as listeners use it, through the native API and Subsonic's search3, over a library of
/// real tagged files: typos, every script, punctuation, every kind, ranking, query syntax.
@Suite struct SearchTests {
    struct Song {
        var artist: String
        var album: String
        var title: String
        var genre: String
        var year: Int
        var composer: String? = nil
    }

    static let songs: [Song] = [
        Song(artist: "Björk", album: "Homogenic", title: "Jóga", genre: "Electronic", year: 1997),
        Song(artist: "Björk", album: "Homogenic", title: "Hunter", genre: "Electronic", year: 1997),
        Song(artist: "Metallica", album: "Master of Puppets", title: "Battery", genre: "Metal", year: 1986),
        Song(artist: "Metallica", album: "Master of Puppets", title: "Orion", genre: "Metal", year: 1986),
        Song(artist: "The Beatles", album: "Abbey Road", title: "Come Together", genre: "Rock", year: 1969),
        Song(
            artist: "The Beatles", album: "Abbey Road", title: "Something", genre: "Rock", year: 1969,
            composer: "George Harrison"),
        Song(artist: "Radiohead", album: "OK Computer", title: "Airbag", genre: "Alternative", year: 1997),
        Song(artist: "Radiohead", album: "OK Computer", title: "Karma Police", genre: "Alternative", year: 1997),
        Song(artist: "Sigur Rós", album: "Takk...", title: "Hoppípolla", genre: "Post-Rock", year: 2005),
        Song(artist: "坂本龍一", album: "戦場のメリークリスマス", title: "Forbidden Colours", genre: "Soundtrack", year: 1983),
        Song(artist: "いきものがかり", album: "ハジマリノウタ", title: "心からありがとうございます", genre: "J-Pop", year: 2009),
        Song(artist: "いきものがかり", album: "ハジマリノウタ", title: "ヒカリ", genre: "J-Pop", year: 2009),
        Song(artist: "AC/DC", album: "Back in Black", title: "Hells Bells", genre: "Hard Rock", year: 1980),
        Song(artist: "P!nk", album: "Funhouse", title: "So What", genre: "Pop", year: 2008),
        Song(artist: "M83", album: "Hurry Up, We're Dreaming", title: "Midnight City", genre: "Electronic", year: 2011),
        Song(
            artist: "Guns N' Roses", album: "Appetite for Destruction", title: "Paradise City", genre: "Hard Rock",
            year: 1987),
        Song(
            artist: "Ｙｅｌｌｏｗ Ｍａｇｉｃ Ｏｒｃｈｅｓｔｒａ", album: "Solid State Survivor", title: "Rydeen",
            genre: "Electronic", year: 1979),
        Song(artist: "Mø", album: "Nordic Lights", title: "Die Straße", genre: "Pop", year: 2014),
        Song(artist: "Mø", album: "Nordic Lights", title: "Ætherial", genre: "Pop", year: 2014),
        Song(artist: "Mø", album: "Nordic Lights", title: "Øresund", genre: "Pop", year: 2014),
        Song(artist: "Mø", album: "Nordic Lights", title: "Łódź Nights", genre: "Pop", year: 2014),
        Song(artist: "Mø", album: "Nordic Lights", title: "Kırmızı", genre: "Pop", year: 2014),
        Song(artist: "Orion Quartet", album: "Evening", title: "Blue Hour", genre: "Jazz", year: 2001),
        Song(artist: "Orion Quartet", album: "Evening", title: "The Hunt", genre: "Jazz", year: 2001),
        Song(artist: "Zed Band", album: "Orion Suite", title: "Part One", genre: "Jazz", year: 2002),
        Song(artist: "Zed Band", album: "Orion Suite", title: "Something", genre: "Jazz", year: 2002),
    ]

    /// The library, written once per test run (FFmpeg tags each file).
    static let library = SharedLibrary()

    actor SharedLibrary {
        private var folder: TemporaryDirectory?
        func url() throws -> URL {
            if let folder { return folder.url }
            let made = try TemporaryDirectory(prefix: "canto-search")
            for (index, song) in SearchTests.songs.enumerated() {
                let album = made.url.appendingPathComponent("\(index / 2)")
                try FileManager.default.createDirectory(at: album, withIntermediateDirectories: true)
                var tags = [
                    "title": song.title, "artist": song.artist, "album_artist": song.artist, "album": song.album,
                    "genre": song.genre, "date": "\(song.year)", "track": "\(index % 2 + 1)",
                ]
                if let composer = song.composer { tags["composer"] = composer }
                try AudioClip(seconds: 0.5, frequency: 220 + 10 * index).encode(
                    .mp3, to: album.appendingPathComponent("\(index).mp3"), metadata: tags)
            }
            folder = made
            return made.url
        }
    }

    static func server() async throws -> InProcessServer {
        let music = try await library.url()
        return try await InProcessServer.start(music: [music])
    }

    static func titles(_ answer: InProcessServer.Answer, _ kind: String, _ key: String = "title") -> [String] {
        (answer.json[kind] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
    }

    static func search(_ client: InProcessServer.Client, _ q: String, token: String, extra: String = "") async throws
        -> InProcessServer.Answer
    {
        let answer = try await client.send(
            .get, "/api/v1/search?q=\(InProcessServer.Client.escape(q))&limit=20\(extra)", token: token)
        #expect(answer.status == .ok, "\(q): \(answer.body)")
        return answer
    }

    /// search3's artist names and song titles.
    static func search3(_ client: InProcessServer.Client, _ q: String, as caller: InProcessServer.Caller)
        async throws -> (artists: [String], albums: [String], songs: [String])
    {
        let answer = try await client.subsonic("search3", [("query", q)], as: caller)
        let result = answer.subsonic["searchResult3"] as? [String: Any] ?? [:]
        func names(_ kind: String, _ key: String) -> [String] {
            (result[kind] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
        }
        return (names("artist", "name"), names("album", "name"), names("song", "title"))
    }

    @Test func typosScriptsAndPunctuationThroughBothAPIs() async throws {
        let server = try await Self.server()
        let ana = try await server.addUser("ana")
        try await server.withClient { client in
            // Typos: each finds the artist meant, through the native API and search3.
            let typos = [
                "bjrok": "Björk", "metalica": "Metallica", "beetles": "The Beatles", "radiohaed": "Radiohead",
                "sigur ross": "Sigur Rós",
            ]
            for (typo, meant) in typos {
                let native = try await Self.search(client, typo, token: ana.token)
                #expect(Self.titles(native, "artists", "name").first == meant, "\(typo): \(native.body)")
                #expect(try await Self.search3(client, typo, as: ana).artists.first == meant, "\(typo)")
            }
            // Nothing matched as typed: the native API offers the correction.
            let metalica = try await Self.search(client, "metalica", token: ana.token)
            #expect(metalica.json["didYouMean"] as? String == "metallica")
            #expect(try await Self.search(client, "metallica", token: ana.token).json["didYouMean"] == nil)
            // Too short to correct: three letters find nothing rather than anything.
            #expect(Self.titles(try await Self.search(client, "xyz", token: ana.token), "artists", "name") == [])

            // Every script: inside spaceless words, full width, kana either way, letters folded.
            let scripts: [(String, String, String)] = [
                ("龍一", "artists", "坂本龍一"), ("ありがとう", "tracks", "心からありがとうございます"),
                ("アリガトウ", "tracks", "心からありがとうございます"), ("ひかり", "tracks", "ヒカリ"),
                ("メリー", "albums", "戦場のメリークリスマス"), ("yellow magic", "artists", "Ｙｅｌｌｏｗ Ｍａｇｉｃ Ｏｒｃｈｅｓｔｒａ"),
                ("ＲＹＤＥＥＮ", "tracks", "Rydeen"), ("strasse", "tracks", "Die Straße"),
                ("aetherial", "tracks", "Ætherial"), ("oresund", "tracks", "Øresund"),
                ("lodz", "tracks", "Łódź Nights"),
                ("kirmizi", "tracks", "Kırmızı"), ("KIRMIZI", "tracks", "Kırmızı"), ("mø", "artists", "Mø"),
            ]
            for (query, kind, expected) in scripts {
                let answer = try await Self.search(client, query, token: ana.token)
                let found = Self.titles(answer, kind, kind == "artists" ? "name" : "title")
                #expect(found.first == expected, "\(query) → \(kind): \(found)")
                let sub = try await Self.search3(client, query, as: ana)
                #expect((sub.artists + sub.albums + sub.songs).contains(expected), "search3 \(query): \(sub)")
            }

            // Punctuation, with or without it.
            let punctuation = [
                "AC/DC": "AC/DC", "acdc": "AC/DC", "ac dc": "AC/DC", "P!nk": "P!nk", "pnk": "P!nk", "M83": "M83",
                "guns n roses": "Guns N' Roses", "Guns N' Roses": "Guns N' Roses", "sigur rós": "Sigur Rós",
            ]
            for (query, expected) in punctuation {
                let found = Self.titles(try await Self.search(client, query, token: ana.token), "artists", "name")
                #expect(found.first == expected, "\(query): \(found)")
                #expect(try await Self.search3(client, query, as: ana).artists.first == expected, "search3 \(query)")
            }
        }
    }

    @Test func everyKindRankedAndPaged() async throws {
        let server = try await Self.server()
        let ana = try await server.addUser("ana")
        let bo = try await server.addUser("bo")
        try await server.withClient { client in
            // Playlists: one's own and public ones, never another's private one. Asked before
            // they exist, the (kept) list is read again after each is made.
            #expect(Self.titles(try await Self.search(client, "orion", token: ana.token), "playlists", "name") == [])
            var publicMix = ""
            for (owner, name, isPublic) in [
                (ana, "Orion road trip", false), (bo, "Orion public mix", true), (bo, "Orion secret", false),
            ] {
                let made = try await client.send(
                    .post, "/api/v1/playlists", token: owner.token, json: ["name": name, "public": isPublic])
                #expect(made.status == .created, "\(made.body)")
                if name == "Orion public mix" { publicMix = made.json["id"] as? String ?? "" }
            }
            let orion = try await Self.search(client, "orion", token: ana.token)
            #expect(Set(Self.titles(orion, "playlists", "name")) == ["Orion road trip", "Orion public mix"])
            #expect(
                try await client.send(
                    .patch, "/api/v1/playlists/\(publicMix)", token: bo.token, json: ["name": "Orion open mix"]
                ).status == .ok)
            #expect(
                Set(Self.titles(try await Self.search(client, "orion", token: ana.token), "playlists", "name")) == [
                    "Orion road trip", "Orion open mix",
                ])
            // Field weights: a title match above an artist match above an album match.
            let ranked = Self.titles(orion, "tracks")
            #expect(ranked.first == "Orion", "\(ranked)")
            #expect(Set(ranked.dropFirst().prefix(2)) == ["Blue Hour", "The Hunt"], "\(ranked)")
            #expect(Set(ranked.dropFirst(3)) == ["Part One", "Something"], "\(ranked)")
            #expect(Self.titles(orion, "artists", "name") == ["Orion Quartet"])
            // The album title above the album by the artist of that name.
            #expect(Self.titles(orion, "albums") == ["Orion Suite", "Evening"])

            // Genres and composers are kinds of their own.
            let rock = try await Self.search(client, "rock", token: ana.token)
            #expect(Self.titles(rock, "genres", "name") == ["Rock", "Hard Rock", "Post-Rock"])
            let harrison = try await Self.search(client, "harrison", token: ana.token)
            #expect(Self.titles(harrison, "composers", "name") == ["George Harrison"])

            // Whole word above prefix above corrected.
            #expect(
                Self.titles(try await Self.search(client, "hunt", token: ana.token), "tracks") == [
                    "The Hunt", "Hunter",
                ])
            #expect(
                Self.titles(try await Self.search(client, "hunte", token: ana.token), "tracks") == [
                    "Hunter", "The Hunt",
                ])

            // Each kind pages on its own.
            let first = try await client.send(
                .get, "/api/v1/search?q=mo&kinds=tracks&limit=2", token: ana.token)
            let second = try await client.send(
                .get, "/api/v1/search?q=mo&kinds=tracks&limit=2&offset=2", token: ana.token)
            #expect(Self.titles(first, "tracks").count == 2)
            #expect(Self.titles(first, "artists", "name").isEmpty)
            #expect(Set(Self.titles(first, "tracks")).isDisjoint(with: Self.titles(second, "tracks")))
            #expect(
                try await client.send(.get, "/api/v1/search?q=mo&kinds=bogus", token: ana.token).status == .badRequest)
            let paged = try await client.subsonic(
                "search3", [("query", "mo"), ("songCount", "2"), ("songOffset", "2")], as: ana)
            let songs = (paged.subsonic["searchResult3"] as? [String: Any])?["song"] as? [[String: Any]] ?? []
            #expect(songs.compactMap { $0["title"] as? String } == Self.titles(second, "tracks"))
        }
    }

    @Test func querySyntaxNarrowsTheNativeSearch() async throws {
        let server = try await Self.server()
        let ana = try await server.addUser("ana")
        try await server.withClient { client in
            func tracks(_ q: String) async throws -> [String] {
                Self.titles(try await Self.search(client, q, token: ana.token), "tracks")
            }
            #expect(Set(try await tracks("artist:radiohead")) == ["Airbag", "Karma Police"])
            #expect(try await tracks("album:\"ok computer\" police") == ["Karma Police"])
            #expect(Set(try await tracks("genre:metal")) == ["Battery", "Orion"])
            #expect(Set(try await tracks("year:1990-1999")) == ["Jóga", "Hunter", "Airbag", "Karma Police"])
            #expect(Set(try await tracks("year:1997 artist:bjork")) == ["Jóga", "Hunter"])
            #expect(try await tracks("\"karma police\"") == ["Karma Police"])
            #expect(try await tracks("\"police karma\"") == [])
            #expect(try await tracks("radiohead -karma") == ["Airbag"])
            #expect(Set(try await tracks("genre:\"hard rock\" -bells")) == ["Paradise City"])
            // A field a kind lacks empties that kind; Subsonic apps' text has no syntax.
            let albums = try await Self.search(client, "album:homogenic", token: ana.token)
            #expect(Self.titles(albums, "artists", "name").isEmpty)
            #expect(Self.titles(albums, "albums") == ["Homogenic"])
            #expect(try await Self.search3(client, "artist:radiohead", as: ana).songs == [])
        }
    }

    /// A play leaves the catalog caches alone: the version stays, and getAlbum's playCount is
    /// each caller's own (the shared rendering for those who never played it).
    @Test func playsLeaveTheCatalogCachesAlone() async throws {
        let server = try await Self.server()
        let ana = try await server.addUser("ana")
        let bo = try await server.addUser("bo")
        let services = server.services
        try await server.withClient { client in
            let found = try await client.subsonic("search3", [("query", "orion"), ("songCount", "1")], as: ana)
            let song = try #require(
                ((found.subsonic["searchResult3"] as? [String: Any])?["song"] as? [[String: Any]])?.first)
            let id = try #require(song["id"] as? String)
            let album = try #require(song["albumId"] as? String)
            let before = try await services.catalog.catalogVersion()
            for _ in 0..<2 {
                let played = try await client.subsonic("scrobble", [("id", id), ("submission", "true")], as: ana)
                #expect(played.subsonicError == nil, "\(played.body)")
            }
            #expect(try await services.catalog.catalogVersion() == before)
            func plays(_ caller: InProcessServer.Caller) async throws -> Int? {
                let answer = try await client.subsonic("getAlbum", [("id", album)], as: caller)
                let songs = (answer.subsonic["album"] as? [String: Any])?["song"] as? [[String: Any]] ?? []
                let count = songs.first { $0["id"] as? String == id }?["playCount"] as? Int
                if count == nil { Issue.record("no playCount: \(answer.body)") }
                return count
            }
            #expect(try await plays(ana) == 2)
            #expect(try await plays(bo) == 0)
        }
    }

    /// "Did you mean" is offered from what the caller may open: a word only in a library a
    /// listener is not given is never suggested to them.
    @Test func didYouMeanStaysInTheCallersLibraries() async throws {
        let hidden = try TemporaryDirectory(prefix: "canto-search-hidden")
        try AudioClip(seconds: 0.5, frequency: 330).encode(
            .mp3, to: hidden.url.appendingPathComponent("q.mp3"),
            metadata: ["title": "Night Engine", "artist": "Quokkatron", "album": "Hidden Things", "track": "1"])
        let server = try await InProcessServer.start(music: [try await Self.library.url(), hidden.url])
        let libraries = try await server.services.catalog.libraries()
        let shared = try #require(libraries.first { !$0.path.hasSuffix(hidden.url.lastPathComponent) })
        let lina = try await server.addUser("lina", libraries: [shared.id])
        let max = try await server.addUser("max")
        try await server.withClient { client in
            let open = try await Self.search(client, "quokatron", token: max.token)
            #expect(open.json["didYouMean"] as? String == "quokkatron", "\(open.body)")
            #expect(Self.titles(open, "artists", "name") == ["Quokkatron"])
            let limited = try await Self.search(client, "quokatron", token: lina.token)
            #expect(limited.json["didYouMean"] == nil, "\(limited.body)")
            #expect(Self.titles(limited, "artists", "name") == [])
            #expect(Self.titles(limited, "tracks") == [])
            // Her own library's words are still suggested.
            let metalica = try await Self.search(client, "metalica", token: lina.token)
            #expect(metalica.json["didYouMean"] as? String == "metallica", "\(metalica.body)")
        }
    }
}
