import CantoCore
import CantoDomain
import CantoRecommend
import Foundation
import Hummingbird

extension Wire {
    struct SourceOutcomes: Encodable, Sendable {
        var source: String
        var shown: Int
        var played: Int
        var skipped: Int
        var starred: Int
        var thumbsUp: Int
        var thumbsDown: Int
        /// Played ÷ shown.
        var acceptance: Double
        /// Skipped ÷ (played + skipped).
        var skipRate: Double
        var minutes: Double
        /// The listener's weight for this recommender now (listener rows only).
        var weight: Double?

        init(_ counts: ImpressionCounts, weight: Double? = nil) {
            source = counts.source
            shown = counts.shown
            played = counts.played
            skipped = counts.skipped
            starred = counts.starred
            thumbsUp = counts.thumbsUp
            thumbsDown = counts.thumbsDown
            acceptance = counts.shown > 0 ? Double(counts.played) / Double(counts.shown) : 0
            skipRate =
                counts.played + counts.skipped > 0 ? Double(counts.skipped) / Double(counts.played + counts.skipped) : 0
            minutes = (Double(counts.seconds) / 6).rounded() / 10
            self.weight = weight
        }
    }

    struct ListenerOutcomes: Encodable, Sendable {
        var userId: String
        var username: String
        var sources: [SourceOutcomes]
    }

    struct RecommendationReport: ResponseEncodable {
        /// Whether listeners' weights adapt to their outcomes (`[recommendations] adapt`).
        var adaptive: Bool
        var since: Date
        var sources: [SourceOutcomes]
        var listeners: [ListenerOutcomes]
    }
}

/// How the recommendations are doing, for the admin page: per recommender and per listener,
/// what was shown in the last `days` days and what came of it, and each listener's weights now.
struct RecommendationReportController {
    let impressions: any ImpressionStore
    let recommendations: RecommendationService
    let accounts: AccountService
    let clock: any WallClock

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("recommendations", use: report)
    }

    @Sendable func report(_ request: Request, context: CantoRequestContext) async throws -> Wire.RecommendationReport {
        let days = try request.integer("days", default: 30, in: 1...3_650)
        let since = clock.now.addingTimeInterval(-Double(days) * 86_400)
        let counts = try await impressions.counts(since: since)
        var totals: [String: ImpressionCounts] = [:]
        var perUser: [UserID: [ImpressionCounts]] = [:]
        for row in counts {
            var total = totals[row.source] ?? ImpressionCounts(source: row.source)
            total.shown += row.shown
            total.played += row.played
            total.skipped += row.skipped
            total.starred += row.starred
            total.thumbsUp += row.thumbsUp
            total.thumbsDown += row.thumbsDown
            total.seconds += row.seconds
            totals[row.source] = total
            if let user = row.user { perUser[user, default: []].append(row) }
        }
        var listeners: [Wire.ListenerOutcomes] = []
        for user in try await accounts.allUsers() {
            guard let rows = perUser[user.id] else { continue }
            let weights = try await recommendations.weights(for: user.id)
            listeners.append(
                Wire.ListenerOutcomes(
                    userId: user.id.rawValue, username: user.username,
                    sources: rows.map { row in
                        Wire.SourceOutcomes(
                            row, weight: weights.weight(of: row.source))
                    }))
        }
        return Wire.RecommendationReport(
            adaptive: recommendations.adapt, since: since,
            sources: totals.keys.sorted().compactMap { totals[$0].map { Wire.SourceOutcomes($0) } },
            listeners: listeners)
    }
}
