import CantoCore
import CantoDomain
import CantoStore
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// Through the Subsonic API, user B reaches none of user A's things: each attempt answers
/// error 50 or 70 and A's things stay as they were. Also the public share link's lifetime.
@Suite("Subsonic isolation and shares", .serialized)
struct SubsonicIsolationTests {
    struct Caller {
        let base: String
        let username: String
        let password: String

        func call(_ method: String, _ parameters: [(String, String)] = []) async throws -> [String: Any] {
            var items = [("u", username), ("p", password), ("v", "1.16.1"), ("c", "tests"), ("f", "json")] + parameters
            items = items.map { ($0.0, $0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1) }
            let query = items.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            let result = try await HTTP.get("\(base)/rest/\(method)?\(query)")
            #expect(result.status == 200)
            return result.json["subsonic-response"] as? [String: Any] ?? [:]
        }

        func errorCode(_ method: String, _ parameters: [(String, String)] = []) async throws -> Int? {
            let response = try await call(method, parameters)
            return (response["error"] as? [String: Any])?["code"] as? Int
        }
    }

    /// A user limited to no library sees no artist, album, song or cover through the ID3 calls
    /// and getCoverArt; given the library back, they see it all again (the artist index is
    /// cached per scope).
    @Test func libraryLimitsHoldInTheArtistIndexAndAlbums() async throws {
        let server = try await TestServer.start()
        let admin = try await server.setUpAdmin()
        let carolClient = try await server.addUser("carol", as: admin)
        let carol = Caller(base: server.base, username: "carol", password: "user-password-1")
        func indexCount() async throws -> Int {
            let artists = try await carol.call("getArtists")["artists"] as? [String: Any]
            return (artists?["index"] as? [[String: Any]])?.reduce(0) { $0 + (($1["artist"] as? [Any])?.count ?? 0) }
                ?? 0
        }
        let everything = try await indexCount()
        #expect(everything > 0)
        let list = try await carol.call("getAlbumList2", [("type", "newest"), ("size", "1")])
        let album = try #require(((list["albumList2"] as? [String: Any])?["album"] as? [[String: Any]])?.first)
        let albumID = try #require(album["id"] as? String)
        let artistID = try #require(album["artistId"] as? String)
        // Covers: by album, artist and the album's own cover ID, through Subsonic and the native API.
        let coverIDs = [albumID, artistID] + [album["coverArt"] as? String].compactMap { $0 }
        func coverStatuses() async throws -> [String] {
            var statuses: [String] = []
            for id in coverIDs {
                let subsonic = try await HTTP.get(
                    "\(server.base)/rest/getCoverArt?u=carol&p=user-password-1&v=1.16.1&c=t&f=json&id=\(id)&size=64")
                statuses.append(
                    subsonic.headers["content-type"]?.hasPrefix("image/") == true ? "image" : "error \(subsonic.body)")
                let native = try await carolClient.get("/api/v1/covers/\(id)?size=64")
                statuses.append(native.status == 200 ? "image" : "\(native.status)")
            }
            return statuses
        }
        #expect(try await coverStatuses().allSatisfy { $0 == "image" })

        let limit = try await admin.json(
            "PATCH", "/api/v1/admin/users/\(carolClient.userID)", ["libraryIds": [String]()])
        #expect(limit.status == 200, "\(limit.body)")
        #expect(try await indexCount() == 0)
        #expect(try await carol.errorCode("getAlbum", [("id", albumID)]) == 70)
        #expect(try await carol.errorCode("getArtist", [("id", artistID)]) == 70)
        let hidden = try await coverStatuses()
        #expect(hidden.count == coverIDs.count * 2)
        #expect(hidden.allSatisfy { $0.contains("\"code\":70") || $0 == "404" }, "\(hidden)")

        let restore = try await admin.json("PATCH", "/api/v1/admin/users/\(carolClient.userID)", ["allLibraries": true])
        #expect(restore.status == 200, "\(restore.body)")
        #expect(try await indexCount() == everything)
        #expect(try await carol.errorCode("getAlbum", [("id", albumID)]) == nil)
        #expect(try await coverStatuses().allSatisfy { $0 == "image" })
    }

    /// getAlbum and search3 answers are rendered once for everyone who sees every library; a
    /// caller's own plays, stars and ratings still show, to them alone, in XML and JSON.
    @Test func sharedRenderingsNeverCarryAnotherUsersStars() async throws {
        let server = try await TestServer.start()
        let admin = try await server.setUpAdmin()
        _ = try await server.addUser("ana", as: admin)
        _ = try await server.addUser("bob", as: admin)
        _ = try await server.trackIDs()
        let ana = Caller(base: server.base, username: "ana", password: "user-password-1")
        let bob = Caller(base: server.base, username: "bob", password: "user-password-1")
        let search = [("query", "homog")]
        func songs(_ caller: Caller, _ method: String, _ parameters: [(String, String)]) async throws -> [[String: Any]]
        {
            let response = try await caller.call(method, parameters)
            let holder = (response["album"] ?? response["searchResult3"]) as? [String: Any]
            return holder?["song"] as? [[String: Any]] ?? []
        }
        let found = try await songs(bob, "search3", search)
        let song = try #require(found.first)
        let songID = try #require(song["id"] as? String)
        let album = [("id", try #require(song["albumId"] as? String))]
        // Both render the shared answers first.
        for caller in [ana, bob] {
            #expect(try await songs(caller, "getAlbum", album).allSatisfy { $0["starred"] == nil })
            #expect(try await songs(caller, "search3", search).allSatisfy { $0["userRating"] == nil })
        }
        _ = try await ana.call("star", [("id", songID)])
        _ = try await ana.call("setRating", [("id", songID), ("rating", "4")])
        for method in ["getAlbum", "search3"] {
            let parameters = method == "getAlbum" ? album : search
            let mine = try #require(try await songs(ana, method, parameters).first { $0["id"] as? String == songID })
            #expect(mine["starred"] != nil && mine["userRating"] as? Int == 4, "\(method)")
            let theirs = try #require(try await songs(bob, method, parameters).first { $0["id"] as? String == songID })
            #expect(theirs["starred"] == nil && theirs["userRating"] == nil, "\(method)")
        }
        // XML: the shared rendering for Bob, Ana's own for her.
        let xml = { (caller: Caller) in
            try await HTTP.get(
                "\(server.base)/rest/getAlbum?u=\(caller.username)&p=\(caller.password)&v=1.16.1&c=t&id=\(album[0].1)")
        }
        #expect(try await xml(bob).body.contains("starred=") == false)
        #expect(try await xml(ana).body.contains("userRating=\"4\""))

        // A play of another song of the album: Ana's songs in it are her getSong answers, field for
        // field and in XML byte for byte (the shared songs with her plays, star and rating laid
        // over them); Bob's still show none of it.
        let others = try await songs(bob, "getAlbum", album).compactMap { $0["id"] as? String }.filter { $0 != songID }
        let played = try #require(others.first)
        _ = try await ana.call("scrobble", [("id", played), ("submission", "true")])
        let albumXML = try await xml(ana).body
        for id in [songID, played] {
            let inAlbum = try #require(try await songs(ana, "getAlbum", album).first { $0["id"] as? String == id })
            let alone = try #require(try await ana.call("getSong", [("id", id)])["song"] as? [String: Any])
            func text(_ object: [String: Any]) throws -> String {
                let data = try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
                return String(decoding: data, as: UTF8.self)
            }
            #expect(try text(inAlbum) == text(alone))
            let songXML = try await HTTP.get(
                "\(server.base)/rest/getSong?u=ana&p=user-password-1&v=1.16.1&c=t&id=\(id)"
            ).body
            let element = try #require(
                songXML.range(of: "<song ").map { songXML[$0.lowerBound...] }?.components(separatedBy: "</song>").first)
            #expect(albumXML.contains(element + "</song>"), "\(element)")
        }
        for (method, parameters) in [("getAlbum", album), ("search3", search)] {
            let found = try await songs(ana, method, parameters)
            let playedByAna = try #require(found.first { $0["id"] as? String == played }, "\(method)")
            #expect(playedByAna["playCount"] as? Int == 1, "\(method)")
            #expect(found.first { $0["id"] as? String == songID }?["userRating"] as? Int == 4, "\(method)")
            for song in try await songs(bob, method, parameters) {
                #expect(song["playCount"] as? Int == 0 && song["starred"] == nil && song["userRating"] == nil)
            }
        }
        _ = try await ana.call("unstar", [("id", songID)])
        _ = try await ana.call("setRating", [("id", songID), ("rating", "0")])
        let after = try #require(try await songs(ana, "getAlbum", album).first { $0["id"] as? String == songID })
        #expect(after["starred"] == nil && after["userRating"] == nil)
    }

    @Test func anotherUsersThingsAreOutOfReach() async throws {
        let server = try await TestServer.start()
        let admin = try await server.setUpAdmin()
        _ = try await server.addUser("alice", as: admin)
        _ = try await server.addUser("bob", as: admin)
        let tracks = try await server.trackIDs().map(\.rawValue)
        let alice = Caller(base: server.base, username: "alice", password: "user-password-1")
        let bob = Caller(base: server.base, username: "bob", password: "user-password-1")

        let created = try await alice.call("createPlaylist", [("name", "Alice's secret"), ("songId", tracks[0])])
        let playlist = try #require((created["playlist"] as? [String: Any])?["id"] as? String)
        let shared = try await alice.call("createShare", [("id", tracks[1]), ("description", "for friends")])
        let share = try #require(((shared["shares"] as? [String: Any])?["share"] as? [[String: Any]])?.first)
        let shareID = try #require(share["id"] as? String)
        _ = try await alice.call("createBookmark", [("id", tracks[2]), ("position", "1000")])
        _ = try await alice.call("savePlayQueue", [("id", tracks[3]), ("position", "5")])
        _ = try await alice.call("star", [("id", tracks[4])])

        let attempts: [(String, [(String, String)])] = [
            ("getPlaylist", [("id", playlist)]), ("updatePlaylist", [("playlistId", playlist), ("name", "mine")]),
            ("deletePlaylist", [("id", playlist)]),
            ("createPlaylist", [("playlistId", playlist), ("songId", tracks[5])]),
            ("updateShare", [("id", shareID), ("description", "mine")]), ("deleteShare", [("id", shareID)]),
            ("getUser", [("username", "alice")]), ("getUsers", []), ("deleteUser", [("username", "alice")]),
            ("updateUser", [("username", "alice"), ("adminRole", "true")]),
            ("changePassword", [("username", "alice"), ("password", "taken-over-1")]),
            ("createUser", [("username", "mallory"), ("password", "mallory-pass-1"), ("email", "m@example.org")]),
            ("startScan", []), ("createInternetRadioStation", [("name", "x"), ("streamUrl", "http://example.org/")]),
        ]
        for (method, parameters) in attempts {
            let code = try await bob.errorCode(method, parameters)
            #expect(code == 50 || code == 70, "\(method) gave \(code.map(String.init) ?? "success")")
        }
        // Bob's own views show nothing of Alice's.
        let playlists = try await bob.call("getPlaylists")
        #expect(((playlists["playlists"] as? [String: Any])?["playlist"] as? [Any])?.isEmpty == true)
        let bookmarks = try await bob.call("getBookmarks")
        #expect(((bookmarks["bookmarks"] as? [String: Any])?["bookmark"] as? [Any])?.isEmpty == true)
        let queue = try await bob.call("getPlayQueue")["playQueue"] as? [String: Any]
        #expect((queue?["entry"] as? [Any])?.isEmpty == true)
        let starred = try await bob.call("getStarred2")
        #expect(((starred["starred2"] as? [String: Any])?["song"] as? [Any])?.isEmpty == true)
        let shares = try await bob.call("getShares")
        #expect(((shares["shares"] as? [String: Any])?["share"] as? [Any])?.isEmpty == true)

        // Alice's things are untouched.
        let mine = try await alice.call("getPlaylist", [("id", playlist)])
        #expect((mine["playlist"] as? [String: Any])?["name"] as? String == "Alice's secret")
        #expect(try await alice.errorCode("getUser", [("username", "alice")]) == nil)
        #expect(try await alice.call("getPlayQueue")["playQueue"] != nil)
        let login = try await HTTP.json(
            "POST", server.url("/api/v1/auth/login"), ["username": "alice", "password": "user-password-1"])
        #expect(login.status == 200)

        // A public playlist is readable by Bob but still not his to change.
        _ = try await alice.call("updatePlaylist", [("playlistId", playlist), ("public", "true")])
        #expect(try await bob.errorCode("getPlaylist", [("id", playlist)]) == nil)
        #expect(try await bob.errorCode("deletePlaylist", [("id", playlist)]) == 70)
    }

    @Test func aShareLinkPlaysWithoutLoginUntilItExpires() async throws {
        let server = try await TestServer.start()
        let admin = try await server.setUpAdmin()
        _ = admin
        let tracks = try await server.trackIDs().map(\.rawValue)
        let caller = Caller(base: server.base, username: "admin", password: "admin-password-1")
        // An hour ahead while the link is tried (a loaded machine once took more than the few
        // seconds this used to give it), then a second ahead to see it expire.
        let later = Int((Date().timeIntervalSince1970 + 3_600) * 1000)
        let created = try await caller.call(
            "createShare", [("id", tracks[0]), ("id", tracks[1]), ("expires", String(later))])
        let share = try #require(((created["shares"] as? [String: Any])?["share"] as? [[String: Any]])?.first)
        let url = try #require(share["url"] as? String)
        #expect((share["entry"] as? [Any])?.count == 2)

        let page = try await HTTP.get(url)
        #expect(page.status == 200)
        let stream = try #require(page.body.firstMatch(of: /src="(\/share\/[^"]+)"/).map { String($0.1) })
        let audio = try await HTTP.get(server.url(stream), headers: ["Range": "bytes=0-9"])
        #expect(audio.status == 206)
        #expect(audio.data.count == 10)
        #expect(try await HTTP.get(server.url("/share/\(share["id"] as? String ?? "")/t-not-shared")).status == 404)
        let visits = try await caller.call("getShares")
        let first = ((visits["shares"] as? [String: Any])?["share"] as? [[String: Any]])?.first
        #expect(first?["visitCount"] as? Int == 1)

        // It expires (in a second, on the server's clock): wait for that, not a fixed time.
        let soon = Int((Date().timeIntervalSince1970 + 1) * 1000)
        _ = try await caller.call("updateShare", [("id", share["id"] as? String ?? ""), ("expires", String(soon))])
        let deadline = ContinuousClock.now + .seconds(60)
        var expired = try await HTTP.get(url).status
        while expired != 404, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            expired = try await HTTP.get(url).status
        }
        #expect(expired == 404)
        #expect(try await HTTP.get(server.url(stream)).status == 404)
    }

    /// Genres are counted in the caller's libraries: one only another library holds is not named
    /// to a listener limited to theirs (native list, Subsonic getGenres, the search's genre kind).
    @Test func genresAreCountedInTheCallersLibraries() async throws {
        let server = try await InProcessServer.start()
        let libraries = try await server.services.catalog.libraries()
        let open = try #require(libraries.first { $0.path == server.open.path })
        let lina = try await server.addUser("lina", libraries: [open.id])
        let max = try await server.addUser("max")
        try await server.withClient { client in
            func names(_ caller: InProcessServer.Caller) async throws -> (native: [String], subsonic: [String]) {
                let native = try await client.send(.get, "/api/v1/genres", token: caller.token)
                let items = native.json["items"] as? [[String: Any]] ?? []
                let subsonic = try await client.subsonic("getGenres", [], as: caller)
                let genres = (subsonic.subsonic["genres"] as? [String: Any])?["genre"] as? [[String: Any]] ?? []
                return (items.compactMap { $0["name"] as? String }, genres.compactMap { $0["value"] as? String })
            }
            let everyone = try await names(max)
            #expect(everyone.native.contains("Secret Jazz") && everyone.native.contains("Open Rock"), "\(everyone)")
            #expect(everyone.subsonic.contains("Secret Jazz"), "\(everyone)")
            let limited = try await names(lina)
            #expect(limited.native == ["Open Rock"], "\(limited)")
            #expect(limited.subsonic == ["Open Rock"], "\(limited)")
            let found = try await client.send(.get, "/api/v1/search?q=secret&kinds=genres", token: lina.token)
            #expect((found.json["genres"] as? [[String: Any]] ?? []).isEmpty, "\(found.body)")
        }
    }
}
