import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// The loop from recommendations back to the blend, through a real server with two recommender
/// plugins of the test's own: "alpha" always suggests "Bright Day", "beta" always "Wide Field".
/// The listener plays alpha's pick to the end and skips beta's: each impression is joined to what
/// came of it, the admin report shows each recommender's acceptance and skip rate, and the
/// listener's weights move towards alpha; with adaptation off they stay where they were.
@Suite("Recommendation outcomes")
struct ImpressionTests {
    /// Suggests one track, found by title, for any seed.
    protocol OneTrack: RecommenderPlugin {
        static var title: String { get }
        var catalog: any CatalogReader { get }
    }

    struct Alpha: OneTrack {
        static let descriptor = PluginDescriptor(id: "alpha", name: "Alpha", version: "1", enabledByDefault: true)
        static let title = "Bright Day"
        let catalog: any CatalogReader
        init(configuration: PluginConfiguration, context: PluginContext) throws { catalog = context.catalog }
    }

    struct Beta: OneTrack {
        static let descriptor = PluginDescriptor(id: "beta", name: "Beta", version: "1", enabledByDefault: true)
        static let title = "Wide Field"
        let catalog: any CatalogReader
        init(configuration: PluginConfiguration, context: PluginContext) throws { catalog = context.catalog }
    }

    /// The blend without the listener's own taste or freshness, so every pick is the plugins'.
    static let plainBlend = [
        "CANTO_RECOMMENDATIONS_TASTE": "0", "CANTO_RECOMMENDATIONS_POPULARITY": "0",
        "CANTO_RECOMMENDATIONS_RECENTLY_PLAYED": "1", "CANTO_RECOMMENDATIONS_DIVERSITY": "0",
    ]

    /// Rounds of: a radio page from "Quiet Door", then alpha's pick played through and beta's
    /// skipped (when shown). Returns the admin report.
    static func listen(adapt: Bool, rounds: Int) async throws -> [String: Any] {
        let clock = ManualClock()
        var environment = plainBlend
        environment["CANTO_RECOMMENDATIONS_ADAPT"] = adapt ? "true" : "false"
        let server = try await InProcessServer.start(
            plugins: [Alpha.self, Beta.self], environment: environment, clock: clock)
        let listener = try await server.addUser("lee")
        let admin = try await server.addAdminSession()
        var titles: [TrackID: String] = [:]
        for id in try await server.trackIDs() { titles[id] = try await server.services.track(id)?.title }
        let seed = try #require(titles.first { $0.value == "Quiet Door" }?.key)
        let view = server.services.catalogs.view(for: listener.user)
        for round in 0..<rounds {
            let page = try await server.withClient { client in
                try await client.send(
                    .get, "/api/v1/radio?seedType=track&seed=\(seed.rawValue)&limit=2", token: listener.token)
            }
            #expect(page.status == .ok, "\(page.body)")
            let shown = (page.json["items"] as? [[String: Any]] ?? []).compactMap {
                ($0["track"] as? [String: Any])?["id"] as? String
            }
            if round == 0 { #expect(Set(shown.compactMap { titles[TrackID($0)] }) == ["Bright Day", "Wide Field"]) }
            clock.advance(by: 60)
            for id in shown {
                let played = titles[TrackID(id)] == "Bright Day"
                _ = try await server.services.playback.played(
                    TrackID(id), in: view, startedAt: clock.now, secondsPlayed: played ? 2 : 0, client: "tests")
            }
            if round == 0 {
                // A star from a Subsonic app on alpha's pick: an outcome too.
                let bright = try #require(titles.first { $0.value == "Bright Day" }?.key)
                let starred = try await server.withClient { client in
                    try await client.subsonic("star", [("id", bright.rawValue)], as: listener)
                }
                #expect(starred.subsonicError == nil, "\(starred.body)")
            }
            clock.advance(by: 600)
        }
        let report = try await server.withClient { client in
            try await client.send(.get, "/api/v1/admin/recommendations?days=1", token: admin)
        }
        #expect(report.status == .ok, "\(report.body)")
        return report.json
    }

    static func sources(_ rows: Any?) -> [String: [String: Any]] {
        Dictionary(
            ((rows as? [[String: Any]]) ?? []).map { ($0["source"] as? String ?? "", $0) },
            uniquingKeysWith: { first, _ in first })
    }

    @Test func playedPicksPullTheWeightsSkippedOnesPushThemAway() async throws {
        let report = try await Self.listen(adapt: true, rounds: 5)
        #expect(report["adaptive"] as? Bool == true)
        let overall = Self.sources(report["sources"])
        let alpha = try #require(overall["alpha"])
        let beta = try #require(overall["beta"])
        // Alpha's pick shown and played five times; beta's shown until skipped twice (then left out).
        #expect(alpha["shown"] as? Int == 5 && alpha["played"] as? Int == 5 && alpha["acceptance"] as? Double == 1)
        #expect(alpha["starred"] as? Int == 1)
        #expect(beta["shown"] as? Int == 2 && beta["skipped"] as? Int == 2 && beta["skipRate"] as? Double == 1)
        let listeners = report["listeners"] as? [[String: Any]] ?? []
        let lee = try #require(listeners.first { $0["username"] as? String == "lee" })
        let weights = Self.sources(lee["sources"]).mapValues { $0["weight"] as? Double ?? -1 }
        // Beta(1,1) prior: alpha 2 × 6/7, beta 2 × 1/4.
        #expect(abs((weights["alpha"] ?? 0) - 12.0 / 7.0) < 1e-9, "\(weights)")
        #expect(abs((weights["beta"] ?? 0) - 0.5) < 1e-9, "\(weights)")
    }

    @Test func withAdaptationOffTheWeightsStay() async throws {
        let report = try await Self.listen(adapt: false, rounds: 3)
        #expect(report["adaptive"] as? Bool == false)
        #expect(Self.sources(report["sources"])["alpha"]?["played"] as? Int == 3)
        let lee = try #require((report["listeners"] as? [[String: Any]])?.first)
        let weights = Self.sources(lee["sources"]).mapValues { $0["weight"] as? Double ?? -1 }
        #expect(weights["alpha"] == 1 && weights["beta"] == 1, "\(weights)")
    }
}

extension ImpressionTests.OneTrack {
    func recommend(_ request: RecommendationRequest) async throws -> [Recommendation] {
        guard let track = try await catalog.tracks(titled: Self.title, limit: 1).first,
            !request.excluding.contains(track.id)
        else { return [] }
        return [Recommendation(track: track.id, similarity: 0.9, reason: .other("Picked by \(Self.descriptor.name)"))]
    }
}
