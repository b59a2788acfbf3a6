import CantoCore
import CantoTestSupport
import Foundation
import Testing

/// The native endpoints the web UI uses: browsing, search, stars and ratings, playlists with
/// M3U, the play queue, libraries and live scan progress, over the fixture library: in process on
/// the router, but libraries and scan progress (a second server on the same data) against `canto serve`.
@Suite("Web UI API", .serialized)
struct WebAPITests {
    private func items(_ result: HTTP.Result, _ key: String = "items") -> [[String: Any]] {
        result.json[key] as? [[String: Any]] ?? []
    }

    private func strings(_ list: [[String: Any]], _ key: String) -> [String] {
        list.compactMap { $0[key] as? String }
    }

    @Test func browsingPagesAndSearch() async throws {
        let inProcess = try await InProcessServer.start(music: [try await FixtureLibrary.shared().root])
        let manifest = try await FixtureLibrary.shared()
        try await inProcess.withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            #expect(try await server.get("/api/v1/artists").status == 401)

            // Artists page by page: every page but the last says there is more, and the pages join up.
            var names: [String] = []
            var offset = 0
            while true {
                let page = try await admin.get("/api/v1/artists?offset=\(offset)&limit=3")
                #expect(page.status == 200)
                let rows = items(page)
                names += strings(rows, "name")
                offset += 3
                if page.json["more"] as? Bool != true { break }
                #expect(rows.count == 3)
            }
            #expect(Set(names).count == names.count, "no artist twice")
            #expect(names.contains("Björk") && names.contains("Múm"))
            let filtered = try await admin.get("/api/v1/artists?q=bjo")
            #expect(strings(items(filtered), "name").contains("Björk"))
            #expect(try await admin.get("/api/v1/artists?limit=0").status == 400)

            // Albums in name order, and all of them.
            let albums = try await admin.get("/api/v1/albums?sort=name&limit=100")
            let titles = strings(items(albums), "title")
            #expect(titles.count == Set(manifest.albums.map(\.title)).count, "\(titles)")
            let newest = strings(items(try await admin.get("/api/v1/albums?sort=newest&limit=100")), "title")
            #expect(Set(newest) == Set(titles))
            for sort in ["artist", "newest", "year", "random", "recent", "frequent", "highest", "starred"] {
                #expect(try await admin.get("/api/v1/albums?sort=\(sort)").status == 200, "sort \(sort)")
            }
            #expect(try await admin.get("/api/v1/albums?sort=loudest").status == 400)

            // An album with two discs comes grouped by disc.
            let multiDisc = try #require(items(albums).first { $0["title"] as? String == manifest.multiDisc.title })
            let album = try await admin.get("/api/v1/albums/\(try #require(multiDisc["id"] as? String))")
            let discs = try #require(album.json["discs"] as? [[String: Any]])
            #expect(discs.compactMap { $0["number"] as? Int } == [1, 2])
            let discTracks = discs.flatMap { $0["tracks"] as? [[String: Any]] ?? [] }
            #expect(discTracks.count == manifest.multiDisc.trackCount)
            for disc in discs {
                let number = disc["number"] as? Int
                #expect((disc["tracks"] as? [[String: Any]] ?? []).allSatisfy { $0["discNumber"] as? Int == number })
            }
            #expect(try await admin.get("/api/v1/albums/al-nothing").status == 404)

            // A genre narrows the album list.
            let genres = try await admin.get("/api/v1/genres").jsonArray
            let genre = try #require(genres.first)
            let byGenre = try await admin.get(
                "/api/v1/albums?genre=\(try #require((genre["name"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics)))"
            )
            #expect(items(byGenre).count == genre["albumCount"] as? Int)
            let first = try #require(items(byGenre).first?["id"] as? String)
            let firstPage = try await admin.get("/api/v1/albums/\(first)").json["album"] as? [String: Any]
            #expect((firstPage?["genres"] as? [String] ?? []).contains(genre["name"] as! String))
            #expect(items(byGenre).allSatisfy { $0["genres"] == nil }, "lists leave genres out")

            // Artist page: albums and top tracks.
            let bjork = try #require(items(filtered).first { $0["name"] as? String == "Björk" })
            let artist = try await admin.get("/api/v1/artists/\(try #require(bjork["id"] as? String))")
            #expect(strings(artist.json["albums"] as? [[String: Any]] ?? [], "title").contains("Homogénique"))
            #expect(!(artist.json["topTracks"] as? [[String: Any]] ?? []).isEmpty)

            // Search folds accents and matches prefixes, per kind.
            let search = try await admin.get("/api/v1/search?q=sigur+ros&limit=5")
            #expect(strings(items(search, "artists"), "name").contains("Sigur Rós"))
            #expect(strings(items(search, "albums"), "title").contains("Ágætis byrjun"))
            let prefix = try await admin.get("/api/v1/search?q=homog")
            #expect(strings(items(prefix, "albums"), "title") == ["Homogénique"])
            let track = try #require(items(prefix, "tracks").first)
            let trackID = try #require(track["id"] as? String)
            #expect(try await admin.get("/api/v1/tracks/\(trackID)").json["album"] as? String == "Homogénique")
            #expect(try await admin.get("/api/v1/tracks/t-nothing").status == 404)

            // Folders: the library's real tree.
            let roots = try await admin.get("/api/v1/folders").jsonArray
            #expect(roots.count == 1)
            let root = try await admin.get("/api/v1/folders/\(try #require(roots.first?["id"] as? String))")
            let sub = try #require(items(root, "folders").first { $0["name"] as? String == "Björk" })
            let artistFolder = try await admin.get("/api/v1/folders/\(try #require(sub["id"] as? String))")
            #expect(
                (artistFolder.json["folder"] as? [String: Any])?["parentId"] as? String == roots.first?["id"] as? String
            )
            let albumFolder = try #require(items(artistFolder, "folders").first)
            let inside = try await admin.get("/api/v1/folders/\(try #require(albumFolder["id"] as? String))")
            #expect(strings(items(inside, "tracks"), "album").allSatisfy { $0 == "Homogénique" })
            #expect(!items(inside, "tracks").isEmpty)
        }
    }

    @Test func starsAndRatings() async throws {
        let inProcess = try await InProcessServer.start(music: [try await FixtureLibrary.shared().root])
        try await inProcess.withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let bob = try await server.addUser("bob", as: admin)
            let search = try await admin.get("/api/v1/search?q=homog")
            let track = try #require(items(search, "tracks").first?["id"] as? String)
            let album = try #require(items(search, "albums").first?["id"] as? String)
            let artist = try #require(items(search, "tracks").first?["artistId"] as? String)

            let starred = try await admin.json(
                "PUT", "/api/v1/me/annotations/\(track)", ["kind": "track", "starred": true, "rating": 4])
            #expect(starred.status == 200, "\(starred.body)")
            #expect(starred.json["starred"] as? Bool == true && starred.json["rating"] as? Int == 4)
            _ = try await admin.json("PUT", "/api/v1/me/annotations/\(album)", ["kind": "album", "starred": true])
            _ = try await admin.json("PUT", "/api/v1/me/annotations/\(artist)", ["kind": "artist", "rating": 5])
            let item = try await admin.get("/api/v1/tracks/\(track)")
            #expect(item.json["starred"] as? Bool == true && item.json["rating"] as? Int == 4)
            let mine = try await admin.get("/api/v1/me/starred")
            #expect(strings(items(mine, "tracks"), "id") == [track])
            #expect(strings(items(mine, "albums"), "id") == [album])
            let albumPage = try await admin.get("/api/v1/albums/\(album)")
            #expect((albumPage.json["album"] as? [String: Any])?["starred"] as? Bool == true)
            #expect(
                (try await admin.get("/api/v1/artists/\(artist)").json["artist"] as? [String: Any])?["rating"] as? Int
                    == 5)

            // Someone else's view is their own.
            #expect(try await bob.get("/api/v1/tracks/\(track)").json["starred"] as? Bool == false)
            #expect(items(try await bob.get("/api/v1/me/starred"), "tracks").isEmpty)

            // Clearing, and bad input.
            let cleared = try await admin.json(
                "PUT", "/api/v1/me/annotations/\(track)", ["kind": "track", "starred": false, "rating": 0])
            #expect(cleared.json["starred"] as? Bool == false && cleared.json["rating"] == nil)
            #expect(
                try await admin.json("PUT", "/api/v1/me/annotations/\(track)", ["kind": "track", "rating": 9]).status
                    == 400
            )
            #expect(try await admin.json("PUT", "/api/v1/me/annotations/\(track)", ["kind": "song"]).status == 400)
            #expect(try await admin.json("PUT", "/api/v1/me/annotations/t-nothing", ["kind": "track"]).status == 404)
        }
    }

    @Test func playlistsWithM3UAndOwnership() async throws {
        let inProcess = try await InProcessServer.start(music: [try await FixtureLibrary.shared().root])
        let manifest = try await FixtureLibrary.shared()
        let ids = try await inProcess.trackIDs().map(\.rawValue)
        try await inProcess.withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let bob = try await server.addUser("bob", as: admin)
            let picked = Array(ids.prefix(4))

            let created = try await admin.json(
                "POST", "/api/v1/playlists", ["name": "Road trip", "trackIds": Array(picked.prefix(2))])
            #expect(created.status == 201, "\(created.body)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["trackCount"] as? Int == 2 && created.json["editable"] as? Bool == true)
            #expect(strings(try await admin.get("/api/v1/playlists").jsonArray, "id") == [id])

            // Rename, reorder and append.
            let renamed = try await admin.json(
                "PATCH", "/api/v1/playlists/\(id)",
                ["name": "Road trip 2", "trackIds": Array(picked.prefix(2).reversed())])
            #expect(renamed.json["name"] as? String == "Road trip 2")
            let appended = try await admin.json(
                "POST", "/api/v1/playlists/\(id)/tracks", ["trackIds": Array(picked.suffix(2))])
            #expect(appended.json["trackCount"] as? Int == 4)
            let detail = try await admin.get("/api/v1/playlists/\(id)")
            #expect(strings(items(detail, "tracks"), "id") == [picked[1], picked[0], picked[2], picked[3]])
            #expect(
                try await admin.json("POST", "/api/v1/playlists/\(id)/tracks", ["trackIds": ["t-nothing"]]).status
                    == 400)
            #expect(try await admin.json("POST", "/api/v1/playlists", ["name": "  "]).status == 400)

            // Private to its owner; once public, others can read it but not change it.
            #expect(try await bob.get("/api/v1/playlists/\(id)").status == 404)
            #expect(try await bob.json("PATCH", "/api/v1/playlists/\(id)", ["name": "mine"]).status == 404)
            _ = try await admin.json("PATCH", "/api/v1/playlists/\(id)", ["public": true])
            let seen = try await bob.get("/api/v1/playlists/\(id)")
            #expect(seen.status == 200 && (seen.json["playlist"] as? [String: Any])?["editable"] as? Bool == false)
            #expect(try await bob.json("PATCH", "/api/v1/playlists/\(id)", ["name": "mine"]).status == 403)
            #expect(try await bob.send("DELETE", "/api/v1/playlists/\(id)").status == 403)

            // M3U out and back in: every entry found again, in order.
            let m3u = try await admin.get("/api/v1/playlists/\(id)/m3u")
            #expect(m3u.status == 200 && m3u.headers["content-type"]?.hasPrefix("audio/x-mpegurl") == true)
            #expect(m3u.headers["content-disposition"]?.contains("Road trip 2.m3u8") == true)
            let lines = m3u.body.split(separator: "\n")
            #expect(lines.first == "#EXTM3U" && lines.count == 9)
            #expect(lines.filter { !$0.hasPrefix("#") }.allSatisfy { $0.hasPrefix(manifest.root.path + "/") })
            let imported = try await admin.send(
                "POST", "/api/v1/playlists/import?name=Again",
                headers: admin.bearer.merging(["Content-Type": "audio/x-mpegurl"]) { a, _ in a },
                body: Data(m3u.body.utf8))
            #expect(imported.status == 201, "\(imported.body)")
            #expect(imported.json["matched"] as? Int == 4 && (imported.json["unmatched"] as? [String])?.isEmpty == true)
            let again = try #require((imported.json["playlist"] as? [String: Any])?["id"] as? String)
            #expect(
                strings(items(try await admin.get("/api/v1/playlists/\(again)"), "tracks"), "id") == [
                    picked[1], picked[0], picked[2], picked[3],
                ])

            // Relative paths and artist/title lines match too; what matches nothing is listed.
            let relative = manifest.tracks[0].path
            let byTitle = manifest.tracks.first { $0.artist == "Caetano Veloso" }!
            let text = """
                #EXTM3U
                \(relative)
                #EXTINF:100,\(byTitle.artist) - \(byTitle.title)
                C:\\Music\\elsewhere\\song.mp3
                /nowhere/missing.flac
                """
            let mixed = try await admin.send("POST", "/api/v1/playlists/import?name=Mixed+bag", body: Data(text.utf8))
            #expect((mixed.json["playlist"] as? [String: Any])?["name"] as? String == "Mixed bag", "+ is a space")
            #expect(mixed.json["matched"] as? Int == 2, "\(mixed.body)")
            #expect(mixed.json["unmatched"] as? [String] == ["/nowhere/missing.flac"])
            #expect(
                try await admin.send("POST", "/api/v1/playlists/import", body: Data("#EXTM3U\n".utf8)).status == 400)

            #expect(try await admin.send("DELETE", "/api/v1/playlists/\(id)").status == 204)
            #expect(try await admin.get("/api/v1/playlists/\(id)").status == 404)
        }
    }

    @Test func playQueueFollowsTheUser() async throws {
        let inProcess = try await InProcessServer.start(music: [try await FixtureLibrary.shared().root])
        let ids = Array(try await inProcess.trackIDs().map(\.rawValue).prefix(3))
        try await inProcess.withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let empty = try await admin.get("/api/v1/me/queue")
            #expect(empty.status == 200 && items(empty, "tracks").isEmpty)

            let saved = try await admin.json(
                "PUT", "/api/v1/me/queue", ["trackIds": ids, "currentIndex": 1, "positionMs": 1234])
            #expect(saved.status == 204, "\(saved.body)")
            // Another device: a second sign-in sees the same queue; so does a Subsonic app.
            let phone = try await server.login("admin", "admin-password-1")
            let queue = try await phone.get("/api/v1/me/queue")
            #expect(strings(items(queue, "tracks"), "id") == ids)
            #expect(queue.json["currentIndex"] as? Int == 1 && queue.json["positionMs"] as? Int == 1234)
            #expect(queue.json["changedBy"] as? String == "web")
            let key = try #require(
                try await admin.json("POST", "/api/v1/me/api-keys", ["name": "app"]).json["key"] as? String)
            let subsonic = try await server.get("/rest/getPlayQueue?apiKey=\(key)&f=json&c=test&v=1.16.1")
            #expect(subsonic.body.contains(ids[1]) && subsonic.body.contains("1234"), "\(subsonic.body)")

            #expect(
                try await admin.json("PUT", "/api/v1/me/queue", ["trackIds": ids, "currentIndex": 3]).status == 400)
            #expect(try await admin.json("PUT", "/api/v1/me/queue", ["trackIds": ["t-nothing"]]).status == 400)
            #expect(try await admin.json("PUT", "/api/v1/me/queue", ["trackIds": [String]()]).status == 204)
            #expect(items(try await admin.get("/api/v1/me/queue"), "tracks").isEmpty)
        }
    }

    @Test func librariesAndLiveScanProgress() async throws {
        let data = try TemporaryDirectory(prefix: "canto-libraries")
        let music = data.appending("music")
        let extra = data.appending("extra")
        for folder in [music, extra] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try AudioClip(seconds: 1).encode(
            .mp3, to: extra.appendingPathComponent("Added Song.mp3"),
            metadata: ["title": "Zephyr Added", "artist": "Extra Artist", "album": "Extra Album"])
        let state = try TemporaryDirectory(prefix: "canto-libraries-data")
        let server = try await TestServer.start(data: state, music: music)
        let admin = try await server.setUpAdmin()
        let bob = try await server.addUser("bob", as: admin)

        let listed = try await admin.get("/api/v1/admin/libraries").jsonArray
        #expect(listed.count == 1 && listed.first?["configured"] as? Bool == true)
        let configuredID = try #require(listed.first?["id"] as? String)
        #expect(try await admin.send("DELETE", "/api/v1/admin/libraries/\(configuredID)").status == 409)
        #expect(try await admin.json("POST", "/api/v1/admin/libraries", ["path": "/no/such/folder"]).status == 400)
        #expect(try await admin.json("POST", "/api/v1/admin/libraries", ["path": "relative/path"]).status == 400)
        #expect(try await bob.json("POST", "/api/v1/admin/libraries", ["path": extra.path]).status == 403)
        #expect(try await bob.get("/api/v1/admin/scan/events").status == 403)

        // Listen for scan events, then add the folder: its scan shows progress and then "done".
        let events = data.appending("events.txt")
        let curl = try Shell.start(
            "exec curl -sN --max-time 60 -H 'Authorization: Bearer \(admin.token)' "
                + "'\(server.url("/api/v1/admin/scan/events"))' > '\(events.path)'")
        defer { kill(curl.processIdentifier, SIGKILL) }
        // Connected once the stream's first event (the state at connection) has arrived.
        let connectBy = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < connectBy,
            !((try? String(contentsOf: events, encoding: .utf8)) ?? "").contains("event: progress")
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        let added = try await admin.json("POST", "/api/v1/admin/libraries", ["path": extra.path, "name": "Extra"])
        #expect(added.status == 201, "\(added.body)")
        #expect(try await admin.json("POST", "/api/v1/admin/libraries", ["path": extra.path]).status == 409)
        let deadline = ContinuousClock.now + .seconds(30)
        var text = ""
        while ContinuousClock.now < deadline, !text.contains("event: done") {
            try await Task.sleep(for: .milliseconds(100))
            text = (try? String(contentsOf: events, encoding: .utf8)) ?? ""
        }
        #expect(text.hasPrefix("event: progress\ndata: {"), "\(text.prefix(200))")
        let done = try #require(text.components(separatedBy: "event: done\ndata: ").dropFirst().first)
        let finished = try #require(
            try JSONSerialization.jsonObject(with: Data(done.prefix { $0 != "\n" }.utf8)) as? [String: Any])
        #expect((finished["summary"] as? [String: Any])?["added"] as? Int == 1)
        #expect(finished["running"] as? Bool == false)
        #expect(strings(items(try await admin.get("/api/v1/search?q=zephyr"), "tracks"), "title") == ["Zephyr Added"])

        // The added folder is kept in the database: a server started on the same data sees it.
        let second = try await TestServer.start(data: state, music: music)
        let secondAdmin = try await second.login("admin", "admin-password-1")
        #expect(try await secondAdmin.get("/api/v1/admin/libraries").jsonArray.count == 2)
        second.process.signal(SIGKILL)

        // Removing it removes its tracks with the scan it starts.
        let now = try await admin.get("/api/v1/admin/libraries").jsonArray
        let addedID = try #require(now.first { $0["configured"] as? Bool == false }?["id"] as? String)
        #expect(try await admin.send("DELETE", "/api/v1/admin/libraries/\(addedID)").status == 204)
        var gone = false
        for _ in 0..<100 where !gone {
            try await Task.sleep(for: .milliseconds(100))
            gone = items(try await admin.get("/api/v1/search?q=zephyr"), "tracks").isEmpty
        }
        #expect(gone, "the removed folder's tracks left the catalog")
        #expect(try await admin.get("/api/v1/admin/libraries").jsonArray.count == 1)
    }
}
