import CantoCore
import CantoDomain
import CantoMedia
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
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

    /// An index too big to keep whole but small enough compressed (a 1 MB budget keeps 102 artists
    /// whole; here 160): kept gzip-compressed once per format, sent as it is to a client that
    /// accepts gzip and inflated for one that does not, the same bytes as the index built whole.
    @Test(.timeLimit(.minutes(3))) func aCompressedIndexIsTheIndexBuiltWhole() async throws {
        let music = try TemporaryDirectory(prefix: "canto-index-kept")
        let clip = music.url.appendingPathComponent("clip.mp3")
        try AudioClip(seconds: 1, frequency: 440).encode(.mp3, to: clip, metadata: [:])
        let names = Self.artists + (Self.artists.count..<160).map { "Artist \($0) Ø" }
        func add(_ name: String, number: Int, to library: URL) throws {
            let folder = library.appendingPathComponent("a\(number)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("1.mp3")
            try FileManager.default.copyItem(at: clip, to: file)
            try TagReader.write(
                path: file.path,
                fields: [
                    "TITLE": ["Song \(number)"], "ARTIST": [name], "ALBUMARTIST": [name], "ALBUM": ["Album \(number)"],
                ])
        }
        let open = music.url.appendingPathComponent("open")
        let hidden = music.url.appendingPathComponent("hidden")
        for (number, name) in names.enumerated() {
            try add(name, number: number, to: number.isMultiple(of: 3) ? hidden : open)
        }
        let whole = try await InProcessServer.start(music: [open, hidden])
        let kept = try await InProcessServer.start(environment: ["CANTO_CACHE_MEMORY_MB": "1"], music: [open, hidden])
        func callers(_ server: InProcessServer) async throws -> [InProcessServer.Caller] {
            let library = try #require(await server.services.catalog.libraries().first { $0.path == open.path })
            return [try await server.addUser("ann"), try await server.addUser("bo", libraries: [library.id])]
        }
        let wholeCallers = try await callers(whole)
        let keptCallers = try await callers(kept)

        struct Sent: Sendable {
            var status: HTTPResponse.Status
            var headers: HTTPFields
            var bytes: [UInt8]
        }
        func get(_ server: InProcessServer, _ uri: String, _ headers: [HTTPField.Name: String] = [:]) async throws
            -> Sent
        {
            var request = HTTPFields()
            for (name, value) in headers { request[name] = value }
            let fields = request
            return try await server.withClient { client in
                try await client.client.execute(uri: uri, method: .get, headers: fields, body: nil) { response in
                    Sent(
                        status: response.status, headers: response.headers,
                        bytes: Array(response.body.readableBytesView))
                }
            }
        }
        func uri(_ caller: InProcessServer.Caller, _ format: String) -> String {
            "/rest/getArtists?apiKey=\(caller.apiKey)&v=1.16.1&c=tests&f=\(format)"
        }

        for (wholeCaller, keptCaller) in zip(wholeCallers, keptCallers) {
            for format in ["json", "xml", "jsonp&callback=cb"] {
                let built = try await get(whole, uri(wholeCaller, format))
                let plain = try await get(kept, uri(keptCaller, format))
                let asked = uri(keptCaller, format)
                let zipped = try await get(kept, asked, [.acceptEncoding: "br;q=1.0, gzip;q=0.8"])
                let refused = try await get(kept, uri(keptCaller, format), [.acceptEncoding: "gzip;q=0, *"])
                #expect(built.status == .ok && plain.status == .ok && zipped.status == .ok)
                #expect(plain.bytes == built.bytes, "\(format): inflated on the way, the bytes built whole")
                #expect(
                    plain.headers[.contentEncoding] == nil && plain.headers[.contentLength] == "\(built.bytes.count)")
                #expect(refused.headers[.contentEncoding] == nil && refused.bytes == built.bytes)
                #expect(plain.headers[.vary] == "Accept-Encoding")
                if format.hasPrefix("jsonp") {
                    #expect(zipped.headers[.contentEncoding] == nil && zipped.bytes == built.bytes)
                    continue
                }
                #expect(zipped.headers[.contentEncoding] == "gzip")
                #expect(try Self.gunzip(zipped.bytes) == built.bytes, "\(format): the kept gzip bytes")
                #expect(zipped.bytes.count * 2 < built.bytes.count)
                // Each form its own tag; a repeat naming it is a 304 with no body.
                let tags = (plain: try #require(plain.headers[.eTag]), zipped: try #require(zipped.headers[.eTag]))
                #expect(tags.plain != tags.zipped)
                let again = try await get(
                    kept, uri(keptCaller, format), [.acceptEncoding: "gzip", .ifNoneMatch: tags.zipped])
                #expect(again.status == .notModified && again.bytes.isEmpty)
                let plainAgain = try await get(kept, uri(keptCaller, format), [.ifNoneMatch: tags.plain])
                #expect(plainAgain.status == .notModified)
            }
        }

        // A new artist moves the catalog's version: the kept index is made again and holds it.
        let before = try await get(kept, uri(keptCallers[0], "json"), [.acceptEncoding: "gzip"])
        try add("Zz Newcomer", number: 999, to: open)
        _ = try await kept.services.scans.scanNow()
        let after = try await get(kept, uri(keptCallers[0], "json"), [.acceptEncoding: "gzip"])
        let text = String(decoding: try Self.gunzip(after.bytes), as: UTF8.self)
        #expect(text.contains("Zz Newcomer") && after.headers[.eTag] != before.headers[.eTag])
    }

    /// `bytes` inflated by the system's `gzip`, not by the server's own code.
    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let folder = try TemporaryDirectory(prefix: "canto-gunzip")
        let file = folder.url.appendingPathComponent("body.gz")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(output)
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
