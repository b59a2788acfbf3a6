import CantoCore
import CantoTestSupport
import Foundation
import Testing

/// The accounts part of the native API: the setup link and what reaches the log against
/// `canto serve`; CSRF, headers, limits and admin-only operations in process, on the router.
@Suite("Accounts API", .serialized)
struct AccountsAPITests {
    @Test func firstRunSetupLinkWorksOnce() async throws {
        let server = try await TestServer.start(scan: false)
        let token = try #require(server.setupToken)
        #expect(try await HTTP.get(server.url("/api/v1/auth/setup")).json["setupRequired"] as? Bool == true)

        let wrong = try await HTTP.json(
            "POST", server.url("/api/v1/auth/setup"),
            ["token": "not-the-token", "username": "eve", "password": "password-1"])
        #expect(wrong.status == 403)
        #expect(wrong.errorCode == "setup_closed")

        let admin = try await server.setUpAdmin()
        let me = try await admin.get("/api/v1/me")
        #expect(me.json["role"] as? String == "admin")

        let again = try await HTTP.json(
            "POST", server.url("/api/v1/auth/setup"), ["token": token, "username": "mallory", "password": "password-1"])
        #expect(again.status == 403)
        #expect(try await HTTP.get(server.url("/api/v1/auth/setup")).json["setupRequired"] as? Bool == false)
        let users = try await admin.get("/api/v1/admin/users")
        #expect(users.jsonArray.map { $0["username"] as? String } == ["admin"])
    }

    @Test func loginSessionsCookiesAndLogout() async throws {
        let server = try await TestServer.start(scan: false)
        let admin = try await server.setUpAdmin()

        let wrong = try await HTTP.json(
            "POST", server.url("/api/v1/auth/login"), ["username": "admin", "password": "wrong-password"])
        #expect(wrong.status == 401)
        #expect(wrong.errorCode == "invalid_credentials")
        let unknown = try await HTTP.json(
            "POST", server.url("/api/v1/auth/login"), ["username": "nobody", "password": "wrong-password"])
        #expect(unknown.status == 401)
        #expect(unknown.body == wrong.body)

        let login = try await HTTP.json(
            "POST", server.url("/api/v1/auth/login"), ["username": "admin", "password": "admin-password-1"])
        let cookie = try #require(login.headers["set-cookie"])
        #expect(cookie.contains("canto_session="))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        let token = try #require(login.json["token"] as? String)
        #expect(token.count >= 43)  // 256 bits, base64url
        #expect(cookie.contains(token))

        // Cookie and bearer both work; nothing without either.
        #expect(
            try await HTTP.get(server.url("/api/v1/me"), headers: ["Cookie": "canto_session=\(token)"]).status == 200)
        #expect(
            try await HTTP.get(server.url("/api/v1/me"), headers: ["Authorization": "Bearer \(token)"]).status == 200)
        #expect(try await HTTP.get(server.url("/api/v1/me")).status == 401)
        #expect(try await HTTP.get(server.url("/api/v1/me"), headers: ["Authorization": "Bearer forged"]).status == 401)

        // Two sessions; one revokes the other.
        let sessions = try await admin.get("/api/v1/me/sessions").jsonArray
        #expect(sessions.count == 2)
        let other = try #require(sessions.first { $0["current"] as? Bool == false }?["id"] as? String)
        #expect(try await admin.send("DELETE", "/api/v1/me/sessions/\(other)").status == 204)
        #expect(
            try await HTTP.get(server.url("/api/v1/me"), headers: ["Authorization": "Bearer \(token)"]).status == 401)

        let logout = try await admin.send("POST", "/api/v1/auth/logout")
        #expect(logout.status == 204)
        #expect(logout.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try await admin.get("/api/v1/me").status == 401)
        server.expectLogFree(of: [token, admin.token, "admin-password-1"])
    }

    @Test func csrfSecurityHeadersAndBodyLimits() async throws {
        try await InProcessServer.start().withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let cookieOnly = ["Cookie": "canto_session=\(admin.token)"]
            let update = ["displayName": "Root"]

            let noOrigin = try await server.json("PATCH", "/api/v1/me", update, headers: cookieOnly)
            #expect(noOrigin.status == 403)
            #expect(noOrigin.errorCode == "cross_origin")
            var foreign = cookieOnly
            foreign["Origin"] = "http://evil.example"
            #expect(try await server.json("PATCH", "/api/v1/me", update, headers: foreign).status == 403)
            #expect(try await admin.json("PATCH", "/api/v1/me", update, headers: admin.cookie).status == 200)
            var referer = cookieOnly
            referer["Referer"] = server.base + "/settings"
            #expect(try await server.json("PATCH", "/api/v1/me", update, headers: referer).status == 200)
            // A bearer token is never sent by a browser on its own: no Origin needed.
            #expect(try await admin.json("PATCH", "/api/v1/me", update).status == 200)

            for path in ["/", "/healthz", "/api/v1/me", "/api/v1/nope", "/api/openapi.json"] {
                let response = try await server.get(path)
                let csp = try #require(response.headers["content-security-policy"], "\(path)")
                #expect(csp.contains("script-src 'self'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(response.headers["x-content-type-options"] == "nosniff")
                #expect(response.headers["referrer-policy"] == "same-origin")
            }

            let huge = Data(
                ("{\"username\":\"" + String(repeating: "a", count: 200_000) + "\",\"password\":\"x\"}").utf8)
            let tooLarge = try await server.request(
                "POST", "/api/v1/auth/login", headers: ["Content-Type": "application/json"], body: huge)
            #expect(tooLarge.status == 413)
            let garbage = try await server.request(
                "POST", "/api/v1/auth/login", headers: ["Content-Type": "application/json"],
                body: Data("{not json".utf8))
            #expect(garbage.status == 400)
            #expect(garbage.errorCode == "bad_request")
            #expect(!garbage.body.contains("DecodingError"))
        }
    }

    @Test func adminOnlyOperations() async throws {
        try await InProcessServer.start().withTransport { server in
            let admin = try await server.login("admin", "admin-password-1")
            let user = try await server.addUser("bob", as: admin)
            for (method, path) in [
                ("GET", "/api/v1/admin/users"), ("POST", "/api/v1/admin/users"),
                ("GET", "/api/v1/admin/users/\(admin.userID)"),
                ("PATCH", "/api/v1/admin/users/\(admin.userID)"), ("DELETE", "/api/v1/admin/users/\(admin.userID)"),
                ("PUT", "/api/v1/admin/users/\(admin.userID)/password"),
                ("GET", "/api/v1/admin/users/\(admin.userID)/sessions"),
                ("GET", "/api/v1/admin/audit"), ("GET", "/api/v1/admin/libraries"), ("GET", "/api/v1/admin/scan"),
                ("POST", "/api/v1/admin/scan"), ("GET", "/api/v1/admin/plugins"),
            ] {
                let asUser = try await user.json(method, path, ["role": "admin", "newPassword": "x-password-9"])
                #expect(asUser.status == 403, "\(method) \(path)")
                let anonymous = try await server.json(method, path, [:])
                #expect(anonymous.status == 401, "\(method) \(path)")
            }
            // The admin can; the last admin cannot be demoted or deleted.
            let plugins = try await admin.get("/api/v1/admin/plugins").jsonArray
            let local = plugins.first { ($0["descriptor"] as? [String: Any])?["id"] as? String == "local" }
            #expect(local?["state"] as? String == "running")
            let demote = try await admin.json("PATCH", "/api/v1/admin/users/\(admin.userID)", ["role": "user"])
            #expect(demote.status == 409)
            #expect(try await admin.send("DELETE", "/api/v1/admin/users/\(admin.userID)").status == 409)
            let unknownLibrary = try await admin.json(
                "PATCH", "/api/v1/admin/users/\(user.userID)", ["libraryIds": ["no-such-library"]])
            #expect(unknownLibrary.status == 400)
            let library = try #require(try await admin.get("/api/v1/admin/libraries").jsonArray.first?["id"] as? String)
            let limited = try await admin.json(
                "PATCH", "/api/v1/admin/users/\(user.userID)",
                ["libraryIds": [library], "maxBitrate": 192, "canDownload": false])
            #expect(limited.json["libraryIds"] as? [String] == [library])
            #expect(limited.json["maxBitrate"] as? Int == 192)
            #expect(limited.json["canDownload"] as? Bool == false)
            let promote = try await admin.json("PATCH", "/api/v1/admin/users/\(user.userID)", ["role": "admin"])
            #expect(promote.json["role"] as? String == "admin")
            #expect(try await user.get("/api/v1/admin/users").status == 200)

            let events = try await admin.get("/api/v1/admin/audit?limit=100").json["items"] as? [[String: Any]] ?? []
            let kinds = Set(events.compactMap { $0["kind"] as? String })
            #expect(kinds.isSuperset(of: ["user.created", "login.succeeded", "user.role_changed"]))
        }
    }
}
