import CantoCore
import CantoTestSupport
import Crypto
import Foundation
import ScrobblerFakes
import Testing

/// The real binary with JSON logs at `trace` and the access log on, taken through every way a
/// secret enters the server (passwords, Subsonic `p`/`enc:`/token and salt/API key, a new API key,
/// a linked scrobbler's token, a webhook secret set on the admin page, a payment): no secret may
/// appear in any line of either log, while the lines carry the request id, route, user and duration.
@Suite("Secrets in logs")
struct SecretsInLogsTests {
    static func random(_ prefix: String) -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    static func hex(_ text: String) -> String { Data(text.utf8).map { String(format: "%02x", $0) }.joined() }

    static func md5(_ text: String) -> String {
        Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Waits (60 s at most) until `condition` holds.
    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func noSecretReachesTheLogOrTheAccessLog() async throws {
        try await FakeStripe.run { stripe, stripeBase in
            try await FakeListenBrainz.run { listenBrainz, listenBrainzBase in
                try await Self.walk(stripe: stripe, stripeBase: stripeBase, listenBrainz, listenBrainzBase)
            }
        }
    }

    static func walk(
        stripe: FakeStripe, stripeBase: String, _ listenBrainz: FakeListenBrainz, _ listenBrainzBase: String
    ) async throws {
        let data = try TemporaryDirectory(prefix: "canto-secrets")
        let accessLog = data.url.appendingPathComponent("access.log")
        let listenBrainzToken = random("lbtok")
        await listenBrainz.addToken(listenBrainzToken, user: "lena-lb")
        let server = try await TestServer.start(
            environment: [
                "CANTO_LOG_FORMAT": "json", "CANTO_LOG_LEVEL": "trace", "CANTO_LOG_ACCESS_LOG": accessLog.path,
                "CANTO_PLUGINS_LISTENBRAINZ_BASE_URL": listenBrainzBase,
                "CANTO_PLUGINS_STRIPE_ENABLED": "true", "CANTO_PLUGINS_STRIPE_SECRET_KEY": FakeStripe.secretKey,
                "CANTO_PLUGINS_STRIPE_API_URL": stripeBase,
            ], scan: false, data: data)
        var secrets = [FakeStripe.secretKey, listenBrainzToken]

        // Sign-in with passwords: the admin (through the setup link), then a listener.
        let adminPassword = random("adminpw")
        let admin = try await server.setUpAdmin(password: adminPassword)
        let password = random("lenapw")
        let created = try await admin.json(
            "POST", "/api/v1/admin/users", ["username": "lena", "password": password, "role": "user"])
        #expect(created.status == 201, "\(created.body)")
        let appPassword = try #require(created.json["appPassword"] as? String)
        let lena = try await server.login("lena", password)
        let wrong = try await server.json(
            "POST", "/api/v1/auth/login", ["username": "lena", "password": password + "x"])
        #expect(wrong.status == 401)
        secrets += [adminPassword, password, password + "x", appPassword, admin.token, lena.token]

        // An API key, then every Subsonic credential in the query string.
        let key = try await lena.json("POST", "/api/v1/me/api-keys", ["name": "phone"])
        #expect(key.status == 201, "\(key.body)")
        let apiKey = try #require(key.json["key"] as? String, "\(key.body)")
        let salt = random("salt")
        let token = md5(appPassword + salt)
        secrets += [apiKey, salt, token, hex(password), hex(appPassword)]
        for credentials in [
            "u=lena&p=\(password)", "u=lena&p=enc:\(hex(password))", "u=lena&p=enc:\(hex(appPassword))",
            "u=lena&t=\(token)&s=\(salt)", "apiKey=\(apiKey)",
        ] {
            let ping = try await server.get("/rest/ping.view?\(credentials)&v=1.16.1&c=secrets&f=json")
            #expect(ping.body.contains("\"status\":\"ok\""), "\(credentials.prefix(6)): \(ping.body)")
        }

        // A scrobbler account linked with its token.
        let linked = try await lena.json(
            "PUT", "/api/v1/me/linked-accounts/listenbrainz", ["token": listenBrainzToken])
        #expect(linked.status == 200, "\(linked.body)")

        // The webhook secret set on the admin page, then a payment through it.
        let webhookSecret = await stripe.signingSecret
        secrets.append(webhookSecret)
        let settings = try await admin.json(
            "PUT", "/api/v1/admin/plugins/stripe", ["values": ["webhook_secret": webhookSecret]])
        #expect(settings.status == 200, "\(settings.body)")
        let plan = try await admin.json(
            "PUT", "/api/v1/admin/plans/premium",
            [
                "name": "Premium", "priceMinor": 499, "currency": "EUR", "interval": "month", "trialDays": 0,
                "entitlements": ["originalFiles": true, "downloads": true, "shares": true] as [String: Any],
            ])
        #expect(plan.status == 200, "\(plan.body)")
        await stripe.setEndpoint(server.url("/plugins/stripe/webhook"))
        let checkout = try await lena.json("POST", "/api/v1/me/plan/checkout", ["planId": "premium"])
        let session = String((checkout.json["url"] as? String ?? "").split(separator: "/").last ?? "")
        #expect(await stripe.pay(session: session) == nil, "\(checkout.body)")
        try await waitUntil("the payment is processed") {
            let mine = try await lena.get("/api/v1/me/plan")
            return (mine.json["plan"] as? [String: Any])?["id"] as? String == "premium"
        }

        // The last request, then both logs up to it.
        let marker = random("marker")
        _ = try await server.get("/healthz?marker=\(marker)")
        try await waitUntil("the logs reach the last request") {
            let access = (try? String(contentsOf: accessLog, encoding: .utf8)) ?? ""
            return server.process.text.contains(marker) && access.contains(marker)
        }
        server.process.signal(SIGTERM)
        try await server.process.waitForExit()
        let access = try String(contentsOf: accessLog, encoding: .utf8)
        let lines = server.process.text.split(separator: "\n").map(String.init)
        let structured = lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(structured.count > 20, "the log is JSON, one object a line")
        let accessLines = access.split(separator: "\n")
        #expect(accessLines.count > 15, "\(access)")

        // The one secret meant for the log (the setup link) is found there: the search reads the real log.
        let setupToken = try #require(server.setupToken)
        let setupLogged = server.process.text.contains(setupToken)
        #expect(setupLogged)
        // Each secret, as sent and as it could be escaped on the way (percent- and JSON-encoded).
        for secret in Set(secrets) {
            let forms = Set([secret, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret])
            for form in forms {
                // Booleans, so a failure names the secret's start, not the whole log.
                let inLog = server.process.text.contains(form)
                let inAccessLog = access.contains(form)
                #expect(!inLog, "a secret (\(secret.prefix(5))…) reached the log")
                #expect(!inAccessLog, "a secret (\(secret.prefix(5))…) reached the access log")
            }
        }

        // What the lines do carry: the request id on every request line, the route, the user once
        // signed in, the duration; the masked query in both logs; the scanner's and plugins' lines
        // their subsystem.
        let requests = structured.filter { $0["msg"] as? String == "request" }
        #expect(requests.count == accessLines.count, "one access line a request")
        #expect(requests.allSatisfy { $0["hb.request.id"] != nil && $0["http.ms"] != nil })
        let subsonic = requests.filter { ($0["http.path"] as? String)?.hasPrefix("/rest/ping") == true }
        #expect(subsonic.count == 5)
        #expect(subsonic.allSatisfy { $0["user.id"] as? String == lena.userID && $0["http.route"] != nil })
        #expect(subsonic.contains { ($0["http.path"] as? String)?.contains("apiKey=***") == true })
        let native = requests.filter { $0["http.path"] as? String == "/api/v1/me/plan" }
        #expect(!native.isEmpty && native.allSatisfy { $0["user.id"] as? String == lena.userID })
        #expect(native.allSatisfy { $0["http.route"] as? String == "/api/v1/me/plan" })
        let maskedLine = access.contains("\"GET /rest/ping.view?apiKey=***&v=1.16.1&c=secrets&f=json HTTP/1.1\" 200")
        let signedInLine = access.contains(" - lena [")
        #expect(maskedLine && signedInLine, "the access log masks the key and names the user")
        let pluginLines = structured.filter { $0["plugin.id"] != nil }
        #expect(!pluginLines.isEmpty && pluginLines.allSatisfy { $0["subsystem"] as? String == "plugins" })
    }
}
