import CantoCore
import CantoDomain
import Foundation
import Hummingbird

extension Wire {
    struct ServerHour: Encodable, Sendable {
        var hour: Date
        var plays: Int
        var skips: Int
        var streams: Int
        var transcodes: Int
        var bytes: Int
    }

    struct Count: Encodable, Sendable {
        var name: String
        var count: Int
    }

    struct CacheRate: Encodable, Sendable {
        var name: String
        var hits: Int
        var misses: Int
        /// Hits ÷ (hits + misses); nil before any.
        var hitRate: Double?
    }

    struct LibrarySize: Encodable, Sendable {
        var tracks: Int
        var albums: Int
        var artists: Int
        /// Albums added per month ("2026-03").
        var growth: [Count]
    }

    struct ServerStats: ResponseEncodable {
        var since: Date
        /// Every hour of the window, oldest first (UTC).
        var hours: [ServerHour]
        var activeListeners: Int
        var streamsByFormat: [Count]
        var transcodesByFormat: [Count]
        var bytesServed: Int
        var caches: [CacheRate]
        var topClients: [Count]
        var library: LibrarySize
        var scans: [ScanRun]
        var slowRequests: [SlowRequest]
    }
}

/// The server's statistics for admins: activity per hour over the last `hours` (default 48),
/// streams and transcodes by format, bytes served, cache hit rates, active listeners, top
/// clients, library growth, the last scans and the slowest requests.
struct ServerStatsController {
    let activity: ServerActivity
    let stats: any StatsStore
    let accounts: AccountService
    let catalogs: CatalogService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("stats", use: report)
    }

    @Sendable func report(_ request: Request, context: CantoRequestContext) async throws -> Wire.ServerStats {
        let hours = try request.integer("hours", default: 48, in: 1...2_160)
        try await activity.flush()
        let now = activity.clock.now
        let last = ActivityKey.hour(of: now)
        let first = last - hours + 1
        let since = Date(timeIntervalSince1970: Double(first) * 3_600)
        var perHour: [Int: Wire.ServerHour] = [:]
        var streams: [String: Int] = [:]
        var transcodes: [String: Int] = [:]
        var caches: [String: (hits: Int, misses: Int)] = [:]
        var bytes = 0
        for (key, value) in try await activity.store.counters(since: first) {
            var hour =
                perHour[key.hour]
                ?? Wire.ServerHour(
                    hour: Date(timeIntervalSince1970: Double(key.hour) * 3_600), plays: 0, skips: 0, streams: 0,
                    transcodes: 0, bytes: 0)
            switch key.name {
            case "plays": hour.plays += value
            case "skips": hour.skips += value
            case "streams":
                hour.streams += value
                streams[key.label, default: 0] += value
            case "transcodes":
                hour.transcodes += value
                transcodes[key.label, default: 0] += value
            case "bytes":
                hour.bytes += value
                bytes += value
            case "cache":
                let parts = key.label.split(separator: "-")
                guard parts.count == 2 else { break }
                var rate = caches[String(parts[0])] ?? (0, 0)
                if parts[1] == "hit" { rate.hits += value } else { rate.misses += value }
                caches[String(parts[0])] = rate
            default: break
            }
            perHour[key.hour] = hour
        }
        let timeline = (first...last).map { hour in
            perHour[hour]
                ?? Wire.ServerHour(
                    hour: Date(timeIntervalSince1970: Double(hour) * 3_600), plays: 0, skips: 0, streams: 0,
                    transcodes: 0, bytes: 0)
        }
        func counts(_ map: [String: Int]) -> [Wire.Count] {
            map.map { Wire.Count(name: $0.key, count: $0.value) }.sorted { ($0.count, $1.name) > ($1.count, $0.name) }
        }
        let users = try await accounts.allUsers().map(\.id)
        let today = LocalDay.of(now, in: .gmt).day
        let clients = try await stats.clients(of: users, in: DayRange(today - (hours + 23) / 24, today))
        let counted = try await catalogs.counts()
        return Wire.ServerStats(
            since: since, hours: timeline, activeListeners: try await activity.store.activeListeners(since: since),
            streamsByFormat: counts(streams), transcodesByFormat: counts(transcodes), bytesServed: bytes,
            caches: ["transcodes", "covers"].map { name in
                let rate = caches[name] ?? (0, 0)
                return Wire.CacheRate(
                    name: name, hits: rate.hits, misses: rate.misses,
                    hitRate: rate.hits + rate.misses > 0 ? Double(rate.hits) / Double(rate.hits + rate.misses) : nil)
            },
            topClients: clients.prefix(10).map {
                Wire.Count(name: $0.client.isEmpty ? "unknown" : $0.client, count: $0.plays)
            },
            library: Wire.LibrarySize(
                tracks: counted.tracks, albums: counted.albums, artists: counted.artists,
                growth: try await activity.store.albumsAddedByMonth().map {
                    Wire.Count(name: $0.month, count: $0.albums)
                }),
            scans: try await activity.store.scans(limit: 20),
            slowRequests: try await activity.store.slowRequests(since: since, limit: 20))
    }
}
