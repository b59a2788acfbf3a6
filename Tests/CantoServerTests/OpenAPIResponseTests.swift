import CantoCore
import CantoTestSupport
import Foundation
import HTTPTypes
import ScrobblerFakes
import Testing

@testable import CantoServer

/// Every JSON answer of the native API, checked against the schema its operation names in the
/// OpenAPI document: a field the schema lacks, a required one missing or a wrong type is drift.
/// Each documented operation with a JSON answer must be called here, so a new one without a
/// case fails.
@Suite("OpenAPI responses")
struct OpenAPIResponseTests {
    /// Operations whose answer is checked through another operation with the same schema,
    /// because a test server cannot reach their success: the first-admin setup needs a server
    /// with no users (`admin/users` POST answers the same `NewUserResult`).
    static let checkedElsewhere: Set<String> = ["post /api/v1/auth/setup"]

    @Test func everyJSONAnswerMatchesItsSchema() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("lb-token", user: "lb-admin")
            try await Self.walk(base)
        }
    }

    static func walk(_ listenBrainz: String) async throws {
        // Last.fm enabled too (its authorize answer needs no network).
        let server = try await InProcessServer.start(
            plugins: [PlansTests.PayTest.self],
            environment: ScrobblerTests.environment(listenBrainz)
                .merging([
                    "CANTO_PLUGINS_LASTFM_ENABLED": "true", "CANTO_PLUGINS_LASTFM_API_KEY": "fake-api-key",
                    "CANTO_PLUGINS_LASTFM_SHARED_SECRET": "fake-shared-secret",
                    "CANTO_PLUGINS_LASTFM_BASE_URL": "http://127.0.0.1:9/2.0",
                    "CANTO_PLUGINS_LASTFM_AUTH_URL": "http://127.0.0.1:9/api/auth/",
                ]) { a, _ in a })
        let token = try await server.addAdminSession()
        // A web player's session (its stream is read by SessionTests).
        let (player, _, _) = await server.services.sessions.join(
            id: nil, user: server.admin.id, name: "Kitchen", client: "walk", device: nil)
        let playerID = player.id
        // Every track measured, so recommendations and paths answer from the sonic index.
        await server.services.sonic.runOnce()
        let trackIDs = try await server.trackIDs()
        let check = try SchemaCheck()
        let walk = Walk(check: check)
        let extra = server.data.url.appendingPathComponent("extra")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        try await server.withClient { client in
            @Sendable func call(
                _ template: String, _ uri: String? = nil, json: Any? = nil, body: String? = nil,
                contentType: String? = nil
            ) async throws -> [String: Any] {
                let parts = template.split(separator: " ", maxSplits: 1).map(String.init)
                let answer = try await client.send(
                    HTTPRequest.Method(rawValue: parts[0].uppercased()) ?? .get, uri ?? parts[1], token: token,
                    json: json, body: body, contentType: contentType)
                return try walk.record(template, answer)
            }
            func items(_ page: [String: Any]) -> [[String: Any]] { page["items"] as? [[String: Any]] ?? [] }

            // The catalog.
            let artists = try await call("get /api/v1/artists", "/api/v1/artists?limit=1")
            #expect(artists["more"] as? Bool == true)
            let artist = try #require(items(artists).first?["id"] as? String)
            _ = try await call("get /api/v1/artists/{id}", "/api/v1/artists/\(artist)")
            let album = try #require(
                items(try await call("get /api/v1/albums", "/api/v1/albums?limit=1")).first?["id"] as? String)
            let detail = try await call("get /api/v1/albums/{id}", "/api/v1/albums/\(album)")
            let discs = try #require(detail["discs"] as? [[String: Any]])
            let track = try #require((discs.first?["tracks"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await call("get /api/v1/tracks/{id}", "/api/v1/tracks/\(track)")
            _ = try await call("get /api/v1/tracks/{id}/similar", "/api/v1/tracks/\(track)/similar?limit=3")
            _ = try await call("get /api/v1/radio", "/api/v1/radio?seedType=track&seed=\(track)&limit=3")
            let path = try await call(
                "get /api/v1/sonic-path",
                "/api/v1/sonic-path?from=\(trackIDs[0].rawValue)&to=\(trackIDs[1].rawValue)&count=3")
            #expect(items(path).count == 3, "\(path)")
            _ = try await call(
                "put /api/v1/tracks/{id}/feedback", "/api/v1/tracks/\(track)/feedback", json: ["value": "up"])
            _ = try await call("get /api/v1/tracks/{id}/feedback", "/api/v1/tracks/\(track)/feedback")
            _ = try await call("get /api/v1/mixes")
            _ = try await call("get /api/v1/me/stats/listening", "/api/v1/me/stats/listening?period=30d&unit=week")
            _ = try await call("get /api/v1/me/stats/top", "/api/v1/me/stats/top?period=all&kind=tracks")
            _ = try await call("get /api/v1/me/stats/habits", "/api/v1/me/stats/habits?period=7d")
            _ = try await call("get /api/v1/me/stats/taste", "/api/v1/me/stats/taste?period=12m")
            _ = try await call("get /api/v1/me/stats/year/{year}", "/api/v1/me/stats/year/2026")
            _ = try await call("get /api/v1/stats/household", "/api/v1/stats/household?period=all&kind=artists")
            _ = try await call("post /api/v1/mixes/refresh")
            _ = try await call("get /api/v1/genres")
            let folder = try #require(items(try await call("get /api/v1/folders")).first?["id"] as? String)
            _ = try await call("get /api/v1/folders/{id}", "/api/v1/folders/\(folder)")
            _ = try await call("get /api/v1/search", "/api/v1/search?q=bright")
            _ = try await call(
                "put /api/v1/me/annotations/{id}", "/api/v1/me/annotations/\(track)",
                json: ["kind": "track", "starred": true, "rating": 4])
            _ = try await call("get /api/v1/me/starred")

            // Playlists and the queue.
            let playlist = try #require(
                try await call("post /api/v1/playlists", json: ["name": "Mix", "trackIds": [track]])["id"] as? String)
            _ = try await call("get /api/v1/playlists")
            _ = try await call("get /api/v1/playlists/{id}", "/api/v1/playlists/\(playlist)")
            _ = try await call("patch /api/v1/playlists/{id}", "/api/v1/playlists/\(playlist)", json: ["name": "Mix 2"])
            _ = try await call(
                "post /api/v1/playlists/{id}/tracks", "/api/v1/playlists/\(playlist)/tracks",
                json: ["trackIds": [track]])
            _ = try await call(
                "post /api/v1/playlists/import", "/api/v1/playlists/import?name=Imported",
                body: "#EXTM3U\nnowhere/missing.flac\n", contentType: "audio/x-mpegurl")
            _ = try await call("get /api/v1/sessions")
            _ = try await call("patch /api/v1/sessions/{id}", "/api/v1/sessions/\(playerID)", json: ["name": "Den"])
            let rules: [String: Any] = ["all": [["gt": ["year": 1900]]], "sort": "title", "limit": 10]
            let smart = try #require(
                try await call("post /api/v1/smart-playlists", json: ["name": "Since 1900", "rules": rules])["id"]
                    as? String)
            _ = try await call("post /api/v1/smart-playlists/preview", json: ["rules": rules])
            _ = try await call(
                "post /api/v1/smart-playlists/import", body: #"{"name":"Nsp","any":[{"contains":{"title":"a"}}]}"#,
                contentType: "application/json")
            _ = try await call("get /api/v1/smart-playlists/{id}", "/api/v1/smart-playlists/\(smart)")
            _ = try await call(
                "put /api/v1/smart-playlists/{id}", "/api/v1/smart-playlists/\(smart)", json: ["name": "Since 1900!"])
            _ = try await call("put /api/v1/me/queue", json: ["trackIds": [track], "currentIndex": 0, "positionMs": 0])
            _ = try await call("get /api/v1/me/queue")

            // Me.
            _ = try await call("post /api/v1/auth/login", json: ["username": "admin", "password": "admin-password-1"])
            _ = try await call("get /api/v1/auth/setup")
            _ = try await call("get /api/v1/me")
            _ = try await call("patch /api/v1/me", json: ["displayName": "Root"])
            let preferences = try await call("get /api/v1/me/preferences")
            _ = try await call("put /api/v1/me/preferences", json: preferences)
            _ = try await call("get /api/v1/me/sessions")
            _ = try await call("post /api/v1/me/app-password")
            _ = try await call("post /api/v1/me/api-keys", json: ["name": "laptop"])
            _ = try await call("get /api/v1/me/api-keys")
            _ = try await call(
                "put /api/v1/me/linked-accounts/{plugin}", "/api/v1/me/linked-accounts/listenbrainz",
                json: ["token": "lb-token"])
            _ = try await call("get /api/v1/me/linked-accounts")
            _ = try await call("get /api/v1/me/plugin-settings")
            _ = try await call(
                "put /api/v1/me/plugin-settings/{plugin}", "/api/v1/me/plugin-settings/listenbrainz",
                json: ["values": ["now_playing": "false"]])
            _ = try await call(
                "post /api/v1/me/linked-accounts/{plugin}/authorize", "/api/v1/me/linked-accounts/lastfm/authorize")
            _ = try await call("post /api/v1/me/now-playing", json: ["trackId": track])
            _ = try await call("post /api/v1/me/history", json: ["trackId": track, "secondsPlayed": 30])
            _ = try await call("get /api/v1/me/history")
            _ = try await call("get /api/v1/me/export")
            _ = try await call("delete /api/v1/me/history", "/api/v1/me/history?all=true")

            // Admin.
            let created = try await call(
                "post /api/v1/admin/users", json: ["username": "newbie", "password": "correct-horse-battery-9"])
            let user = try #require((created["user"] as? [String: Any])?["id"] as? String)
            _ = try await call("get /api/v1/admin/users")
            _ = try await call("get /api/v1/admin/users/{id}", "/api/v1/admin/users/\(user)")
            _ = try await call(
                "patch /api/v1/admin/users/{id}", "/api/v1/admin/users/\(user)", json: ["canShare": false])
            _ = try await call("get /api/v1/admin/users/{id}/sessions", "/api/v1/admin/users/\(user)/sessions")
            _ = try await call("get /api/v1/admin/audit", "/api/v1/admin/audit?limit=2")
            _ = try await call("post /api/v1/admin/libraries", json: ["path": extra.path, "name": "Extra"])
            _ = try await call("get /api/v1/admin/libraries")
            _ = try await call("get /api/v1/admin/scan")
            _ = try await call("get /api/v1/admin/plugins")
            _ = try await call("get /api/v1/admin/analysis")
            _ = try await call("get /api/v1/admin/system")
            _ = try await call("get /api/v1/admin/log-levels")
            _ = try await call(
                "put /api/v1/admin/log-levels", json: ["level": "info", "subsystems": ["scanner": "debug"]])
            _ = try await call("get /api/v1/admin/stats")
            let report = try await call("get /api/v1/admin/recommendations", "/api/v1/admin/recommendations?days=7")
            #expect((report["sources"] as? [[String: Any]])?.isEmpty == false, "\(report)")
            _ = try await call(
                "put /api/v1/admin/plugins/{id}", "/api/v1/admin/plugins/listenbrainz", json: ["enabled": true])
            // Plans and the ledger.
            let plan: [String: Any] = [
                "id": "family", "name": "Family", "priceMinor": 300, "currency": "EUR", "interval": "month",
                "trialDays": 7,
                "entitlements": ["originalFiles": true, "downloads": true, "shares": true, "concurrentStreams": 3],
            ]
            _ = try await call("put /api/v1/admin/plans/{id}", "/api/v1/admin/plans/family", json: plan)
            _ = try await call("get /api/v1/plans")
            _ = try await call(
                "put /api/v1/admin/users/{id}/plan", "/api/v1/admin/users/\(user)/plan",
                json: ["planId": "family", "note": "cash", "amountMinor": 300])
            _ = try await call("put /api/v1/admin/plans/{id}", "/api/v1/admin/plans/spare", json: plan)
            _ = try await call("delete /api/v1/admin/plans/{id}", "/api/v1/admin/plans/spare")
            _ = try await call("get /api/v1/me/plan")
            _ = try await call("get /api/v1/me/ledger")
            // A payment provider (the test one): checkout, its event, then the portal.
            _ = try await call("post /api/v1/me/plan/checkout", json: ["planId": "family"])
            let profile = try await call("get /api/v1/me")
            let me = try #require((profile["user"] as? [String: Any])?["id"] as? String ?? profile["id"] as? String)
            _ = try await client.send(
                .post, "/plugins/paytest/webhook",
                json: ["id": "evt_walk", "user": me, "plan": "family", "status": "active", "amount": 300])
            _ = try await call("post /api/v1/me/plan/portal", json: [String: String]())
            let ledger = try await call("get /api/v1/admin/ledger")
            #expect((ledger["months"] as? [[String: Any]])?.first?["amountMinor"] as? Int == 600, "\(ledger)")

            // Errors have one shape too.
            let missing = try await client.send(.get, "/api/v1/albums/al-none", token: token)
            #expect(missing.status == .notFound)
            #expect(check.problems(missing.body, schema: "Error").isEmpty, "\(missing.body)")
            let bad = try await client.send(.get, "/api/v1/albums?sort=sideways", token: token)
            #expect(bad.status == .badRequest)
            #expect(check.problems(bad.body, schema: "Error").isEmpty, "\(bad.body)")
        }

        #expect(walk.checkedSchemas.count >= 30, "\(walk.checkedSchemas.sorted())")
        let unchecked = OpenAPIDocument.operations.filter { operation in
            guard let response = operation.response, check.schemas[response] != nil else { return false }
            let name = "\(operation.method) \(operation.path)"
            return !walk.called.contains(name) && !Self.checkedElsewhere.contains(name)
        }.map { "\($0.method) \($0.path)" }
        #expect(unchecked.isEmpty, "operations with a JSON answer this walk does not call: \(unchecked)")
        for name in Self.checkedElsewhere {
            let schema = OpenAPIDocument.operations.first { "\($0.method) \($0.path)" == name }?.response
            #expect(schema.map(walk.checkedSchemas.contains) == true, "\(name)'s schema is checked through another")
        }
    }

    @Test func theCheckFindsDrift() throws {
        let check = try SchemaCheck()
        let genre = #"{"items":[{"name":"Jazz","albumCount":1,"trackCount":2}],"offset":0,"limit":1,"more":false}"#
        #expect(check.problems(genre, schema: "GenreList").isEmpty)
        // A field the schema does not name, a missing required one, a wrong type, a value off the enum.
        #expect(
            !check.problems(#"{"items":[],"offset":0,"limit":1,"more":false,"extra":1}"#, schema: "GenreList").isEmpty)
        #expect(!check.problems(#"{"items":[],"offset":0,"limit":1}"#, schema: "GenreList").isEmpty)
        #expect(!check.problems(#"{"items":[],"offset":"0","limit":1,"more":false}"#, schema: "GenreList").isEmpty)
        #expect(!check.problems(#"{"items":[],"offset":0,"limit":1,"more":1}"#, schema: "GenreList").isEmpty)
        #expect(!check.problems(#"{"setupRequired":null}"#, schema: "SetupStatus").isEmpty)
        #expect(
            !check.problems(
                #"{"streamFormat":"wav","maxBitrate":0,"theme":"auto","language":"en","scrobbling":true,"listeningVisible":true}"#,
                schema: "Preferences"
            ).isEmpty)
    }

    /// What the walk called and checked.
    final class Walk: @unchecked Sendable {
        let check: SchemaCheck
        private let lock = NSLock()
        private var calls: Set<String> = []
        private var schemas: Set<String> = []
        init(check: SchemaCheck) { self.check = check }

        var called: Set<String> { lock.withLock { calls } }
        var checkedSchemas: Set<String> { lock.withLock { schemas } }

        /// Checks the answer's status and body against `template`'s operation; returns the body's object.
        func record(_ template: String, _ answer: InProcessServer.Answer) throws -> [String: Any] {
            let operation = try #require(
                OpenAPIDocument.operations.first { "\($0.method) \($0.path)" == template }, "\(template) is documented")
            #expect(answer.status.code == operation.status, "\(template): \(answer.status) \(answer.body.prefix(300))")
            lock.withLock { _ = calls.insert(template) }
            guard let response = operation.response, check.schemas[response] != nil else { return [:] }
            let problems = check.problems(answer.body, schema: response)
            #expect(problems.isEmpty, "\(template) answers drift from \(response): \(problems)")
            lock.withLock { _ = schemas.insert(response) }
            return answer.json
        }
    }
}

/// A JSON value as the wire has it: booleans and numbers kept apart.
enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int), number(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Checks JSON against the document's schemas, for the part of JSON Schema the document uses:
/// `type` (one or several, `null` among them), `properties` (strictly: a property the schema does
/// not name is reported), `required`, `items`, `enum`, `minimum`/`maximum` and `$ref`.
struct SchemaCheck: @unchecked Sendable {
    let schemas: [String: [String: Any]]

    init() throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json)) as? [String: Any])
        let components = try #require(document["components"] as? [String: Any])
        schemas = try #require(components["schemas"] as? [String: [String: Any]])
    }

    /// What is wrong with `body` as an instance of the schema `name`; empty when nothing is.
    func problems(_ body: String, schema name: String) -> [String] {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) else {
            return ["not JSON: \(body.prefix(200))"]
        }
        guard let schema = schemas[name] else { return ["no schema \(name)"] }
        var problems: [String] = []
        check(value, schema, at: "$", into: &problems)
        return problems
    }

    private func check(_ value: JSONValue, _ schema: [String: Any], at path: String, into problems: inout [String]) {
        if let reference = schema["$ref"] as? String {
            let name = String(reference.split(separator: "/").last ?? "")
            guard let target = schemas[name] else { return problems.append("\(path): unresolved \(reference)") }
            return check(value, target, at: path, into: &problems)
        }
        if let type = schema["type"] {
            let allowed = (type as? [String]) ?? [(type as? String) ?? ""]
            let actual = value.typeName
            guard allowed.contains(actual) || (actual == "integer" && allowed.contains("number")) else {
                return problems.append("\(path): \(actual), expected \(allowed.joined(separator: " or "))")
            }
        }
        switch value {
        case .string(let text):
            if let choices = (schema["enum"] as? [Any])?.compactMap({ $0 as? String }), !choices.contains(text) {
                problems.append("\(path): \"\(text)\" is not one of \(choices)")
            }
        case .integer(let number):
            if let minimum = schema["minimum"] as? Int, number < minimum {
                problems.append("\(path): below \(minimum)")
            }
            if let maximum = schema["maximum"] as? Int, number > maximum {
                problems.append("\(path): above \(maximum)")
            }
        case .array(let elements):
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in elements.enumerated() {
                    check(element, items, at: "\(path)[\(index)]", into: &problems)
                }
            }
        case .object(let fields):
            guard let properties = schema["properties"] as? [String: [String: Any]] else { break }
            for key in fields.keys.sorted() where properties[key] == nil {
                problems.append("\(path).\(key): not in the schema")
            }
            for name in (schema["required"] as? [String]) ?? [] where fields[name] == nil {
                problems.append("\(path).\(name): required, missing")
            }
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] { check(field, property, at: "\(path).\(key)", into: &problems) }
            }
        case .null, .bool, .number:
            break
        }
    }
}
