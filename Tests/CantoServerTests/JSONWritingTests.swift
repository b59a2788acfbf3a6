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

    static let search = Wire.SearchResult(
        artists: [
            Wire.ArtistItem(id: "ar1", name: "Björk", albumCount: 3, trackCount: 40, starred: true, rating: 4),
            Wire.ArtistItem(id: "ar2", name: tricky, albumCount: 0, trackCount: 0, starred: false, rating: nil),
        ],
        albums: albums,
        tracks: [
            Wire.TrackItem(
                id: "t1", title: "Jóga", album: "Homogenic", albumId: "al1", artist: "Björk", artistId: "ar1",
                albumArtist: "Björk", trackNumber: 3, discNumber: 1, discSubtitle: nil, durationMs: 305_000,
                year: 1997, suffix: "flac", bitRate: 1_411, coverArt: "cv1", starred: false, rating: nil,
                replayGain: Wire.ReplayGainItem(
                    trackGain: -7.25, trackPeak: 0.987654321, albumGain: -6.5, albumPeak: nil)),
            Wire.TrackItem(
                id: "t2", title: tricky, album: "", albumId: "al2", artist: tricky, artistId: nil, albumArtist: "",
                trackNumber: nil, discNumber: nil, discSubtitle: tricky, durationMs: 0, year: nil, suffix: "mp3",
                bitRate: 0, coverArt: nil, starred: true, rating: 1, replayGain: nil),
        ],
        composers: [], genres: [Wire.Genre(name: tricky, albumCount: 2, trackCount: 9)],
        playlists: [Wire.PlaylistHit(id: "p1", name: "Mix", ownerId: "u1", public: true, trackCount: 12)],
        didYouMean: "bjork")

    @Test func aSearchAnswerIsWhatTheResponseEncoderWrites() throws {
        var sparse = Self.search
        (sparse.composers, sparse.genres, sparse.playlists, sparse.didYouMean) = (nil, nil, nil, nil)
        for answer in [Self.search, sparse, Wire.SearchResult(artists: [], albums: [], tracks: [])] {
            let written = try JSONSerialization.jsonObject(with: Self.written(answer)) as? NSDictionary
            let encoded = try JSONSerialization.jsonObject(with: Self.encoded(answer)) as? NSDictionary
            #expect(written != nil)
            #expect(written == encoded)
        }
        // With nothing to escape, the same bytes.
        var plain = Self.search
        plain.artists.removeLast()
        plain.albums = [Self.albums[0]]
        plain.tracks.removeLast()
        plain.genres = []
        #expect(
            String(decoding: Self.written(plain), as: UTF8.self)
                == String(decoding: try Self.encoded(plain), as: UTF8.self))
    }

    @Test func aNumberJSONCannotHoldIsWrittenAsNull() throws {
        let gain = Wire.ReplayGainItem(trackGain: .nan, trackPeak: .infinity, albumGain: 1.5, albumPeak: nil)
        let written = try #require(try JSONSerialization.jsonObject(with: Self.written(gain)) as? [String: Any])
        #expect(written["trackGain"] is NSNull && written["trackPeak"] is NSNull)
        #expect(written["albumGain"] as? Double == 1.5 && written["albumPeak"] == nil)
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
