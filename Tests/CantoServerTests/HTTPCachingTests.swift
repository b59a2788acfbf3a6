import CantoCore
import CantoDomain
import CantoTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import CantoServer

/// Revalidation: catalog JSON of both APIs carries a strong `ETag` (a hash of the body) and
/// answers 304 with no body to a repeat with it; the tag moves when the catalog or the caller's
/// marks change, and differs between users whose answers differ. Covers and the web UI's
/// files carry their own tags and cache headers.
@Suite("HTTP caching")
struct HTTPCachingTests {
    typealias Client = InProcessServer.Client

    /// A GET that sends `tag` in `If-None-Match`.
    static func revalidate(_ client: Client, _ path: String, token: String, tag: String) async throws
        -> InProcessServer.Answer
    {
        try await client.send(.get, path, token: token, headers: ["If-None-Match": tag])
    }

    @Test func catalogJSONRevalidatesAndMovesWithTheCatalogAndTheCallersMarks() async throws {
        let server = try await InProcessServer.start()
        let anna = try await server.addUser("anna")
        let ben = try await server.addUser("ben")
        let (open, scans) = (server.open, server.services.scans)
        try await server.withClient { client in
            let albums = try await client.send(.get, "/api/v1/albums?sort=name&limit=60", token: anna.token)
            #expect(albums.status == .ok)
            #expect(albums.headers[.cacheControl] == "private, no-cache")
            let tag = try #require(albums.headers[.eTag])
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && !tag.hasPrefix("W/"), "a strong tag")

            // The same answer again: 304, no body, the same tag.
            let repeated = try await Self.revalidate(
                client, "/api/v1/albums?sort=name&limit=60", token: anna.token, tag: tag)
            #expect(repeated.status == .notModified)
            #expect(repeated.body.isEmpty)
            #expect(repeated.headers[.eTag] == tag)
            // A list of tags, one of them ours, matches too; another tag does not.
            let listed = try await Self.revalidate(
                client, "/api/v1/albums?sort=name&limit=60", token: anna.token, tag: "\"other\", \(tag)")
            #expect(listed.status == .notModified)
            let stale = try await Self.revalidate(
                client, "/api/v1/albums?sort=name&limit=60", token: anna.token, tag: "\"other\"")
            #expect(stale.status == .ok)
            #expect(stale.body == albums.body)

            // Every catalog answer of the native API is tagged.
            let album = try #require(albums.json["items"] as? [[String: Any]]).first?["id"] as? String
            let albumID = try #require(album)
            for path in [
                "/api/v1/artists?limit=100", "/api/v1/albums/\(albumID)", "/api/v1/genres", "/api/v1/search?q=open",
            ] {
                let answer = try await client.send(.get, path, token: anna.token)
                #expect(answer.status == .ok, "\(path)")
                let tag = try #require(answer.headers[.eTag], "\(path)")
                #expect(try await Self.revalidate(client, path, token: anna.token, tag: tag).status == .notModified)
            }

            // Anna stars the album: her list and album page change, Ben's do not.
            let page = "/api/v1/albums/\(albumID)"
            let annaPage = try #require(try await client.send(.get, page, token: anna.token).headers[.eTag])
            let benPage = try #require(try await client.send(.get, page, token: ben.token).headers[.eTag])
            #expect(annaPage == benPage, "the same answer, the same tag")
            let starred = try await client.send(
                .put, "/api/v1/me/annotations/\(albumID)", token: anna.token, json: ["kind": "album", "starred": true])
            #expect(starred.status == .ok, "\(starred.body)")
            let afterStar = try await Self.revalidate(client, page, token: anna.token, tag: annaPage)
            #expect(afterStar.status == .ok)
            let starredTag = try #require(afterStar.headers[.eTag])
            #expect(starredTag != annaPage)
            #expect(try await Self.revalidate(client, page, token: ben.token, tag: benPage).status == .notModified)
            #expect(try await client.send(.get, page, token: ben.token).headers[.eTag] != starredTag)
            let listAfterStar = try await Self.revalidate(
                client, "/api/v1/albums?sort=name&limit=60", token: anna.token, tag: tag)
            #expect(listAfterStar.status == .ok)

            // A rescan that adds an album changes the list for everyone.
            let benList = try #require(
                try await client.send(.get, "/api/v1/albums?sort=name&limit=60", token: ben.token).headers[.eTag])
            let folder = open.appendingPathComponent("Alpha Open/Second Light")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AudioClip(seconds: 1, frequency: 550).encode(
                .mp3, to: folder.appendingPathComponent("1 Dawn.mp3"),
                metadata: [
                    "title": "Dawn", "artist": "Alpha Open", "album_artist": "Alpha Open", "album": "Second Light",
                ])
            #expect(try await scans.scanNow().added == 1)
            let rescanned = try await Self.revalidate(
                client, "/api/v1/albums?sort=name&limit=60", token: ben.token, tag: benList)
            #expect(rescanned.status == .ok)
            #expect(rescanned.headers[.eTag] != benList)
            #expect(rescanned.body.contains("Second Light"))
        }
    }

    @Test func subsonicBrowsingRevalidates() async throws {
        let server = try await InProcessServer.start()
        let anna = try await server.addUser("anna")
        let ben = try await server.addUser("ben")
        try await server.withClient { client in
            let artists = try await client.subsonic("getArtists", as: anna)
            #expect(artists.status == .ok)
            #expect(artists.headers[.cacheControl] == "private, no-cache")
            let tag = try #require(artists.headers[.eTag])
            var again = try await client.subsonic("getArtists", [], as: anna)
            #expect(again.headers[.eTag] == tag, "a stable tag for the same answer")
            again = try await client.send(
                .get, "/rest/getArtists?apiKey=\(anna.apiKey)&v=1.16.1&c=tests&f=json",
                headers: ["If-None-Match": tag])
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)

            let list = try await client.subsonic("getAlbumList2", [("type", "alphabeticalByName")], as: anna)
            let albums = try #require((list.subsonic["albumList2"] as? [String: Any])?["album"] as? [[String: Any]])
            let albumID = try #require(albums.first?["id"] as? String)
            let query = "apiKey=\(anna.apiKey)&v=1.16.1&c=tests&f=json&id=\(albumID)"
            let album = try await client.send(.get, "/rest/getAlbum?\(query)")
            let albumTag = try #require(album.headers[.eTag])
            #expect(
                try await client.send(.get, "/rest/getAlbum?\(query)", headers: ["If-None-Match": albumTag]).status
                    == .notModified)
            // Stars change the answer (and its tag) for the one who starred, not for another user.
            let songID = try #require(
                (album.subsonic["album"] as? [String: Any]).flatMap { $0["song"] as? [[String: Any]] }?.first?["id"]
                    as? String)
            #expect(try await client.subsonic("star", [("id", songID)], as: anna).subsonicError == nil)
            let starred = try await client.send(.get, "/rest/getAlbum?\(query)", headers: ["If-None-Match": albumTag])
            #expect(starred.status == .ok)
            #expect(starred.headers[.eTag] != albumTag)
            let benTag = try await client.subsonic("getAlbum", [("id", albumID)], as: ben).headers[.eTag]
            #expect(benTag == albumTag)
            // XML answers are tagged as well; a stream or a write is not.
            let xml = try await client.send(.get, "/rest/getArtists?apiKey=\(anna.apiKey)&v=1.16.1&c=tests&f=xml")
            #expect(xml.headers[.eTag] != nil && xml.headers[.eTag] != tag)
            #expect(try await client.subsonic("ping", as: anna).headers[.eTag] == nil)
        }
    }

    @Test func coversAndTheWebUIsFilesCarryTagsAndCacheHeaders() async throws {
        let web = try TemporaryDirectory(prefix: "canto-web")
        try Data("<!doctype html><title>Canto</title>".utf8).write(to: web.appending("index.html"))
        try Data("export const x = 1;".utf8).write(to: web.appending("app.js"))
        let server = try await InProcessServer.start(environment: ["CANTO_SERVER_WEB_DIR": web.path])
        let anna = try await server.addUser("anna")
        try await server.withClient { client in
            let albums = try await client.send(.get, "/api/v1/albums?limit=1", token: anna.token)
            let albumID = try #require((albums.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            let path = "/api/v1/covers/\(albumID)?size=64"
            let cover = try await client.send(.get, path, token: anna.token)
            #expect(cover.status == .ok)
            #expect(cover.headers[.cacheControl] == "private, max-age=3600")
            let tag = try #require(cover.headers[.eTag])
            let repeated = try await Self.revalidate(client, path, token: anna.token, tag: tag)
            #expect(repeated.status == .notModified)
            #expect(repeated.body.isEmpty)
            let subsonic = try await client.subsonic("getCoverArt", [("id", albumID), ("size", "64")], as: anna)
            #expect(subsonic.headers[.eTag] == tag, "the same picture through either API")

            // An album's `coverArt` names its picture's content: that address is kept for good,
            // and it is the same picture as the album's own address shows.
            let all = try await client.send(.get, "/api/v1/albums?limit=500", token: anna.token)
            let items = try #require(all.json["items"] as? [[String: Any]])
            let pictured = try #require(items.first { $0["coverArt"] is String }, "no album with a cover")
            let artwork = try #require(pictured["coverArt"] as? String)
            let byAlbum = try await client.send(
                .get, "/api/v1/covers/\(try #require(pictured["id"] as? String))?size=64", token: anna.token)
            let byContent = try await client.send(.get, "/api/v1/covers/\(artwork)?size=64", token: anna.token)
            #expect(byContent.status == .ok)
            #expect(byContent.headers[.cacheControl] == "private, max-age=31536000, immutable")
            #expect(byAlbum.headers[.cacheControl] == "private, max-age=3600")
            #expect(byContent.headers[.eTag] == byAlbum.headers[.eTag])
            let subsonicByContent = try await client.subsonic("getCoverArt", [("id", artwork)], as: anna)
            #expect(subsonicByContent.headers[.cacheControl] == "private, max-age=31536000, immutable")

            for file in ["/", "/app.js"] {
                let first = try await client.send(.get, file)
                #expect(first.status == .ok, "\(file)")
                #expect(first.headers[.cacheControl] == "no-cache", "\(file)")
                #expect(first.headers[.lastModified] != nil, "\(file)")
                let fileTag = try #require(first.headers[.eTag], "\(file)")
                let again = try await client.send(.get, file, headers: ["If-None-Match": fileTag])
                #expect(again.status == .notModified, "\(file)")
                #expect(again.body.isEmpty, "\(file)")
            }
        }
    }
}
