import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import ListenBrainzPlugin
import Logging
import ScrobblerFakes
import Synchronization
import Testing

@testable import CantoServer

/// Scrobbling through the plugin host: a real server (in process) with the ListenBrainz plugin
/// pointed at a local fake that follows ListenBrainz's documented API.
@Suite("Scrobblers")
struct ScrobblerTests {
    static func environment(_ base: String) -> [String: String] { ["CANTO_PLUGINS_LISTENBRAINZ_BASE_URL": base] }

    /// Delivers the outbox until `done` holds (or 20 s pass): the dispatcher's own round, by hand.
    static func deliver(_ services: CantoServices, until done: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !(await done()), ContinuousClock.now < deadline {
            try await services.dispatcher.deliverPending()
            if await done() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func subsonicAndWebPlaysReachListenBrainzForLinkedListenersOnly() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok-rita", user: "rita-lb")
            let server = try await InProcessServer.start(environment: Self.environment(base))
            let rita = try await server.addUser("rita")
            let bob = try await server.addUser("bob")
            let tracks = try await server.trackIDs()
            try await server.withClient { client in
                // Nothing is linked yet; a wrong token is refused by the service, a right one kept.
                let listed = try await client.send(.get, "/api/v1/me/linked-accounts", token: rita.token)
                let items = listed.json["items"] as? [[String: Any]] ?? []
                #expect(items.map { $0["plugin"] as? String } == ["listenbrainz"])
                #expect(items.first?["linked"] as? Bool == false)
                let wrong = try await client.send(
                    .put, "/api/v1/me/linked-accounts/listenbrainz", token: rita.token, json: ["token": "nope"])
                #expect(wrong.status == .badRequest, "\(wrong.body)")
                let linked = try await client.send(
                    .put, "/api/v1/me/linked-accounts/listenbrainz", token: rita.token, json: ["token": "tok-rita"])
                #expect(linked.status == .ok, "\(linked.body)")
                #expect(linked.json["account"] as? String == "rita-lb")
                #expect(
                    try await client.send(
                        .put, "/api/v1/me/linked-accounts/nothing", token: rita.token, json: ["token": "x"]
                    ).status == .notFound)

                // A Subsonic app: now playing, then the play.
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                _ = try await client.subsonic(
                    "scrobble", [("id", tracks[0].rawValue), ("submission", "false")], as: rita)
                let played = try await client.subsonic(
                    "scrobble", [("id", tracks[0].rawValue), ("time", "\(now)")], as: rita)
                #expect(played.subsonicError == nil, "\(played.body)")
                // The web player: now playing, then the play.
                #expect(
                    try await client.send(
                        .post, "/api/v1/me/now-playing", token: rita.token, json: ["trackId": tracks[1].rawValue]
                    ).status == .noContent)
                let web = try await client.send(
                    .post, "/api/v1/me/history", token: rita.token,
                    json: ["trackId": tracks[1].rawValue, "secondsPlayed": 100, "client": "web"])
                #expect(web.status == .created)
                // Bob linked nothing: his plays go nowhere.
                _ = try await client.subsonic("scrobble", [("id", tracks[2].rawValue)], as: bob)
            }
            try await Self.deliver(server.services) {
                let singles = await fake.count("single")
                let nowPlaying = await fake.count("playing_now")
                return singles >= 2 && nowPlaying >= 2
            }
            #expect(await fake.count("single") == 2)
            #expect(await fake.count("playing_now") == 2)
            let refusals = await fake.refusals
            #expect(refusals.isEmpty, "\(refusals)")
            let titles = try await [tracks[0], tracks[1]].asyncMap {
                try await server.services.catalog.track($0)?.title
            }
            #expect(await fake.trackNames("single") == titles.compactMap { $0 })
            // What was sent shows on the profile.
            try await server.withClient { client in
                let status = try await client.send(.get, "/api/v1/me/linked-accounts", token: rita.token)
                let item = (status.json["items"] as? [[String: Any]])?.first
                #expect(item?["sent"] as? Int == 2)
                #expect(item?["waiting"] as? Int == 0)
                #expect(item?["state"] as? String == "linked")
            }
            // The token is sealed in the database, never in clear.
            let bytes =
                try Data(contentsOf: server.data.url.appendingPathComponent("canto.db"))
                + ((try? Data(contentsOf: server.data.url.appendingPathComponent("canto.db-wal"))) ?? Data())
            #expect(bytes.range(of: Data("tok-rita".utf8)) == nil)
        }
    }

    @Test func scrobblingOffInPreferencesSendsNothing() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok", user: "quiet")
            let server = try await InProcessServer.start(environment: Self.environment(base))
            let user = try await server.addUser("quiet")
            let track = try #require(try await server.trackIDs().first)
            try await server.withClient { client in
                _ = try await client.send(
                    .put, "/api/v1/me/linked-accounts/listenbrainz", token: user.token, json: ["token": "tok"])
                var preferences = try await client.send(.get, "/api/v1/me/preferences", token: user.token).json
                preferences["scrobbling"] = false
                #expect(
                    try await client.send(.put, "/api/v1/me/preferences", token: user.token, json: preferences).status
                        == .ok)
                _ = try await client.subsonic("scrobble", [("id", track.rawValue)], as: user)
            }
            #expect(try await server.services.dispatcher.deliverPending() > 0)
            #expect(await fake.submissions.isEmpty)
        }
    }

    @Test func aListenerCanKeepNowPlayingToThemselves() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok", user: "private")
            let server = try await InProcessServer.start(environment: Self.environment(base))
            let user = try await server.addUser("private")
            let track = try #require(try await server.trackIDs().first)
            try await server.withClient { client in
                _ = try await client.send(
                    .put, "/api/v1/me/linked-accounts/listenbrainz", token: user.token, json: ["token": "tok"])
                let listed = try await client.send(.get, "/api/v1/me/plugin-settings", token: user.token)
                let setting = ((listed.json["items"] as? [[String: Any]])?.first?["settings"] as? [[String: Any]])?
                    .first
                #expect(setting?["key"] as? String == "now_playing")
                #expect(setting?["value"] as? String == "true")
                #expect(setting?["kind"] as? String == "bool")
                for wrong in [["now_playing": "maybe"], ["volume": "11"]] {
                    let refused = try await client.send(
                        .put, "/api/v1/me/plugin-settings/listenbrainz", token: user.token, json: ["values": wrong])
                    #expect(refused.status == .badRequest, "\(wrong)")
                }
                let saved = try await client.send(
                    .put, "/api/v1/me/plugin-settings/listenbrainz", token: user.token,
                    json: ["values": ["now_playing": "false"]])
                #expect((saved.json["settings"] as? [[String: Any]])?.first?["value"] as? String == "false")
                _ = try await client.subsonic("scrobble", [("id", track.rawValue), ("submission", "false")], as: user)
                _ = try await client.subsonic("scrobble", [("id", track.rawValue)], as: user)
            }
            try await Self.deliver(server.services) { await fake.count("single") >= 1 }
            #expect(await fake.count("single") == 1)
            #expect(await fake.count("playing_now") == 0)
        }
    }

    @Test func anOutageAndARestartLoseNoListenAndSendNoneTwice() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok", user: "steady")
            let server = try await InProcessServer.start(environment: Self.environment(base))
            let user = try await server.addUser("steady")
            let tracks = try await server.trackIDs()
            let view = server.services.catalogs.view(for: user.user)
            try await server.withClient { client in
                _ = try await client.send(
                    .put, "/api/v1/me/linked-accounts/listenbrainz", token: user.token, json: ["token": "tok"])
            }
            // The service is down for the first three tries (503, Retry-After: 0).
            await fake.failNext(3)
            let start = Date().addingTimeInterval(-600)
            var expected: [Int] = []
            for index in 0..<3 {
                let at = start.addingTimeInterval(Double(index * 60))
                _ = try await server.services.playback.played(
                    tracks[index], in: view, startedAt: at, secondsPlayed: 100, client: "test")
                expected.append(Int(at.timeIntervalSince1970))
            }
            // Mid-backlog, the server stops: a new one over the same data takes over.
            try await server.services.dispatcher.deliverPending()
            #expect(await fake.listened().isEmpty)
            let restarted = try await CantoServices(
                configuration: server.configuration, logger: Logger(label: "restarted"),
                plugins: BuiltinPlugins.all)
            await restarted.registry.startAll()
            try await Self.deliver(restarted) { await fake.listened().count >= 3 }
            #expect(await fake.listened() == expected)
            // The backlog went out as one `import` batch.
            #expect(await fake.submissions.map(\.type) == ["import"])
            // Nothing more goes out: every listen once.
            try await restarted.dispatcher.deliverPending()
            #expect(await fake.listened() == expected)
        }
    }

    @Test func aPluginCannotReachAHostItDidNotDeclare() async throws {
        let client = HostHTTPClient(pluginID: "listenbrainz", allowedHosts: ["api.listenbrainz.org"])
        await #expect(throws: PluginPermissionDenied.self) {
            _ = try await client.send(PluginHTTPRequest(url: URL(string: "http://127.0.0.1:9/1/submit-listens")!))
        }
        await #expect(throws: PluginPermissionDenied.self) {
            _ = try await client.send(PluginHTTPRequest(url: URL(string: "file:///etc/passwd")!))
        }
        // A configured base URL adds its host, with its port.
        let hosts = HostHTTPClient.allowedHosts(
            ListenBrainzPluginType.descriptor,
            PluginConfiguration(pluginID: "listenbrainz", values: ["base_url": .string("http://127.0.0.1:8123/")]))
        #expect(hosts == ["api.listenbrainz.org", "127.0.0.1:8123"])
        // The same rule decides where a media source may send players (its remote tracks).
        let source = HostHTTPClient(pluginID: "listenbrainz", allowedHosts: hosts)
        #expect(source.allows(URL(string: "http://127.0.0.1:8123/song.mp3")!))
        #expect(!source.allows(URL(string: "http://127.0.0.1:9/song.mp3")!))
        #expect(!source.allows(URL(string: "file:///etc/passwd")!))
    }

    @Test func aHangingPluginDelaysNothingAndShowsAsFailing() async throws {
        let server = try await InProcessServer.start(plugins: [HangingSink.self], pluginDeadline: .milliseconds(300))
        let user = try await server.addUser("patient")
        let track = try #require(try await server.trackIDs().first)
        try await server.withClient { client in
            let linked = try await client.send(
                .put, "/api/v1/me/linked-accounts/hanging", token: user.token, json: ["token": "t"])
            #expect(linked.status == .ok, "\(linked.body)")
            // The request that makes the play answers without calling the plugin at all.
            let played = try await client.subsonic("scrobble", [("id", track.rawValue)], as: user)
            #expect(played.subsonicError == nil)
            #expect(HangingSink.calls.count == 0)
        }
        // Delivery gives up on the plugin at its deadline and returns.
        let dispatcher = server.services.dispatcher
        let handled = try await PluginCalls.run("test", deadline: .seconds(20)) {
            try await dispatcher.deliverPending()
        }
        #expect(handled >= 0)
        #expect(HangingSink.calls.count == 1)
        let admin = try await server.addAdminSession()
        try await server.withClient { client in
            let plugins = try await client.send(.get, "/api/v1/admin/plugins", token: admin)
            let hanging = (plugins.json["items"] as? [[String: Any]])?.first {
                ($0["descriptor"] as? [String: Any])?["id"] as? String == "hanging"
            }
            #expect(hanging?["failures"] as? Int == 1, "\(plugins.body)")
            #expect((hanging?["lastError"] as? String)?.contains("did not answer") == true)
            let status = try await client.send(.get, "/api/v1/me/linked-accounts", token: user.token)
            let item = (status.json["items"] as? [[String: Any]])?.first { $0["plugin"] as? String == "hanging" }
            #expect(item?["waiting"] as? Int == 1)
        }
    }
}

typealias ListenBrainzPluginType = ListenBrainzPlugin

/// A scrobbler whose calls never return (and ignore cancellation).
struct HangingSink: ListenSinkPlugin, TokenLinking {
    static let descriptor = PluginDescriptor(
        id: "hanging", name: "Hanging", version: "0.1.0", enabledByDefault: true,
        permissions: PluginPermissions(linkedAccounts: true, listens: true))
    static let calls = CallCounter()

    init(configuration: PluginConfiguration, context: PluginContext) throws {}

    func link(token: String) async throws -> String? { "patient" }
    func nowPlaying(_ listen: Listen, account: LinkedAccount) async throws { await Self.hang() }
    func submit(_ listens: [Listen], account: LinkedAccount) async throws { await Self.hang() }

    static func hang() async {
        calls.increment()
        await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
    }
}

final class CallCounter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
