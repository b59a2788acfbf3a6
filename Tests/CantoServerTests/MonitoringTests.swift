import CantoCore
import CantoTestSupport
import Foundation
import Testing

@testable import CantoServer

/// The Grafana dashboard and the Prometheus alert rules in `deploy/` against a real `canto serve`:
/// every metric their expressions name is on `/metrics` once the server has seen some traffic
/// (a scan, a transcode, covers, a plugin call, a webhook, browsing).
@Suite("Monitoring", .serialized)
struct MonitoringTests {
    static let deploy = CantoProcess.executable.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    /// The PromQL expressions of the dashboard (every `expr` of its panels' targets).
    static func dashboardExpressions() throws -> [String] {
        let data = try Data(contentsOf: deploy.appendingPathComponent("grafana/canto.json"))
        var found: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, inner) in object {
                    if key == "expr", let text = inner as? String { found.append(text) } else { walk(inner) }
                }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(try JSONSerialization.jsonObject(with: data))
        return found
    }

    /// The PromQL expressions of the alert rules (each rule's one-line `expr:`).
    static func alertExpressions() throws -> [String] {
        let text = try String(contentsOf: deploy.appendingPathComponent("prometheus/canto-alerts.yml"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("expr:") else { return nil }
            return String(trimmed.dropFirst(5)).trimmingCharacters(in: .whitespaces)
        }
    }

    /// The metric names an expression uses: identifiers of Canto's and Hummingbird's series
    /// (label values are quoted, so `job="canto"` names nothing).
    static func metricNames(in expression: String) -> Set<String> {
        var names = Set<String>()
        var quoted = false
        var current = ""
        func flush() {
            if ["canto_", "hb_", "http_server_"].contains(where: current.hasPrefix) { names.insert(current) }
            current = ""
        }
        for character in expression {
            if character == "\"" {
                flush()
                quoted.toggle()
            } else if !quoted, character.isLetter || character.isNumber || character == "_" || character == ":" {
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        return names
    }

    /// Names in `names` that no sample line of `text` (Prometheus text format) carries.
    static func missing(_ names: Set<String>, from text: String) -> [String] {
        let served = Set(
            text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
                String(line.prefix { $0 != "{" && $0 != " " })
            })
        return names.subtracting(served).sorted()
    }

    @Test func theParserFindsNamesAndSkipsLabelValues() {
        let names = Self.metricNames(
            in: #"sum by (le) (rate(canto_x_bucket{job="canto_y",a=~"5.."}[5m])) / hb_requests{job="canto"}"#)
        #expect(names == ["canto_x_bucket", "hb_requests"])
        #expect(
            Self.missing(["canto_a", "canto_b_bucket"], from: "# TYPE canto_a gauge\ncanto_a 1\n") == ["canto_b_bucket"]
        )
    }

    @Test func cachesCountHitsMissesEvictionsEntriesAndBytes() async throws {
        let name = "test_\(UUID().uuidString.prefix(8))"
        let cache = VersionedCache<Int, String>(name: name, capacity: 2)
        let counters = CacheCounters.named(name)
        _ = cache.value(for: 1, version: 1) { "one" }
        _ = cache.value(for: 1, version: 1) { "never built" }
        _ = cache.value(for: 2, version: 1) { "two" }
        _ = cache.value(for: 3, version: 1) { "three" }  // full: one entry makes room
        #expect(counters.snapshot == .init(hits: 1, misses: 3, evictions: 1, entries: 2, bytes: 0))
        _ = cache.value(for: 1, version: 2) { "one again" }  // the catalog moved on: both go
        #expect(counters.snapshot == .init(hits: 1, misses: 4, evictions: 3, entries: 1, bytes: 0))

        let folder = try TemporaryDirectory(prefix: "canto-cache-counts")
        let diskName = name + "_disk"
        let disk = try DiskCache(directory: folder.url, capacityBytes: 150, name: diskName)
        let diskCounters = CacheCounters.named(diskName)
        #expect(await disk.path(of: "a.bin") == nil)
        try await disk.store(Array(repeating: 1, count: 100), as: "a.bin")
        #expect(await disk.path(of: "a.bin") != nil)
        try await disk.store(Array(repeating: 2, count: 100), as: "b.bin")  // over the cap: a goes
        #expect(diskCounters.snapshot == .init(hits: 1, misses: 1, evictions: 1, entries: 1, bytes: 100))
    }

    @Test func everyMetricOfTheDashboardAndTheAlertsIsServed() async throws {
        let dashboard = try Self.dashboardExpressions()
        let alerts = try Self.alertExpressions()
        #expect(dashboard.count >= 20, "the dashboard's panels")
        #expect(alerts.count >= 7, "the alert rules")
        let names = (dashboard + alerts).reduce(into: Set<String>()) { $0.formUnion(Self.metricNames(in: $1)) }
        for required in [
            "canto_streams_active", "canto_transcode_seconds_per_audio_second_bucket", "canto_cache_hits_total",
            "canto_outbox_pending", "canto_disk_free_bytes", "canto_backup_last_success_timestamp_seconds",
            "canto_webhooks_received_total", "canto_playback_sessions_active", "canto_plugin_calls_total",
            "canto_db_query_seconds_bucket", "canto_db_wait_seconds_bucket", "canto_db_checkpoints_total",
        ] {
            #expect(names.contains(required), "\(required) is watched")
        }

        let server = try await TestServer.start(environment: [
            "CANTO_PLUGINS_STRIPE_ENABLED": "true", "CANTO_PLUGINS_STRIPE_SECRET_KEY": "sk_test_monitoring",
            "CANTO_PLUGINS_STRIPE_WEBHOOK_SECRET": "whsec_monitoring",
        ])
        _ = try await server.setUpAdmin()
        let tracks = try await server.trackIDs()
        #expect(!tracks.isEmpty)
        func subsonic(_ method: String, _ parameters: String = "") -> String {
            server.url("/rest/\(method)?u=admin&p=admin-password-1&v=1.16.1&c=monitor&f=json\(parameters)")
        }
        // Browsing (memory caches), a cover (the disk cache), a transcode to the end, a raw
        // stream, a recommender's answer (a plugin call) and a webhook without a signature.
        for method in ["getArtists", "getAlbumList2&type=newest", "getGenres"] {
            #expect(try await HTTP.get(subsonic(method)).status == 200)
        }
        let songs = try await HTTP.get(subsonic("search3", "&query=&songCount=50&albumCount=0&artistCount=0"))
        let song = try #require(
            ((songs.json["subsonic-response"] as? [String: Any])?["searchResult3"] as? [String: Any])?["song"]
                as? [[String: Any]])
        let flac = try #require(song.first { $0["suffix"] as? String == "flac" })
        let id = try #require(flac["id"] as? String)
        #expect(try await HTTP.get(subsonic("getCoverArt", "&id=\(id)&size=64")).status == 200)
        #expect(try await HTTP.get(subsonic("stream", "&id=\(id)&format=mp3&maxBitRate=96")).status == 200)
        #expect(try await HTTP.get(subsonic("stream", "&id=\(id)&format=raw")).status == 200)
        #expect(try await HTTP.get(subsonic("getSimilarSongs2", "&id=\(id)&count=5")).status == 200)
        let webhook = try await HTTP.request(
            "POST", server.url("/plugins/stripe/webhook"), headers: ["Content-Type": "application/json"],
            body: Data("{}".utf8))
        #expect((400..<500).contains(webhook.status), "an unsigned webhook is refused")

        // Some series come from background work (the gauges' timer, the sonic analysis): wait
        // until every name is there, or report those still missing.
        var absent = Array(names)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            absent = Self.missing(names, from: try await HTTP.get(server.url("/metrics")).body)
            if absent.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(absent.isEmpty, "not on /metrics: \(absent)")
    }
}
