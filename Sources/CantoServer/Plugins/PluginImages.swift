import CantoCore
import CantoDomain
import CantoMedia
import CantoPluginKit
import Crypto
import Foundation
import Synchronization

/// Artist pictures and album covers from the metadata plugins, for items the library has no
/// image of: each plugin asked in turn under the plugin deadline, the first picture kept on disk
/// (so it is fetched once), and a miss remembered for an hour (so a service is not asked again
/// on every page view).
final class PluginImages: Sendable {
    let registry: PluginRegistry
    let cache: DiskCache
    let deadline: Duration
    let clock: any WallClock
    private let misses = Mutex<[String: Date]>([:])

    init(registry: PluginRegistry, cache: DiskCache, deadline: Duration, clock: any WallClock) {
        self.registry = registry
        self.cache = cache
        self.deadline = deadline
        self.clock = clock
    }

    func artist(named name: String) async -> Picture? {
        await image(key: "artist|\(name)") { plugin in try await plugin.artistImage(named: name) }
    }

    func album(title: String, artist: String) async -> Picture? {
        await image(key: "album|\(title)|\(artist)") { plugin in
            try await plugin.albumImage(title: title, artist: artist)
        }
    }

    private func image(key: String, _ ask: @escaping @Sendable (any MetadataPlugin) async throws -> Picture?) async
        -> Picture?
    {
        var plugins: [(String, any MetadataPlugin)] = []
        for id in registry.instances.keys.sorted() {
            if let plugin = registry.instances[id] as? any MetadataPlugin, await registry.isRunning(id) {
                plugins.append((id, plugin))
            }
        }
        guard !plugins.isEmpty else { return nil }
        let digest = SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
        let name = "meta-\(digest.prefix(32)).img"
        if let path = await cache.path(of: name), let data = FileManager.default.contents(atPath: path),
            let mime = ImageType.sniff(data)
        {
            return Picture(data: data, mimeType: mime)
        }
        let now = clock.now
        if let missed = misses.withLock({ $0[key] }), now.timeIntervalSince(missed) < 3_600 { return nil }
        for (id, plugin) in plugins {
            let answer = try? await PluginCalls.run(id, deadline: deadline, { try await ask(plugin) })
            guard let found = answer ?? nil, ImageType.sniff(found.data) != nil, found.data.count <= 8 << 20
            else { continue }
            try? await cache.store(Array(found.data), as: name)
            return found
        }
        misses.withLock { $0[key] = now }
        return nil
    }
}
