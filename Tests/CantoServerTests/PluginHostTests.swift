import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Synchronization
import Testing

@testable import CantoServer

/// Host services through a real server (in process): listeners' data for plugins that declare it
/// (refused otherwise), and the household's events for plugins that subscribe.
@Suite("Plugin host")
struct PluginHostTests {
    /// Each test plugin's context, kept when the host creates it.
    static let contexts = Mutex<[String: PluginContext]>([:])

    struct Reader: CantoPlugin {
        static let descriptor = PluginDescriptor(
            id: "reader", name: "Reader", version: "1", enabledByDefault: true,
            permissions: PluginPermissions(listenerData: true))
        init(configuration: PluginConfiguration, context: PluginContext) throws {
            PluginHostTests.contexts.withLock { $0["reader"] = context }
        }
    }

    struct Nosy: CantoPlugin {
        static let descriptor = PluginDescriptor(id: "nosy", name: "Nosy", version: "1", enabledByDefault: true)
        init(configuration: PluginConfiguration, context: PluginContext) throws {
            PluginHostTests.contexts.withLock { $0["nosy"] = context }
        }
    }

    /// Keeps the names of the events it is handed.
    actor Log {
        var names: [String] = []
        func add(_ name: String) { names.append(name) }
    }

    struct Watcher: EventsPlugin {
        static let log = Log()
        static let descriptor = PluginDescriptor(
            id: "watcher", name: "Watcher", version: "1", enabledByDefault: true,
            permissions: PluginPermissions(events: true))
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
        func handle(_ event: StoredEvent) async throws { await Self.log.add(event.event.name) }
    }

    /// Adopts the protocol but declares no `events`: the host does not subscribe it.
    struct Undeclared: EventsPlugin {
        static let log = Log()
        static let descriptor = PluginDescriptor(id: "quiet", name: "Quiet", version: "1", enabledByDefault: true)
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
        func handle(_ event: StoredEvent) async throws { await Self.log.add(event.event.name) }
    }

    @Test func listenersDataIsReadOnlyByPluginsThatDeclareIt() async throws {
        let server = try await InProcessServer.start(plugins: [Reader.self, Nosy.self])
        let user = try await server.addUser("lena")
        let track = try #require(try await server.trackIDs().first)
        let view = server.services.catalogs.view(for: user.user)
        _ = try await server.services.playback.played(
            track, in: view, startedAt: Date(), secondsPlayed: 100, client: nil)
        try await server.services.state.setStarred(
            true, item: track.rawValue, kind: .track, user: user.user.id, at: Date())
        try await server.services.state.createPlaylist(
            Playlist(id: PlaylistID("p-lena"), ownerID: user.user.id, name: "Mine", trackIDs: [track]))
        try await server.services.state.createPlaylist(
            Playlist(id: PlaylistID("p-admin"), ownerID: server.admin.id, name: "Public", isPublic: true))
        let reader = try #require(Self.contexts.withLock { $0["reader"] })
        let plays = try await reader.listenerData.plays(of: user.user.id, since: nil, limit: 10)
        #expect(plays.map(\.trackID) == [track])
        #expect(try await reader.listenerData.annotations(of: user.user.id).map(\.itemID) == [track.rawValue])
        // Their own playlists, not others' public ones.
        #expect(try await reader.listenerData.playlists(of: user.user.id).map(\.name) == ["Mine"])
        let nosy = try #require(Self.contexts.withLock { $0["nosy"] })
        await #expect(throws: PluginPermissionDenied.self) {
            _ = try await nosy.listenerData.plays(of: user.user.id, since: nil, limit: 10)
        }
        await #expect(throws: PluginPermissionDenied.self) {
            _ = try await nosy.listenerData.playlists(of: user.user.id)
        }
    }

    @Test func aSubscribedPluginGetsTheHouseholdsEventsInOrder() async throws {
        let server = try await InProcessServer.start(plugins: [Watcher.self, Undeclared.self])
        let user = try await server.addUser("omar")
        let track = try #require(try await server.trackIDs().first)
        let view = server.services.catalogs.view(for: user.user)
        try await server.services.state.setStarred(
            true, item: track.rawValue, kind: .track, user: user.user.id, at: Date())
        _ = try await server.services.playback.played(
            track, in: view, startedAt: Date(), secondsPlayed: 100, client: nil)
        try await server.services.dispatcher.deliverPending()
        let names = await Watcher.log.names
        // Enabled before the server's first scan: everything since, in order (the admin, then omar).
        #expect(names == ["scan.finished", "user.created", "user.created", "item.starred", "track.played"])
        #expect(await Undeclared.log.names.isEmpty)
    }
}
