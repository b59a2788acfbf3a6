import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// The values that write their own JSON give what their `Encodable` conformance gives through the
/// response encoder: the same values, and (where no string needs escaping) the same bytes, keys in
/// the same order, so an `ETag` made from either is as stable.
@Suite struct JSONWritingTests {
    static let tricky = "quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul \u{00} 坂本 Björk </script> 🎵"

    static let albums = [
        Wire.AlbumItem(
            id: "al1", title: "Homogenic", artist: "Björk", artistId: "ar1", year: 1997, trackCount: 10, discCount: 1,
            durationMs: 2_622_000, compilation: false, coverArt: "cv1", genres: nil, starred: true, rating: 5),
        Wire.AlbumItem(
            id: "al2", title: tricky, artist: "", artistId: "ar2", year: nil, trackCount: 0, discCount: 2,
            durationMs: Int64.max, compilation: true, coverArt: nil, genres: ["Pop", tricky, ""], starred: false,
            rating: nil),
        Wire.AlbumItem(
            id: "al3", title: "Empty genres", artist: "Various Artists", artistId: "ar3", year: -1, trackCount: 1,
            discCount: 1, durationMs: -5, compilation: false, coverArt: "", genres: [], starred: false, rating: 0),
    ]

    static func encoded(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(value)
    }

    static func written(_ value: some JSONWritable) -> Data {
        var output = JSONOutput()
        value.writeJSON(into: &output)
        return Data(output.bytes)
    }

    @Test(arguments: [true, false])
    func aPageOfAlbumsIsWhatTheResponseEncoderWrites(more: Bool) throws {
        let pages = [
            Wire.Page(items: Self.albums, offset: 40, limit: 3, more: more),
            Wire.Page(items: Self.albums, offset: 0, limit: 60, more: more, total: 3),
            Wire.Page(items: [Wire.AlbumItem](), offset: 0, limit: 1, more: more),
        ]
        for page in pages {
            let written = try JSONSerialization.jsonObject(with: Self.written(page)) as? NSDictionary
            let encoded = try JSONSerialization.jsonObject(with: Self.encoded(page)) as? NSDictionary
            #expect(written != nil)
            #expect(written == encoded)
        }
    }

    @Test func withNothingToEscapeTheBytesAreTheResponseEncoders() throws {
        let page = Wire.Page(items: [Self.albums[0], Self.albums[2]], offset: 0, limit: 2, more: true, total: 7)
        #expect(
            String(decoding: Self.written(page), as: UTF8.self)
                == String(decoding: try Self.encoded(page), as: UTF8.self))
    }

    @Test func theAlbumGridAnswersWithTheWrittenJSON() async throws {
        let server = try await InProcessServer.start()
        let reader = try await server.addUser("grid")
        try await server.withClient { client in
            let answer = try await client.send(.get, "/api/v1/albums?sort=name&limit=2", token: reader.token)
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "application/json; charset=utf-8")
            #expect(answer.headers[.eTag] != nil)
            let page = answer.json
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(items.count == 2 && page["limit"] as? Int == 2 && page["offset"] as? Int == 0)
            #expect(items.allSatisfy { $0["id"] is String && $0["title"] is String && $0["starred"] is Bool })
        }
    }
}
