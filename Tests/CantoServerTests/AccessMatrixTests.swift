import CantoCore
import CantoDomain
import CantoStore
import Foundation
import Hummingbird
import Testing

@testable import CantoServer

/// Every Subsonic method and every route of the router, walked as a user limited to one of two
/// libraries asking for items of the other, and as a user asking for another user's private
/// things: each answers as missing (or refuses), nothing of the other's reaches the answer, and
/// nothing is written. The methods and routes come from the API's own lists, so a new one
/// without a case here fails the test.
@Suite("Access matrix")
struct AccessMatrixTests {
    /// What a case expects besides "no hidden item in the answer".
    enum Expect {
        /// Subsonic error 70 / HTTP 404.
        case missing
        /// Subsonic error 50 / HTTP 403 (admin only, or a right the caller lacks).
        case refused
        /// Answers normally; only the leak check applies (lists, searches, the caller's own things).
        case answers
        /// Subsonic error 10 or 0 / HTTP 400: the call is malformed without the other's item.
        case invalid
    }

    /// Items of the hidden library.
    struct Hidden {
        var track: String
        var album: String
        var artist: String
        var folder: String
        var artwork: String
        var libraryNumber: Int
        var ids: [String] { [track, album, artist, folder, artwork] }
    }

    static func hiddenItems(_ server: InProcessServer) async throws -> Hidden {
        let catalog = server.services.catalog
        let library = try #require(try await catalog.libraries().first { $0.path == server.hidden.path })
        let albums = try await catalog.albums(offset: 0, limit: 100)
        let album = try #require(albums.first { $0.title == "Hidden Rooms" })
        let track = try #require(try await catalog.tracks(inAlbum: album.id).first)
        #expect(track.libraryID == library.id)
        let number = try #require(try await catalog.libraryNumbers()[library.id])
        return Hidden(
            track: track.id.rawValue, album: album.id.rawValue, artist: album.albumArtistID.rawValue,
            folder: track.folderID.rawValue, artwork: try #require(track.artworkID?.rawValue), libraryNumber: number)
    }

    /// A Subsonic case for each method, asking about the hidden library's items.
    static func subsonicCases(_ h: Hidden) -> [String: (Expect, [(String, String)])] {
        [
            "ping": (.answers, []), "getLicense": (.answers, []), "getOpenSubsonicExtensions": (.answers, []),
            "tokenInfo": (.answers, []),
            "getMusicFolders": (.answers, []), "getArtists": (.answers, []), "getIndexes": (.answers, []),
            "getGenres": (.answers, []),
            "getArtist": (.missing, [("id", h.artist)]), "getAlbum": (.missing, [("id", h.album)]),
            "getSong": (.missing, [("id", h.track)]), "getMusicDirectory": (.missing, [("id", h.folder)]),
            "getAlbumList": (.answers, [("type", "newest"), ("musicFolderId", "\(h.libraryNumber)")]),
            "getAlbumList2": (.answers, [("type", "alphabeticalByName"), ("musicFolderId", "\(h.libraryNumber)")]),
            "getRandomSongs": (.answers, [("size", "50")]),
            "getSongsByGenre": (.answers, [("genre", "Secret Jazz")]),
            "getStarred": (.answers, []), "getStarred2": (.answers, []),
            "search2": (.answers, [("query", "Hidden")]), "search3": (.answers, [("query", "Beta")]),
            "getSimilarSongs": (.missing, [("id", h.track)]), "getSimilarSongs2": (.missing, [("id", h.artist)]),
            "getTopSongs": (.answers, [("artist", "Beta Secret")]),
            "getSonicSimilarTracks": (.missing, [("id", h.track)]),
            "findSonicPath": (.missing, [("startSongId", h.track), ("endSongId", h.track)]),
            "getArtistInfo": (.missing, [("id", h.artist)]), "getArtistInfo2": (.missing, [("id", h.artist)]),
            "getAlbumInfo": (.missing, [("id", h.album)]), "getAlbumInfo2": (.missing, [("id", h.track)]),
            "stream": (.missing, [("id", h.track)]), "download": (.missing, [("id", h.track)]),
            "getCoverArt": (.missing, [("id", h.artwork)]),
            "getLyrics": (.answers, [("title", "Low Hall")]),
            "getLyricsBySongId": (.missing, [("id", h.track)]),
            "getAvatar": (.missing, [("username", "nobody-here")]),
            "star": (.missing, [("id", h.track)]), "unstar": (.missing, [("albumId", h.album)]),
            "setRating": (.missing, [("id", h.artist), ("rating", "5")]),
            "scrobble": (.missing, [("id", h.track)]),
            "getNowPlaying": (.answers, []),
            // No jukebox here: refused before any track is looked at (SessionTests drives one).
            "jukeboxControl": (.invalid, [("action", "add"), ("id", h.track)]),
            "getBookmarks": (.answers, []),
            "createBookmark": (.missing, [("id", h.track), ("position", "1000")]),
            "deleteBookmark": (.answers, [("id", h.track)]),
            "getPlayQueue": (.answers, []), "getPlayQueueByIndex": (.answers, []),
            "savePlayQueue": (.missing, [("id", h.track)]),
            "savePlayQueueByIndex": (.missing, [("id", h.track), ("currentIndex", "0")]),
            "getPlaylists": (.answers, []), "getPlaylist": (.missing, [("id", "p-none")]),
            "createPlaylist": (.missing, [("name", "leak"), ("songId", h.track)]),
            "updatePlaylist": (.missing, [("playlistId", "p-none"), ("songIdToAdd", h.track)]),
            "deletePlaylist": (.missing, [("id", "p-none")]),
            "getShares": (.answers, []), "createShare": (.missing, [("id", h.track)]),
            "updateShare": (.missing, [("id", "none"), ("expires", "0")]),
            "deleteShare": (.missing, [("id", "none")]),
            "getInternetRadioStations": (.answers, []),
            "createInternetRadioStation": (.refused, [("streamUrl", "http://radio.invalid/"), ("name", "x")]),
            "updateInternetRadioStation": (.refused, [("id", "r-none"), ("streamUrl", "http://r.invalid/")]),
            "deleteInternetRadioStation": (.refused, [("id", "r-none")]),
            "getUser": (.refused, [("username", "admin")]), "getUsers": (.refused, []),
            "createUser": (.refused, [("username", "x"), ("password", "long-password-1"), ("email", "x@y.z")]),
            "updateUser": (.refused, [("username", "admin"), ("musicFolderId", "\(h.libraryNumber)")]),
            "deleteUser": (.refused, [("username", "admin")]),
            "changePassword": (.refused, [("username", "admin"), ("password", "another-password-1")]),
            "getScanStatus": (.answers, []), "startScan": (.refused, []),
        ]
    }

    @Test func aLimitedUserReachesNothingOfAnotherLibrary() async throws {
        let server = try await InProcessServer.start()
        let h = try await Self.hiddenItems(server)
        let openLibrary = try #require(
            try await server.services.catalog.libraries().first { $0.path == server.open.path })
        let carol = try await server.addUser("carol", libraries: [openLibrary.id])
        let cases = Self.subsonicCases(h)
        let methods = Set(SubsonicAPI(services: server.services).handlers.keys)
            .union(SubsonicAPI(services: server.services).openMethods.keys)
        #expect(methods.subtracting(cases.keys).isEmpty, "Subsonic methods without a case")
        #expect(Set(cases.keys).subtracting(methods).isEmpty, "cases for no method")
        let leaks = h.ids + InProcessServer.hiddenNames
        let dave = try await server.addUser("dave")
        let routes = server.routeNames
        try await server.withClient { client in
            for (method, (expect, parameters)) in cases.sorted(by: { $0.key < $1.key }) {
                let answer = try await client.subsonic(method, parameters, as: carol)
                // An error may echo the ID the caller sent; nothing else of the hidden library may appear.
                for leak in answer.subsonicError == nil ? leaks : InProcessServer.hiddenNames {
                    #expect(!answer.body.contains(leak), "\(method) shows \(leak)")
                }
                switch expect {
                case .missing: #expect(answer.subsonicError == 70, "\(method): \(answer.body.prefix(300))")
                case .refused: #expect(answer.subsonicError == 50, "\(method): \(answer.body.prefix(300))")
                case .invalid: #expect([0, 10].contains(answer.subsonicError), "\(method)")
                case .answers:
                    #expect(answer.status == .ok, "\(method)")
                    #expect(
                        answer.subsonicError == nil || answer.headers[.contentType]?.hasPrefix("image/") == true,
                        "\(method): \(answer.body.prefix(300))")
                }
            }
            // The same items are reachable for someone who may see them (the cases can fail).
            for method in ["getSong", "stream", "getLyricsBySongId"] {
                let answer = try await client.subsonic(method, [("id", h.track)], as: dave)
                #expect(answer.subsonicError == nil, "\(method) for dave: \(answer.body.prefix(200))")
            }
            let album = try await client.subsonic("getAlbum", [("id", h.album)], as: dave)
            let folders = try await client.subsonic("getMusicFolders", as: carol)
            let listed = (folders.subsonic["musicFolders"] as? [String: Any])?["musicFolder"] as? [[String: Any]]
            #expect(listed?.count == 1, "carol sees one music folder: \(folders.body)")
            #expect(album.body.contains("Hidden Rooms"))

            try await Self.walkNativeRoutes(routes, client, h, as: carol)
        }
        // A track read through a wider view is refused in carol's: the playback service checks
        // the view itself when it is handed a track (a scrobble reads its tracks first).
        let playback = server.services.playback
        let wide = try #require(try await server.services.catalogs.view(for: dave.user).track(TrackID(h.track)))
        let narrow = server.services.catalogs.view(for: carol.user)
        await #expect(throws: DomainError.self) {
            _ = try await playback.played(wide, in: narrow, startedAt: Date(), secondsPlayed: 10, client: nil)
        }
        await #expect(throws: DomainError.self) { try await playback.started(wide, in: narrow, client: nil) }
        // Nothing was written about the hidden items.
        let state = server.services.state
        #expect(try await state.annotations(of: carol.user.id).isEmpty)
        #expect(try await state.bookmarks(of: carol.user.id).isEmpty)
        #expect(try await state.playQueue(of: carol.user.id) == nil)
        let hiddenTrack = TrackID(h.track)
        #expect(try await state.playlists(visibleTo: carol.user.id).allSatisfy { !$0.trackIDs.contains(hiddenTrack) })
        #expect(try await server.services.sharing.shares(of: carol.user.id).isEmpty)
        #expect(try await server.services.playback.playCount(of: carol.user.id, from: nil, to: nil) == 0)
    }

    /// The native routes from the router's list, each with a case asking for the hidden items.
    static func nativeCases(_ h: Hidden) -> [String: (Expect, String, Any?)] {
        [
            "GET /api/v1/albums": (.answers, "/api/v1/albums?sort=name", nil),
            "GET /api/v1/albums/:id": (.missing, "/api/v1/albums/\(h.album)", nil),
            "GET /api/v1/artists": (.answers, "/api/v1/artists?q=Beta", nil),
            "GET /api/v1/artists/:id": (.missing, "/api/v1/artists/\(h.artist)", nil),
            "GET /api/v1/tracks/:id": (.missing, "/api/v1/tracks/\(h.track)", nil),
            "GET /api/v1/tracks/:id/stream": (.missing, "/api/v1/tracks/\(h.track)/stream", nil),
            "GET /api/v1/tracks/:id/similar": (.missing, "/api/v1/tracks/\(h.track)/similar", nil),
            "GET /api/v1/radio": (.missing, "/api/v1/radio?seedType=album&seed=\(h.album)", nil),
            "GET /api/v1/sonic-path": (.missing, "/api/v1/sonic-path?from=\(h.track)&to=\(h.track)", nil),
            "GET /api/v1/mixes": (.answers, "/api/v1/mixes", nil),
            "GET /api/v1/me/stats/listening": (.answers, "/api/v1/me/stats/listening?period=all", nil),
            "GET /api/v1/me/stats/top": (.answers, "/api/v1/me/stats/top?period=all&kind=tracks", nil),
            "GET /api/v1/me/stats/habits": (.answers, "/api/v1/me/stats/habits?period=all", nil),
            "GET /api/v1/me/stats/taste": (.answers, "/api/v1/me/stats/taste?period=12m", nil),
            "GET /api/v1/me/stats/year/:year": (.answers, "/api/v1/me/stats/year/2026", nil),
            "GET /api/v1/stats/household": (.answers, "/api/v1/stats/household?period=all&kind=albums", nil),
            "GET /api/v1/plans": (.answers, "/api/v1/plans", nil),
            "GET /api/v1/me/plan": (.answers, "/api/v1/me/plan", nil),
            "GET /api/v1/me/ledger": (.answers, "/api/v1/me/ledger", nil),
            "POST /api/v1/me/plan/checkout": (.invalid, "/api/v1/me/plan/checkout", ["planId": "free"]),
            "POST /api/v1/me/plan/portal": (.missing, "/api/v1/me/plan/portal", [String: String]()),
            "POST /api/v1/mixes/refresh": (.answers, "/api/v1/mixes/refresh", [String: String]()),
            "GET /api/v1/tracks/:id/feedback": (.missing, "/api/v1/tracks/\(h.track)/feedback", nil),
            "PUT /api/v1/tracks/:id/feedback": (.missing, "/api/v1/tracks/\(h.track)/feedback", ["value": "up"]),
            "HEAD /api/v1/tracks/:id/stream": (.missing, "/api/v1/tracks/\(h.track)/stream", nil),
            "GET /api/v1/covers/:id": (.missing, "/api/v1/covers/\(h.album)", nil),
            "GET /api/v1/genres": (.answers, "/api/v1/genres", nil),
            "GET /api/v1/folders": (.answers, "/api/v1/folders", nil),
            "GET /api/v1/folders/:id": (.missing, "/api/v1/folders/\(h.folder)", nil),
            "GET /api/v1/search": (.answers, "/api/v1/search?q=Hidden", nil),
            "GET /api/v1/me/starred": (.answers, "/api/v1/me/starred", nil),
            "PUT /api/v1/me/annotations/:id": (
                .missing, "/api/v1/me/annotations/\(h.track)", ["kind": "track", "starred": true]
            ),
            "GET /api/v1/me/history": (.answers, "/api/v1/me/history", nil),
            "POST /api/v1/me/history": (.missing, "/api/v1/me/history", ["trackId": h.track, "secondsPlayed": 100]),
            "DELETE /api/v1/me/history": (.answers, "/api/v1/me/history?all=true", nil),
            "DELETE /api/v1/me/history/:id": (.missing, "/api/v1/me/history/999999", nil),
            "GET /api/v1/me/history.csv": (.answers, "/api/v1/me/history.csv", nil),
            "GET /api/v1/me/export": (.answers, "/api/v1/me/export", nil),
            "GET /api/v1/playlists": (.answers, "/api/v1/playlists", nil),
            "POST /api/v1/playlists": (.invalid, "/api/v1/playlists", ["name": "leak", "trackIds": [h.track]]),
            "POST /api/v1/playlists/import": (.answers, "/api/v1/playlists/import?name=x", "x"),
            "GET /api/v1/playlists/:id": (.missing, "/api/v1/playlists/p-none", nil),
            "PATCH /api/v1/playlists/:id": (.missing, "/api/v1/playlists/p-none", ["name": "x"]),
            "DELETE /api/v1/playlists/:id": (.missing, "/api/v1/playlists/p-none", nil),
            "POST /api/v1/playlists/:id/tracks": (.missing, "/api/v1/playlists/p-none/tracks", ["trackIds": [h.track]]),
            "GET /api/v1/playlists/:id/m3u": (.missing, "/api/v1/playlists/p-none/m3u", nil),
            // Rules naming the other library's things pick nothing of it (the walk checks the answers).
            "POST /api/v1/smart-playlists": (
                .answers, "/api/v1/smart-playlists",
                [
                    "name": "leak",
                    "rules": ["any": [["is": ["album": "Hidden Rooms"]], ["is": ["artist": "Beta Secret"]]]],
                ]
            ),
            "POST /api/v1/smart-playlists/preview": (
                .answers, "/api/v1/smart-playlists/preview", ["rules": ["all": [["contains": ["album": "Hidden"]]]]]
            ),
            "POST /api/v1/smart-playlists/import": (
                .answers, "/api/v1/smart-playlists/import", #"{"name":"leak","all":[{"is":{"title":"Quiet Door"}}]}"#
            ),
            "GET /api/v1/smart-playlists/:id": (.missing, "/api/v1/smart-playlists/p-none", nil),
            "GET /api/v1/sessions": (.answers, "/api/v1/sessions", nil),
            // The stream itself is walked by SessionTests (it stays open); here a bad query is refused early.
            "GET /api/v1/sessions/events": (.answers, "/api/v1/sessions", nil),
            "POST /api/v1/sessions/:id/state": (.invalid, "/api/v1/sessions/s-none/state", ["trackId": h.track]),
            "PATCH /api/v1/sessions/:id": (.missing, "/api/v1/sessions/s-none", ["name": "x"]),
            "POST /api/v1/sessions/:id/commands": (
                .invalid, "/api/v1/sessions/s-none/commands", ["action": "load", "trackIds": [h.track]]
            ),
            "PUT /api/v1/smart-playlists/:id": (
                .missing, "/api/v1/smart-playlists/p-none", ["rules": ["all": [["is": ["title": "Quiet Door"]]]]]
            ),
            "GET /api/v1/me/queue": (.answers, "/api/v1/me/queue", nil),
            "PUT /api/v1/me/queue": (.invalid, "/api/v1/me/queue", ["trackIds": [h.track]]),
            "GET /api/v1/me": (.answers, "/api/v1/me", nil),
            "PATCH /api/v1/me": (.answers, "/api/v1/me", ["displayName": "Carol"]),
            "PUT /api/v1/me/password": (
                .refused, "/api/v1/me/password",
                ["currentPassword": "wrong-one-1", "newPassword": "another-password-2"]
            ),
            "GET /api/v1/me/preferences": (.answers, "/api/v1/me/preferences", nil),
            "PUT /api/v1/me/preferences": (
                .answers, "/api/v1/me/preferences",
                [
                    "streamFormat": "raw", "maxBitrate": 0, "theme": "dark", "language": "en", "scrobbling": true,
                    "listeningVisible": true,
                ] as [String: Any]
            ),
            "GET /api/v1/me/avatar": (.missing, "/api/v1/me/avatar", nil),
            "PUT /api/v1/me/avatar": (.invalid, "/api/v1/me/avatar", "not an image"),
            "DELETE /api/v1/me/avatar": (.answers, "/api/v1/me/avatar", nil),
            "GET /api/v1/me/sessions": (.answers, "/api/v1/me/sessions", nil),
            "DELETE /api/v1/me/sessions/:id": (.missing, "/api/v1/me/sessions/s-none", nil),
            "POST /api/v1/me/app-password": (.answers, "/api/v1/me/app-password", nil),
            "GET /api/v1/me/api-keys": (.answers, "/api/v1/me/api-keys", nil),
            "POST /api/v1/me/api-keys": (.answers, "/api/v1/me/api-keys", ["name": "second"]),
            "DELETE /api/v1/me/api-keys/:id": (.missing, "/api/v1/me/api-keys/k-none", nil),
            "GET /api/v1/me/linked-accounts": (.answers, "/api/v1/me/linked-accounts", nil),
            "GET /api/v1/me/plugin-settings": (.answers, "/api/v1/me/plugin-settings", nil),
            "PUT /api/v1/me/plugin-settings/:plugin": (
                .missing, "/api/v1/me/plugin-settings/none", ["values": [String: String]()]
            ),
            "PUT /api/v1/me/linked-accounts/:plugin": (.missing, "/api/v1/me/linked-accounts/none", ["token": "x"]),
            "DELETE /api/v1/me/linked-accounts/:plugin": (.missing, "/api/v1/me/linked-accounts/listenbrainz", nil),
            "POST /api/v1/me/now-playing": (.missing, "/api/v1/me/now-playing", ["trackId": h.track]),
            "GET /api/v1/plugins/:plugin/**": (.missing, "/api/v1/plugins/none/x", nil),
            "POST /api/v1/plugins/:plugin/**": (.missing, "/api/v1/plugins/none/x", ["trackId": h.track]),
            "PUT /api/v1/plugins/:plugin/**": (.missing, "/api/v1/plugins/none/x", ["trackId": h.track]),
            "PATCH /api/v1/plugins/:plugin/**": (.missing, "/api/v1/plugins/none/x", ["trackId": h.track]),
            "DELETE /api/v1/plugins/:plugin/**": (.missing, "/api/v1/plugins/none/x", nil),
            "POST /api/v1/me/linked-accounts/:plugin/authorize": (
                .missing, "/api/v1/me/linked-accounts/none/authorize", nil
            ),
            "GET /api/v1/users/:id/avatar": (.missing, "/api/v1/users/u-none/avatar", nil),
            "GET /api/v1/auth/setup": (.answers, "/api/v1/auth/setup", nil),
            "POST /api/v1/auth/setup": (
                .refused, "/api/v1/auth/setup", ["token": "x", "username": "x", "password": "long-enough-password-1"]
            ),
            "POST /api/v1/auth/login": (.invalid, "/api/v1/auth/login", ["username": "carol"]),
            "POST /api/v1/auth/logout": (.answers, "/api/v1/auth/logout", nil),
        ]
    }

    /// Admin routes: every one refuses a user who is not an admin.
    static func adminCase(_ route: String) -> (Expect, String, Any?)? {
        guard route.contains(" /api/v1/admin/") else { return nil }
        let path = route.split(separator: " ")[1].replacingOccurrences(of: ":id", with: "none")
        return (.refused, path, route.hasPrefix("GET") || route.hasPrefix("DELETE") ? nil : [String: String]())
    }

    /// Routes outside the API that a session does not reach: public or probes, with what they show.
    static let publicRoutes: Set<String> = [
        "GET /healthz", "GET /readyz", "GET /metrics", "GET /api/openapi.json", "GET /rest/:method",
        "POST /rest/:method", "GET /share/:id", "GET /share/:id/:track", "GET /plugins/:plugin/link-callback",
        "GET /plugins/:plugin/**", "POST /plugins/:plugin/**",
        // Only at an address the server signed (getArtistInfo's image URLs): SpotifySyncTests.
        "GET /images/artists/:id",
    ]

    static func walkNativeRoutes(
        _ routes: [String], _ client: InProcessServer.Client, _ h: Hidden, as caller: InProcessServer.Caller
    ) async throws {
        let cases = nativeCases(h)
        var walked = 0
        for route in routes {
            if publicRoutes.contains(route) { continue }
            guard let (expect, uri, body) = cases[route] ?? adminCase(route) else {
                Issue.record("route without an access case: \(route)")
                continue
            }
            let method = HTTPRequest.Method(rawValue: String(route.split(separator: " ")[0])) ?? .get
            // Logging out ends the session: it goes last, below.
            if route == "POST /api/v1/auth/logout" { continue }
            let answer = try await client.send(
                method, uri, token: caller.token, json: body is String ? nil : body, body: body as? String)
            walked += 1
            for leak in answer.status.code < 300 ? h.ids + InProcessServer.hiddenNames : InProcessServer.hiddenNames {
                #expect(!answer.body.contains(leak), "\(route) shows \(leak)")
            }
            switch expect {
            case .missing: #expect(answer.status == .notFound, "\(route): \(answer.status) \(answer.body.prefix(200))")
            case .refused:
                #expect(
                    [.forbidden, .unauthorized].contains(answer.status), "\(route): \(answer.status) \(answer.body)")
            case .invalid:
                #expect(
                    [.badRequest, .unprocessableContent, .unsupportedMediaType, .notFound].contains(answer.status),
                    "\(route): \(answer.status) \(answer.body.prefix(200))")
            case .answers: #expect(answer.status.code < 300, "\(route): \(answer.status) \(answer.body.prefix(200))")
            }
        }
        #expect(walked >= 60)
        let out = try await client.send(.post, "/api/v1/auth/logout", token: caller.token)
        #expect(out.status.code < 300)
    }

    /// Another user's private things (playlist, share, bookmark, queue, play, key, session): every
    /// call that names them answers as missing or refuses, lists leave them out, and they stay as they were.
    @Test func aUserReachesNothingOfAnothersPrivateThings() async throws {
        let server = try await InProcessServer.start()
        let h = try await Self.hiddenItems(server)
        let olivia = try await server.addUser("olivia")
        let eve = try await server.addUser("eve")
        let state = server.services.state
        let track = TrackID(h.track)
        let playlist = Playlist(
            id: PlaylistID("p-olivia"), ownerID: olivia.user.id, name: "Olivia private", trackIDs: [track])
        try await state.createPlaylist(playlist)
        let now = Date()
        try await state.saveBookmark(
            Bookmark(trackID: track, positionMs: 5000, comment: "Olivia mark", createdAt: now, updatedAt: now),
            of: olivia.user.id)
        try await state.savePlayQueue(
            PlayQueue(trackIDs: [track], currentIndex: 0, positionMs: 0, changedAt: now, changedBy: "olivia-app"),
            of: olivia.user.id)
        let share = Share(
            id: ShareID("s-olivia"), ownerID: olivia.user.id, description: "Olivia share", trackIDs: [track],
            createdAt: now, expiresAt: nil)
        try await server.services.sharing.createShare(share)
        let played = try await server.services.playback.played(
            track, in: server.services.catalogs.view(for: olivia.user), startedAt: now, secondsPlayed: 100,
            client: "olivia-app")
        let keys = try await server.services.accounts.apiKeys(of: olivia.user.id)
        let sessions = try await server.services.accounts.sessions(of: olivia.user.id)
        let key = try #require(keys.first).id.rawValue
        let session = try #require(sessions.first).id.rawValue
        let private_ = ["Olivia private", "Olivia mark", "olivia-app", "Olivia share"]

        try await server.withClient { client in
            let subsonic: [(String, [(String, String)], Int?)] = [
                ("getPlaylist", [("id", "p-olivia")], 70),
                ("updatePlaylist", [("playlistId", "p-olivia"), ("name", "taken")], 70),
                ("deletePlaylist", [("id", "p-olivia")], 70),
                ("createPlaylist", [("playlistId", "p-olivia"), ("songId", h.track)], 70),
                ("updateShare", [("id", "s-olivia"), ("description", "taken")], 70),
                ("deleteShare", [("id", "s-olivia")], 70),
                ("getPlaylists", [], nil), ("getShares", [], nil), ("getBookmarks", [], nil),
                ("getPlayQueue", [], nil), ("getPlayQueueByIndex", [], nil), ("getStarred2", [], nil),
                ("deleteBookmark", [("id", h.track)], nil),
                ("getPlaylists", [("username", "olivia")], 50),
            ]
            for (method, parameters, code) in subsonic {
                let answer = try await client.subsonic(method, parameters, as: eve)
                #expect(answer.subsonicError == code, "\(method): \(answer.body.prefix(300))")
                for text in private_ { #expect(!answer.body.contains(text), "\(method) shows \(text)") }
            }
            let native: [(HTTPRequest.Method, String, Any?, HTTPResponse.Status)] = [
                (.get, "/api/v1/playlists/p-olivia", nil, .notFound),
                (.patch, "/api/v1/playlists/p-olivia", ["name": "taken"], .notFound),
                (.delete, "/api/v1/playlists/p-olivia", nil, .notFound),
                (.post, "/api/v1/playlists/p-olivia/tracks", ["trackIds": [h.track]], .notFound),
                (.get, "/api/v1/playlists/p-olivia/m3u", nil, .notFound),
                (.delete, "/api/v1/me/history/\(played.id)", nil, .notFound),
                (.delete, "/api/v1/me/api-keys/\(key)", nil, .notFound),
                (.delete, "/api/v1/me/sessions/\(session)", nil, .notFound),
                (.get, "/api/v1/playlists", nil, .ok), (.get, "/api/v1/me/queue", nil, .ok),
                (.get, "/api/v1/me/history", nil, .ok), (.get, "/api/v1/me/export", nil, .ok),
            ]
            for (method, uri, body, status) in native {
                let answer = try await client.send(method, uri, token: eve.token, json: body)
                #expect(answer.status == status, "\(method) \(uri): \(answer.status) \(answer.body.prefix(200))")
                for text in private_ { #expect(!answer.body.contains(text), "\(uri) shows \(text)") }
            }
        }
        // Olivia's things are as they were.
        #expect(try await state.playlist(playlist.id, viewer: olivia.user.id).name == "Olivia private")
        #expect(try await state.bookmarks(of: olivia.user.id).count == 1)
        #expect(try await state.playQueue(of: olivia.user.id)?.trackIDs == [track])
        #expect(try await server.services.sharing.share(share.id)?.description == "Olivia share")
        #expect(try await server.services.playback.playCount(of: olivia.user.id, from: nil, to: nil) == 1)
        #expect(try await server.services.accounts.apiKeys(of: olivia.user.id).count == keys.count)
        #expect(try await server.services.accounts.sessions(of: olivia.user.id).count == sessions.count)
    }

    /// A share made while its owner could see a library streams nothing of it once the owner is
    /// limited away from it, to anyone, and lists none of it.
    @Test func aPublicShareShowsOnlyWhatItsOwnerMaySee() async throws {
        let server = try await InProcessServer.start()
        let h = try await Self.hiddenItems(server)
        let owner = try await server.addUser("sam")
        let share = Share(
            id: ShareID("s-sam"), ownerID: owner.user.id, description: "Sam's", trackIDs: [TrackID(h.track)],
            createdAt: Date(), expiresAt: nil)
        try await server.services.sharing.createShare(share)
        let openLibrary = try #require(
            try await server.services.catalog.libraries().first { $0.path == server.open.path })
        try await server.withClient { client in
            let page = try await client.send(.get, "/share/s-sam")
            #expect(page.status == .ok)
            #expect(page.body.contains("Quiet Door"))
            #expect(try await client.send(.get, "/share/s-sam/\(h.track)").status == .ok)
        }
        var limited = owner.user
        limited.libraryIDs = [openLibrary.id]
        _ = try await server.services.accounts.updateUser(limited, role: nil, actor: server.admin, address: nil)
        try await server.withClient { client in
            let page = try await client.send(.get, "/share/s-sam")
            #expect(!page.body.contains("Quiet Door"))
            #expect(try await client.send(.get, "/share/s-sam/\(h.track)").status == .notFound)
        }
    }
}
