public import CantoCore
import CantoDomain
public import CantoPluginKit
public import CantoServer
public import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A whole Canto server in the test's process, for testing a plugin the way the server runs it:
/// a temporary data folder and SQLite database, the plugin created from its configuration
/// (`[plugins.<id>]` values), its migrations run and started, a catalog of metadata-only tracks,
/// listeners, the server's routes called in process (the plugin's own among them), events put
/// in the outbox and delivered on demand, and a clock the plugin's jobs run by.
///
/// ```swift
/// try await StubUpstream.run(myServiceFake) { upstream, baseURL in
///     try await PluginTestHost.run(MyPlugin.self, configuration: ["base_url": baseURL],
///                                  tracks: [TestTrack("Song", seconds: 240)]) { host in
///         let rita = try await host.addListener("rita")
///         try await host.linkToken("my-plugin", "secret", for: rita)
///         try await host.play(host.tracks[0], by: rita)
///         try await host.deliverEvents { await upstream.requests.count == 1 }
///     }
/// }
/// ```
public struct PluginTestHost: Sendable {
    /// The server's services (the registry, the catalog, the accounts …).
    public let services: CantoServices
    /// The clock sessions and plugin jobs read; move it with `advanceClock(by:)`.
    public let clock: ManualClock
    /// The catalog's tracks, in the order given.
    public let tracks: [Track]
    /// The data folder (database, plugins' folders); removed when `run` ends.
    public let dataDirectory: URL
    let responder: RouterResponder<CantoRequestContext>

    /// Runs `body` with a host whose plugins are `plugins` (besides the built-in ones, which stay
    /// as their defaults say unless `configuration` names them). `configuration` maps a plugin
    /// id to its section's values, as the configuration file would (`"true"`, `"42"` and lists
    /// are read as TOML values are). `pluginDeadline` bounds each call into a plugin, as the
    /// server's 10 s do; a minute by default, because a call to a local fake waited 12 s on a CI
    /// machine busy with the rest of a suite. A test of a deadline sets its own.
    public static func run<Value: Sendable>(
        _ plugins: [any CantoPlugin.Type], configuration: [String: [String: String]] = [:],
        tracks: [TestTrack] = [TestTrack("First Song"), TestTrack("Second Song")],
        clock: ManualClock = ManualClock(Date()), pluginDeadline: Duration = .seconds(60),
        _ body: @Sendable (PluginTestHost) async throws -> Value
    ) async throws -> Value {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent(
            "canto-plugin-host-\(UUID().uuidString)")
        let music = data.appendingPathComponent("music")
        try FileManager.default.createDirectory(at: music, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let catalogFolder = data.appendingPathComponent("plugins/\(TestCatalogSource.descriptor.id)")
        try FileManager.default.createDirectory(at: catalogFolder, withIntermediateDirectories: true)
        try JSONEncoder().encode(tracks).write(to: catalogFolder.appendingPathComponent("tracks.json"))
        var environment: [String: String] = [:]
        for (id, values) in configuration {
            for (key, value) in values { environment["CANTO_PLUGINS_\(id.uppercased())_\(key.uppercased())"] = value }
        }
        let settings = try CantoConfiguration.load(
            environment: environment,
            flags: ["library.music_folders": music.path, "data.dir": data.path],
            workingDirectory: data.path)
        let logger = Logger(label: "canto.plugin-test-host")
        let services = try await CantoServices(
            configuration: settings, logger: logger,
            plugins: BuiltinPlugins.all + [TestCatalogSource.self] + plugins, clock: clock,
            pluginDeadline: pluginDeadline)
        await services.registry.startAll()
        _ = try await services.scans.scanNow()
        var found: [Track] = []
        for index in tracks.indices {
            if let track = try await services.track(TestCatalogSource.trackID(index)) {
                found.append(track)
            }
        }
        guard found.count == tracks.count else {
            let states = await services.registry.status().map { "\($0.descriptor.id): \($0.state) \($0.message ?? "")" }
            throw HostError(
                status: 0, message: "the test catalog holds \(found.count) of \(tracks.count) tracks (\(states))")
        }
        let host = PluginTestHost(
            services: services, clock: clock, tracks: found, dataDirectory: data,
            responder: services.router(logger: logger).buildResponder())
        do {
            let value = try await body(host)
            await services.registry.stopAll()
            return value
        } catch {
            await services.registry.stopAll()
            throw error
        }
    }

    // MARK: - Listeners

    /// A listener of the household, signed in.
    public struct Listener: Sendable {
        public let user: User
        /// A session token for the native API.
        public let token: String
    }

    /// Creates a listener (an admin with `admin`) and signs them in.
    public func addListener(_ username: String, admin: Bool = false) async throws -> Listener {
        let password = "password-of-\(username)"
        let user = try await services.accounts.createUser(
            username: username, password: password, role: admin ? .admin : .user, actor: nil, address: nil
        ).user
        let session = try await services.accounts.login(
            username: username, password: password, address: nil, client: "plugin-tests")
        return Listener(user: user, token: session.token)
    }

    // MARK: - Requests

    /// An answer of the server.
    public struct Response: Sendable {
        public var status: Int
        /// Header names in lowercase.
        public var headers: [String: String]
        public var body: Data

        /// The body parsed as a JSON object, if it is one.
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Calls the server in process: `path` as a browser would (`/api/v1/plugins/<id>/…`,
    /// `/plugins/<id>/…`, any other route), as `listener` when given, with a JSON `json` body or
    /// a raw `body`.
    public func request(
        _ method: String, _ path: String, as listener: Listener? = nil, json: [String: any Sendable]? = nil,
        body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        if let listener { fields[.authorization] = "Bearer \(listener.token)" }
        var payload = body
        if let json {
            fields[.contentType] = "application/json"
            payload = try JSONSerialization.data(withJSONObject: json)
        }
        let bytes = payload.map { ByteBuffer(bytes: $0) }
        let method = HTTPRequest.Method(rawValue: method.uppercased()) ?? .get
        let frozen = fields
        return try await Application(responder: responder).test(.router) { client in
            try await client.execute(uri: path, method: method, headers: frozen, body: bytes) { response in
                var answer: [String: String] = [:]
                for field in response.headers {
                    let name = field.name.canonicalName.lowercased()
                    answer[name] = answer[name].map { $0 + ", " + field.value } ?? field.value
                }
                return Response(
                    status: Int(response.status.code), headers: answer, body: Data(response.body.readableBytesView))
            }
        }
    }

    // MARK: - Linked accounts

    /// Links `listener`'s account at plugin `pluginID` with a pasted token, as the profile page
    /// does (the plugin validates it). Throws with the server's message when refused.
    @discardableResult
    public func linkToken(_ pluginID: String, _ token: String, for listener: Listener) async throws -> Response {
        let answer = try await request(
            "PUT", "/api/v1/me/linked-accounts/\(pluginID)", as: listener, json: ["token": token])
        guard answer.status == 200 else { throw HostError(answer) }
        return answer
    }

    /// The linked-accounts entry of `listener` for `pluginID` (state, account name, sent, waiting).
    public func linkedAccount(_ pluginID: String, of listener: Listener) async throws -> [String: Any] {
        let answer = try await request("GET", "/api/v1/me/linked-accounts", as: listener)
        let items = answer.json["items"] as? [[String: Any]] ?? []
        return items.first { $0["plugin"] as? String == pluginID } ?? [:]
    }

    // MARK: - Plays and events

    /// `listener` starts `track` in the web player (now playing).
    public func startPlaying(_ track: Track, by listener: Listener) async throws {
        let answer = try await request(
            "POST", "/api/v1/me/now-playing", as: listener, json: ["trackId": track.id.rawValue, "client": "tests"])
        guard answer.status == 204 else { throw HostError(answer) }
    }

    /// `listener` played `secondsPlayed` of `track` (all of it by default), reported as the web
    /// player reports it; it counts as a scrobble by the usual rule (half the track or 4 minutes).
    public func play(_ track: Track, by listener: Listener, secondsPlayed: Int? = nil, at date: Date? = nil)
        async throws
    {
        var json: [String: any Sendable] = [
            "trackId": track.id.rawValue, "secondsPlayed": secondsPlayed ?? track.audio.durationMs / 1000,
            "client": "tests",
        ]
        if let date { json["startedAt"] = ISO8601DateFormatter().string(from: date) }
        let answer = try await request("POST", "/api/v1/me/history", as: listener, json: json)
        guard answer.status == 201 else { throw HostError(answer) }
    }

    /// Puts `event` in the outbox (as the server's services do); `deliverEvents` hands it out.
    public func publish(_ event: DomainEvent, at date: Date? = nil) async throws {
        try await services.publish(event, at: date ?? clock.now)
    }

    /// Delivers the outbox's events to their subscribers (plugins' listen and event deliveries
    /// among them) until `done` holds, retrying as the server would (a failing delivery waits
    /// with backoff, or the `Retry-After` its plugin reported); gives up after `timeout`.
    /// Without `done`, one round.
    public func deliverEvents(
        timeout: Duration = .seconds(20), until done: (@Sendable () async throws -> Bool)? = nil
    ) async throws {
        guard let done else {
            try await services.deliverPendingEvents()
            return
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try await services.deliverPendingEvents()
            if try await done() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HostError(status: 0, message: "the condition did not hold within \(timeout)")
    }

    // MARK: - Jobs and the clock

    /// Moves the host's clock on by `seconds` and runs the plugins' jobs that are then due;
    /// returns the plugins that ran one.
    @discardableResult
    public func advanceClock(by seconds: TimeInterval) async -> [String] {
        clock.advance(by: seconds)
        return await services.runDuePluginJobs()
    }

    // MARK: - The plugin

    /// The running instance of plugin `id`, as its type.
    public func plugin<Plugin: CantoPlugin>(_ type: Plugin.Type) -> Plugin? {
        services.registry.instances[type.descriptor.id] as? Plugin
    }

    /// How a plugin is doing, as the admin page shows it.
    public struct Status: Sendable, Equatable {
        /// `disabled`, `stopped`, `running` or `failed`.
        public var state: String
        /// Why it failed to start, when it did.
        public var message: String?
        /// Calls that failed in a row lately, and the last error.
        public var failures: Int
        public var lastError: String?
    }

    /// Plugin `id`'s status.
    public func status(of id: String) async -> Status? {
        guard let status = await services.registry.status().first(where: { $0.descriptor.id == id }) else { return nil }
        return Status(
            state: status.state.rawValue, message: status.message, failures: status.failures,
            lastError: status.lastError)
    }

    /// A request the host refused or a condition that never held.
    public struct HostError: Error, CustomStringConvertible {
        public var status: Int
        public var message: String
        init(status: Int, message: String) {
            self.status = status
            self.message = message
        }
        init(_ response: Response) {
            self.init(status: response.status, message: response.text)
        }
        public var description: String { "\(status): \(message)" }
    }
}
