import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation

/// Recommendations for one listener: the running recommender plugins are asked in turn (each
/// under the plugin deadline; the first with an answer wins), and only what the listener's view
/// holds is kept, so a recommender never shows a track of a library the listener cannot see. With
/// no recommender answer (nothing analysed yet) the catalog's own likeness (same artist, genre)
/// answers instead.
struct RecommendationService: Sendable {
    let plugins: PluginRegistry
    let deadline: Duration

    /// One recommended track, with its likeness and why, in words.
    struct Pick: Sendable {
        var track: Track
        var similarity: Double
        var reason: String
    }

    /// Tracks like `seeds` for the holder of `view`, best first: every running recommender is
    /// asked at once (each under the deadline), and their answers are blended: a track's score is
    /// the sum of its likeness in each answer, its reason the one that gave the most; then at most
    /// `perArtist` of one artist (0: no limit).
    func similar(
        to seeds: [TrackID], in view: CatalogView, limit: Int, perArtist: Int = 2, excluding: Set<TrackID> = []
    ) async throws -> [Pick] {
        guard !seeds.isEmpty, limit > 0 else { return [] }
        let request = RecommendationRequest(
            seeds: seeds, listener: view.user.id, limit: limit * 4 + 10, excluding: excluding, perArtist: perArtist)
        let recommenders = await plugins.plugins((any RecommenderPlugin).self)
        let health = plugins.health
        let deadline = deadline
        let answers = await withTaskGroup(of: [Recommendation].self) { group in
            for plugin in recommenders {
                group.addTask {
                    let id = type(of: plugin).descriptor.id
                    do {
                        let answer = try await PluginCalls.run(id, deadline: deadline) {
                            try await plugin.recommend(request)
                        }
                        await health.succeeded(id)
                        return answer
                    } catch {
                        await health.failed(id, error)
                        return []
                    }
                }
            }
            var all: [[Recommendation]] = []
            for await answer in group { all.append(answer) }
            return all
        }
        var blended: [TrackID: (score: Double, best: Recommendation)] = [:]
        var order: [TrackID] = []
        for answer in answers {
            for recommendation in answer where !excluding.contains(recommendation.track) {
                let share = max(0, recommendation.similarity)
                if let known = blended[recommendation.track] {
                    blended[recommendation.track] = (
                        known.score + share, share > known.best.similarity ? recommendation : known.best
                    )
                } else {
                    blended[recommendation.track] = (share, recommendation)
                    order.append(recommendation.track)
                }
            }
        }
        let ranked = order.sorted { (blended[$0]?.score ?? 0) > (blended[$1]?.score ?? 0) }.compactMap {
            blended[$0]?.best
        }
        let picks = try await keep(ranked, in: view, limit: limit, perArtist: perArtist)
        if !picks.isEmpty { return picks }
        // Nothing analysed or played together yet: the catalog's likeness.
        var fallback: [Pick] = []
        for track in try await view.similarTracks(to: seeds[0], limit: limit + excluding.count)
        where !excluding.contains(track.id) && !seeds.contains(track.id) {
            fallback.append(Pick(track: track, similarity: -1, reason: "Same artist or genre"))
            if fallback.count >= limit { break }
        }
        return fallback
    }

    /// A path of `count` tracks from `start` to `end` for the holder of `view` (both must be in
    /// it), or nil when no recommender can make one. A step the listener cannot see is asked again
    /// around (a few rounds), so the path has no gaps.
    func path(from start: TrackID, to end: TrackID, in view: CatalogView, count: Int) async throws -> [Pick]? {
        for plugin in await plugins.plugins((any RecommenderPlugin).self) {
            let id = type(of: plugin).descriptor.id
            var excluding: Set<TrackID> = []
            for _ in 0..<4 {
                let answer: [Recommendation]?
                do {
                    let avoid = excluding
                    answer = try await PluginCalls.run(id, deadline: deadline) {
                        try await plugin.path(from: start, to: end, count: count, excluding: avoid)
                    }
                    await plugins.health.succeeded(id)
                } catch {
                    await plugins.health.failed(id, error)
                    break
                }
                guard let answer else { break }
                let picks = try await keep(answer, in: view, limit: count)
                let hidden = Set(answer.map(\.track)).subtracting(picks.map(\.track.id))
                if hidden.isEmpty { return picks }
                excluding.formUnion(hidden)
            }
        }
        return nil
    }

    /// The recommendations `view` holds, in order, with their reasons in words.
    private func keep(_ answer: [Recommendation], in view: CatalogView, limit: Int, perArtist: Int = 0)
        async throws -> [Pick]
    {
        let visible = try await view.tracks(answer.map(\.track))
        let byID = Dictionary(visible.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var titles: [TrackID: String] = [:]
        var picks: [Pick] = []
        var perArtistCount: [String: Int] = [:]
        for recommendation in answer {
            guard let track = byID[recommendation.track] else { continue }
            let artist = track.artistName.lowercased()
            if perArtist > 0 {
                guard perArtistCount[artist, default: 0] < perArtist else { continue }
                perArtistCount[artist, default: 0] += 1
            }
            picks.append(
                Pick(
                    track: track, similarity: recommendation.similarity,
                    reason: try await words(recommendation.reason, in: view, titles: &titles)))
            if picks.count >= limit { break }
        }
        return picks
    }

    private func words(_ reason: Recommendation.Reason, in view: CatalogView, titles: inout [TrackID: String])
        async throws -> String
    {
        func title(_ id: TrackID) async throws -> String? {
            if let known = titles[id] { return known }
            let found = try await view.track(id)?.title
            titles[id] = found
            return found
        }
        switch reason {
        case .soundsLike(let seed):
            return try await title(seed).map { "Sounds like “\($0)”" } ?? "Sounds alike"
        case .playedWith(let seed):
            return try await title(seed).map { "Played with “\($0)”" } ?? "Played together"
        case .becauseYouPlayed(let seed):
            return try await title(seed).map { "Because you played “\($0)”" } ?? "From what you play"
        case .other(let text):
            return String(text.prefix(200))
        }
    }
}
