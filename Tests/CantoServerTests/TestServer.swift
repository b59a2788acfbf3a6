import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// Where a test's native API requests go: the `canto` binary over loopback (`TestServer`), or
/// the router in this process (`InProcessServer.RouterTransport`). The steps most account tests
/// start with (sign in, add a user) are written once, over either.
protocol HTTPTransport: Sendable {
    /// The origin the server answers as (what a same-origin page sends as `Origin`).
    var base: String { get }
    func request(_ method: String, _ path: String, headers: [String: String], body: Data?) async throws
        -> HTTP.Result
}

extension HTTPTransport {
    /// A request without credentials (or with the `headers` given).
    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTP.Result {
        try await request("GET", path, headers: headers, body: nil)
    }

    /// A JSON request (reads carry no body).
    func json(_ method: String, _ path: String, _ object: Any, headers: [String: String] = [:]) async throws
        -> HTTP.Result
    {
        guard !["GET", "HEAD"].contains(method) else {
            return try await request(method, path, headers: headers, body: nil)
        }
        var headers = headers
        headers["Content-Type"] = "application/json"
        return try await request(
            method, path, headers: headers, body: try JSONSerialization.data(withJSONObject: object))
    }

    func login(_ username: String, _ password: String) async throws -> Client {
        let result = try await json("POST", "/api/v1/auth/login", ["username": username, "password": password])
        #expect(result.status == 200, "\(result.body)")
        let token = try #require(result.json["token"] as? String)
        let user = try #require(result.json["user"] as? [String: Any])
        return Client(server: self, token: token, userID: try #require(user["id"] as? String))
    }

    /// Creates a user as `admin` and signs them in.
    func addUser(_ username: String, password: String = "user-password-1", as admin: Client) async throws -> Client {
        let created = try await admin.json(
            "POST", "/api/v1/admin/users", ["username": username, "password": password, "role": "user"])
        #expect(created.status == 201, "\(created.body)")
        return try await login(username, password)
    }
}

/// A `canto serve` on loopback over the fixture library, with a fresh data folder: for what only
/// the binary shows (its log, its setup link, its flags and environment, signals).
struct TestServer: HTTPTransport {
    let process: CantoProcess
    let data: TemporaryDirectory
    let base: String
    /// The one-time setup token from the log (nil once a user exists).
    let setupToken: String?

    static func start(
        environment: [String: String] = [:], scan: Bool = true, data: TemporaryDirectory? = nil, music: URL? = nil
    ) async throws -> TestServer {
        let data = try data ?? TemporaryDirectory(prefix: "canto-api")
        var folder = music?.path ?? data.path
        if music == nil, scan { folder = try await FixtureLibrary.shared().root.path }
        var environment = environment
        environment["CANTO_SERVER_WEB_DIR"] = CantoProcess.webDirectory.path
        let process = try CantoProcess(
            ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data.path, "--music-folder", folder],
            environment: environment)
        let port = try await process.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        let token = process.text.firstMatch(of: /setup\.html#([A-Za-z0-9_\-]+)/).map { String($0.1) }
        return TestServer(process: process, data: data, base: "http://127.0.0.1:\(port)", setupToken: token)
    }

    func url(_ path: String) -> String { base + path }

    func request(_ method: String, _ path: String, headers: [String: String], body: Data?) async throws
        -> HTTP.Result
    {
        try await HTTP.request(method, url(path), headers: headers, body: body)
    }

    /// Creates the first admin through the setup link and signs in.
    func setUpAdmin(username: String = "admin", password: String = "admin-password-1") async throws -> Client {
        let token = try #require(setupToken)
        let created = try await HTTP.json(
            "POST", url("/api/v1/auth/setup"), ["token": token, "username": username, "password": password])
        #expect(created.status == 201, "\(created.body)")
        return try await login(username, password)
    }

    /// Track IDs from the catalog, once the start-up scan has written them.
    func trackIDs() async throws -> [TrackID] {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let database = try CantoDatabase(dataDirectory: data.url)
            let albums = try await CatalogRepository(database: database).albums(offset: 0, limit: 1000)
            var ids: [TrackID] = []
            for album in albums {
                ids += try await CatalogRepository(database: database).tracks(inAlbum: album.id).map(\.id)
            }
            if ids.count == (try await FixtureLibrary.shared().expectedTrackCount) { return ids }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the scan did not finish")
        return []
    }

    /// Asserts that none of `secrets` was written to the server's log.
    func expectLogFree(of secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let log = process.text
        for secret in secrets where !secret.isEmpty {
            #expect(!log.contains(secret), "a secret reached the log", sourceLocation: sourceLocation)
        }
    }
}

/// A signed-in caller: bearer token by default, or the session cookie with an Origin header.
struct Client: Sendable {
    let server: any HTTPTransport
    let token: String
    let userID: String

    var bearer: [String: String] { ["Authorization": "Bearer \(token)"] }
    var cookie: [String: String] { ["Cookie": "canto_session=\(token)", "Origin": server.base] }

    func get(_ path: String, cookie: Bool = false) async throws -> HTTP.Result {
        try await server.request("GET", path, headers: cookie ? self.cookie : bearer, body: nil)
    }

    func json(_ method: String, _ path: String, _ object: Any, headers: [String: String]? = nil) async throws
        -> HTTP.Result
    {
        try await server.json(method, path, object, headers: headers ?? bearer)
    }

    func send(_ method: String, _ path: String, headers: [String: String]? = nil, body: Data? = nil) async throws
        -> HTTP.Result
    {
        try await server.request(method, path, headers: headers ?? bearer, body: body)
    }
}
