import CantoCore
import CantoDomain
import CantoMedia
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// getArtists of a catalog too big for its cache is streamed from the database a page at a
/// time; the bytes are the same as the index built whole, in every format and scope.
@Suite("Artist index streaming", .serialized)
struct ArtistIndexStreamingTests {
    /// Artists whose initials test the grouping: "ı" and "i" both file under "I" with other
    /// initials between them, digits and punctuation under "#", articles dropped, other scripts.
    static let artists = [
        "ABBA", "Ice Nine", "ılık Rüzgar", "Zed", "123 Band", "!!!", "The Beatles", "Björk", "坂本龍一", "Ölen",
        "Жанна", "Aphex Twin",
    ]

    static func makeMusic(in root: URL) throws -> (open: URL, hidden: URL) {
        let open = root.appendingPathComponent("open")
        let hidden = root.appendingPathComponent("hidden")
        for (index, artist) in artists.enumerated() {
            let library = index.isMultiple(of: 3) ? hidden : open
            let folder = library.appendingPathComponent("a\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AudioClip(seconds: 1, frequency: 220 + 20 * index).encode(
                .mp3, to: folder.appendingPathComponent("1.mp3"),
                metadata: [
                    "title": "Song \(index)", "artist": artist, "album_artist": artist, "album": "Album \(index)",
                ])
        }
        return (open, hidden)
    }

    @Test(.timeLimit(.minutes(3))) func aStreamedIndexIsTheIndexBuiltWhole() async throws {
        let music = try TemporaryDirectory(prefix: "canto-index-music")
        let (open, hidden) = try Self.makeMusic(in: music.url)
        // The same folders twice: one server builds the index whole, one (no cache memory) streams it.
        let whole = try await InProcessServer.start(music: [open, hidden])
        let streamed = try await InProcessServer.start(
            environment: ["CANTO_CACHE_MEMORY_MB": "0"], music: [open, hidden])
        let openLibrary = try #require(try await whole.services.catalog.libraries().first { $0.path == open.path })
        let wholeCallers = (
            all: try await whole.addUser("ann"), limited: try await whole.addUser("bo", libraries: [openLibrary.id])
        )
        let streamedLibrary = try #require(
            try await streamed.services.catalog.libraries().first { $0.path == open.path })
        let streamedCallers = (
            all: try await streamed.addUser("ann"),
            limited: try await streamed.addUser("bo", libraries: [streamedLibrary.id])
        )

        func answers(_ server: InProcessServer, _ caller: InProcessServer.Caller) async throws -> [String: String] {
            let isStreamed = server.configuration.memoryBudget.totalBytes == 0
            return try await server.withClient { client in
                var bodies: [String: String] = [:]
                for format in ["json", "xml", "jsonp&callback=cb"] {
                    let answer = try await client.send(
                        .get, "/rest/getArtists?apiKey=\(caller.apiKey)&v=1.16.1&c=tests&f=\(format)")
                    #expect(answer.status == .ok)
                    bodies[format] = answer.body
                    if isStreamed {
                        #expect(answer.headers[.eTag] == nil, "a streamed answer is not gathered to be hashed")
                    } else {
                        #expect(answer.headers[.eTag] != nil)
                    }
                }
                return bodies
            }
        }
        for (wholeCaller, streamedCaller) in [
            (wholeCallers.all, streamedCallers.all), (wholeCallers.limited, streamedCallers.limited),
        ] {
            let built = try await answers(whole, wholeCaller)
            let sent = try await answers(streamed, streamedCaller)
            #expect(built == sent)
        }

        // What the index holds: letters in order, "ı" beside "i", articles dropped, nothing hidden from Bo.
        let index = try await whole.withClient { client in
            try await client.subsonic("getArtists", as: wholeCallers.all)
        }.subsonic
        let groups = ((index["artists"] as? [String: Any])?["index"] as? [[String: Any]]) ?? []
        let letters = groups.compactMap { $0["name"] as? String }
        #expect(letters == letters.sorted() && letters.first == "#")
        func names(_ letter: String) -> [String] {
            let group = groups.first { $0["name"] as? String == letter }
            return (group?["artist"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        #expect(names("I") == ["Ice Nine", "ılık Rüzgar"])
        #expect(Set(names("#")) == ["123 Band", "!!!"])
        #expect(names("B") == ["The Beatles", "Björk"] || names("B") == ["Björk", "The Beatles"])
        #expect(names("A") == ["ABBA", "Aphex Twin"])
        #expect(groups.flatMap { ($0["artist"] as? [[String: Any]]) ?? [] }.count == Self.artists.count)

        let limited = try await streamed.withClient { client in
            try await client.subsonic("getArtists", as: streamedCallers.limited)
        }.subsonic
        let seen = (((limited["artists"] as? [String: Any])?["index"] as? [[String: Any]]) ?? []).flatMap {
            (($0["artist"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        }
        let expected = Self.artists.enumerated().filter { !$0.offset.isMultiple(of: 3) }.map(\.element)
        #expect(Set(seen) == Set(expected))

        // Over a socket the streamed answer arrives whole (chunked) and ends: the same bytes.
        let direct = try await streamed.withClient { client in
            try await client.subsonic("getArtists", as: streamedCallers.all).body
        }
        let live = try await streamed.withLiveClient { client, _ in
            try await client.subsonic("getArtists", as: streamedCallers.all)
        }
        #expect(live.status == .ok && live.body == direct && live.headers[.contentLength] == nil)
    }

    /// Pages of one artist each read the same index as one page of all, and a page never
    /// repeats or skips an artist, even where a letter spans many pages.
    @Test func pagesOfAnySizeReadTheSameIndex() async throws {
        let music = try TemporaryDirectory(prefix: "canto-index-pages")
        let (open, hidden) = try Self.makeMusic(in: music.url)
        let server = try await InProcessServer.start(music: [open, hidden])
        let view = server.services.catalogs.view(for: server.admin)
        func read(_ size: Int) async throws -> [(String, [String])] {
            var pages: [(String, [String])] = []
            for try await page in view.artistIndex(pageSize: size) {
                pages.append((page.letter, page.artists.map(\.name)))
            }
            return pages
        }
        let one = try await read(1)
        let all = try await read(1_000)
        #expect(one.count == Self.artists.count)
        #expect(one.map(\.1).flatMap { $0 } == all.map(\.1).flatMap { $0 })
        #expect(one.map(\.0) == all.flatMap { page in page.1.map { _ in page.0 } })
        #expect(Set(one.flatMap(\.1)) == Set(Self.artists))
    }
}
