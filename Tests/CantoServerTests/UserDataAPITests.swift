import CantoCore
import CantoTestSupport
import Foundation
import Testing

/// What a user owns through the native API: profile, preferences, avatar, credentials,
/// history, export; and that nobody else can reach it.
@Suite("User data API", .serialized)
struct UserDataAPITests {
    @Test func isolationMatrix() async throws {
        let inProcess = try await InProcessServer.start()
        let track = try #require(try await inProcess.trackIDs().first)
        try await inProcess.withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let alice = try await server.addUser("alice", as: admin)
            let bob = try await server.addUser("bob", as: admin)

            // Alice's things.
            let key = try await alice.json("POST", "/api/v1/me/api-keys", ["name": "phone"])
            let keyID = try #require(key.json["id"] as? String)
            let play = try await alice.json(
                "POST", "/api/v1/me/history", ["trackId": track.rawValue, "secondsPlayed": 100])
            let playID = try #require(play.json["id"] as? Int)
            let aliceSession = try #require(
                try await alice.get("/api/v1/me/sessions").jsonArray.first?["id"] as? String)

            // Bob tries each one through every endpoint that takes an ID.
            let attempts: [(String, String)] = [
                ("DELETE", "/api/v1/me/api-keys/\(keyID)"), ("DELETE", "/api/v1/me/history/\(playID)"),
                ("DELETE", "/api/v1/me/sessions/\(aliceSession)"), ("GET", "/api/v1/admin/users/\(alice.userID)"),
                ("PATCH", "/api/v1/admin/users/\(alice.userID)"), ("DELETE", "/api/v1/admin/users/\(alice.userID)"),
                ("PUT", "/api/v1/admin/users/\(alice.userID)/password"),
                ("GET", "/api/v1/admin/users/\(alice.userID)/sessions"),
                ("DELETE", "/api/v1/admin/sessions/\(aliceSession)"),
            ]
            for (method, path) in attempts {
                let result = try await bob.json(method, path, ["newPassword": "taken-over-1", "role": "admin"])
                #expect([403, 404].contains(result.status), "\(method) \(path) gave \(result.status)")
                #expect(!result.body.contains("phone") && !result.body.contains(track.rawValue), "\(method) \(path)")
            }
            // Bob's own lists never show Alice's things.
            #expect(try await bob.get("/api/v1/me/api-keys").jsonArray.isEmpty)
            #expect((try await bob.get("/api/v1/me/history").json["items"] as? [Any])?.isEmpty == true)
            #expect(try await bob.get("/api/v1/me/sessions").jsonArray.count == 1)
            let export = try await bob.get("/api/v1/me/export")
            #expect(!export.body.contains(track.rawValue) && !export.body.contains("phone"))

            // Alice's things are untouched.
            #expect(try await alice.get("/api/v1/me/api-keys").jsonArray.map { $0["id"] as? String } == [keyID])
            #expect((try await alice.get("/api/v1/me/history").json["items"] as? [Any])?.count == 1)
            #expect(try await alice.get("/api/v1/me").status == 200)
            #expect(try await server.login("alice", "user-password-1").token.isEmpty == false)
        }
    }

    @Test func profilePreferencesAndAvatar() async throws {
        try await InProcessServer.start().withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let profile = try await admin.json(
                "PATCH", "/api/v1/me", ["displayName": "Ana Maria", "email": "ana@example.org"])
            #expect(profile.json["displayName"] as? String == "Ana Maria")
            #expect(try await admin.json("PATCH", "/api/v1/me", ["email": "not-an-address"]).status == 400)

            let defaults = try await admin.get("/api/v1/me/preferences")
            #expect(defaults.json["streamFormat"] as? String == "raw")
            let wanted: [String: Any] = [
                "streamFormat": "opus", "maxBitrate": 128, "theme": "dark", "language": "pt-BR", "scrobbling": false,
                "listeningVisible": false,
            ]
            #expect(try await admin.json("PUT", "/api/v1/me/preferences", wanted).status == 200)
            let saved = try await admin.get("/api/v1/me/preferences").json
            #expect(saved["streamFormat"] as? String == "opus")
            #expect(saved["maxBitrate"] as? Int == 128)
            #expect(saved["listeningVisible"] as? Bool == false)
            var bad = wanted
            bad["streamFormat"] = "wma"
            #expect(try await admin.json("PUT", "/api/v1/me/preferences", bad).status == 400)

            // Avatars: checked by content and size, served with their type.
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 7, count: 100))
            var headers = admin.bearer
            headers["Content-Type"] = "image/png"
            #expect(try await admin.send("PUT", "/api/v1/me/avatar", headers: headers, body: png).status == 204)
            let fetched = try await admin.get("/api/v1/users/\(admin.userID)/avatar")
            #expect(fetched.data == png)
            #expect(fetched.headers["content-type"] == "image/png")
            headers["Content-Type"] = "image/png"
            let text = Data("<svg onload=alert(1)>".utf8)
            #expect(try await admin.send("PUT", "/api/v1/me/avatar", headers: headers, body: text).status == 415)
            headers["Content-Type"] = "image/jpeg"
            #expect(try await admin.send("PUT", "/api/v1/me/avatar", headers: headers, body: png).status == 415)
            let big = Data([0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0, count: 3 * 1024 * 1024))
            #expect(try await admin.send("PUT", "/api/v1/me/avatar", headers: headers, body: big).status == 413)
            #expect(try await admin.send("DELETE", "/api/v1/me/avatar").status == 204)
            #expect(try await admin.get("/api/v1/me/avatar").status == 404)
        }
    }

    @Test func passwordsAppPasswordsAndAPIKeysStayOneWay() async throws {
        let server = try await TestServer.start(scan: false)
        let admin = try await server.setUpAdmin()
        let created = try await admin.json(
            "POST", "/api/v1/admin/users", ["username": "carol", "password": "carol-secret-pass", "role": "user"])
        let appPassword = try #require(created.json["appPassword"] as? String)
        let carol = try await server.login("carol", "carol-secret-pass")
        let regenerated = try #require(
            try await carol.send("POST", "/api/v1/me/app-password").json["secret"] as? String)
        #expect(regenerated != appPassword)
        let key = try #require(
            try await carol.json("POST", "/api/v1/me/api-keys", ["name": "car"]).json["key"] as? String)
        #expect(try await carol.get("/api/v1/me/api-keys").jsonArray.first?["key"] == nil)

        // A weak password is refused; a change signs out other sessions.
        #expect(
            try await carol.json(
                "PUT", "/api/v1/me/password", ["currentPassword": "carol-secret-pass", "newPassword": "short"]
            )
            .status == 400)
        #expect(
            try await carol.json(
                "PUT", "/api/v1/me/password", ["currentPassword": "wrong", "newPassword": "another-pass-2"]
            )
            .status == 403)
        #expect(
            try await carol.json(
                "PUT", "/api/v1/me/password", ["currentPassword": "carol-secret-pass", "newPassword": "another-pass-2"]
            ).status == 204)
        #expect(try await carol.get("/api/v1/me").status == 401)
        _ = try await server.login("carol", "another-pass-2")

        // The database file holds none of them in plain text.
        var bytes = Data()
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: server.data.appending("canto.db\(suffix)").path) {
                bytes.append(data)
            }
        }
        #expect(bytes.count > 0)
        for secret in [
            "carol-secret-pass", "another-pass-2", "admin-password-1", appPassword, regenerated, key, carol.token,
        ] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "a secret is stored in plain text")
        }
        let keyFile = try FileManager.default.attributesOfItem(atPath: server.data.appending("secret.key").path)
        #expect((keyFile[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let keyBytes = try #require(FileManager.default.contents(atPath: server.data.appending("secret.key").path))
        let keyForms = [keyBytes.base64EncodedString(), keyBytes.map { String(format: "%02x", $0) }.joined()]
        server.expectLogFree(
            of: ["carol-secret-pass", "another-pass-2", appPassword, regenerated, key, carol.token] + keyForms)
    }

    @Test func listeningHistoryPagingFiltersDeletionAndExports() async throws {
        let inProcess = try await InProcessServer.start()
        let tracks = try await inProcess.trackIDs()
        try await inProcess.withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let days = ["2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z", "2026-01-03T10:00:00Z", "2026-01-04T10:00:00Z"]
            for (index, day) in days.enumerated() {
                let result = try await admin.json(
                    "POST", "/api/v1/me/history",
                    [
                        "trackId": tracks[index].rawValue, "startedAt": day, "secondsPlayed": index == 0 ? 0 : 600,
                        "client": "test",
                    ])
                #expect(result.status == 201)
            }
            #expect(
                try await admin.json("POST", "/api/v1/me/history", ["trackId": "t-missing", "secondsPlayed": 1]).status
                    == 404)

            let page = try await admin.get("/api/v1/me/history?limit=2")
            #expect(page.json["total"] as? Int == 4)
            let items = try #require(page.json["items"] as? [[String: Any]])
            #expect(items.map { $0["trackId"] as? String } == [tracks[3].rawValue, tracks[2].rawValue])
            #expect(items.first?["title"] as? String != nil)
            let second = try await admin.get("/api/v1/me/history?limit=2&offset=2").json["items"] as? [[String: Any]]
            #expect(second?.last?["scrobble"] as? Bool == false)  // 0 s of a track is no scrobble
            #expect(second?.first?["scrobble"] as? Bool == true)
            let filtered = try await admin.get("/api/v1/me/history?from=2026-01-02&to=2026-01-04")
            #expect(filtered.json["total"] as? Int == 2)
            #expect(try await admin.get("/api/v1/me/history?from=yesterday").status == 400)

            let csv = try await admin.get("/api/v1/me/history.csv")
            #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
            let lines = csv.body.split(separator: "\r\n")
            #expect(lines.first == "started_at,track_id,title,artist,album,seconds_played,scrobble,client")
            #expect(lines.count == 5)

            let export = try await admin.get("/api/v1/me/export").json
            #expect((export["history"] as? [Any])?.count == 4)
            #expect((export["profile"] as? [String: Any])?["username"] as? String == "admin")
            #expect(export["preferences"] != nil)

            let oneID = try #require(items.first?["id"] as? Int)
            #expect(try await admin.send("DELETE", "/api/v1/me/history/\(oneID)").status == 204)
            #expect(try await admin.send("DELETE", "/api/v1/me/history/\(oneID)").status == 404)
            #expect(try await admin.send("DELETE", "/api/v1/me/history").status == 400)
            let ranged = try await admin.send("DELETE", "/api/v1/me/history?from=2026-01-01&to=2026-01-03")
            #expect(ranged.json["deleted"] as? Int == 2)
            #expect(try await admin.get("/api/v1/me/history").json["total"] as? Int == 1)
        }
    }

    @Test func trustedProxiesAloneSetTheClientAddress() async throws {
        let trusting = try await TestServer.start(
            environment: ["CANTO_SERVER_TRUSTED_PROXIES": "127.0.0.1"], scan: false)
        let admin = try await trusting.setUpAdmin()
        _ = try await HTTP.json(
            "POST", trusting.url("/api/v1/auth/login"), ["username": "admin", "password": "nope-nope-1"],
            headers: ["X-Forwarded-For": "203.0.113.7, 127.0.0.1", "X-Forwarded-Proto": "https"])
        let events = try await admin.get("/api/v1/admin/audit").json["items"] as? [[String: Any]] ?? []
        #expect(events.first { $0["kind"] as? String == "login.failed" }?["address"] as? String == "203.0.113.7")

        let plain = try await TestServer.start(scan: false)
        let root = try await plain.setUpAdmin()
        _ = try await HTTP.json(
            "POST", plain.url("/api/v1/auth/login"), ["username": "admin", "password": "nope-nope-1"],
            headers: ["X-Forwarded-For": "203.0.113.7"])
        let logged = try await root.get("/api/v1/admin/audit").json["items"] as? [[String: Any]] ?? []
        #expect(logged.first { $0["kind"] as? String == "login.failed" }?["address"] as? String == "127.0.0.1")
    }
}
