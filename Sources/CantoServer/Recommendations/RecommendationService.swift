import CantoCore
import CantoDomain
import CantoPluginKit
import CantoRecommend
import Foundation

/// Recommendations for one listener: the running recommender plugins are asked in turn (each
/// under the plugin deadline; the first with an answer wins), and only what the listener's view
/// holds is kept, so a recommender never shows a track of a library the listener cannot see. With
/// no recommender answer (nothing analysed yet) the catalog's own likeness (same artist, genre)
/// answers instead.
struct RecommendationService: Sendable {
    let plugins: PluginRegistry
    let deadline: Duration
    /// The listener's plays (their taste).
    let history: PlaybackService
    /// Their stars, ratings and thumbs down.
    let state: any LibraryStateStore
    let weights: Blend.Weights
    /// The picks shown, and what came of them.
    let impressions: any ImpressionStore
    /// Whether each listener's weights follow how each recommender's picks did with them.
    let adapt: Bool
    let clock: any WallClock

    /// The blend's weights for one listener: adapted to their outcomes when adaptation is on.
    func weights(for user: UserID) async throws -> Blend.Weights {
        guard adapt else { return weights }
        var outcomes: [String: Blend.Weights.Outcomes] = [:]
        for counts in try await impressions.counts(of: user) {
            outcomes[counts.source] = Blend.Weights.Outcomes(
                successes: counts.played + counts.thumbsUp, failures: counts.skipped + counts.thumbsDown)
        }
        return weights.adapted(to: outcomes)
    }

    /// What is known of the listener's taste: their last 1,000 plays, their stars and ratings,
    /// their thumbs down.
    func listener(_ user: UserID) async throws -> Blend.Listener {
        let plays = try await history.plays(of: user, from: nil, to: nil, offset: 0, limit: 1_000)
        var listener = Blend.Listener(plays: plays.map { ($0.trackID, $0.scrobble) })
        var starred: Set<TrackID> = []
        var ratings: [TrackID: Int] = [:]
        for annotation in try await state.annotations(of: user) where annotation.kind == .track {
            if annotation.starredAt != nil { starred.insert(TrackID(annotation.itemID)) }
            if let rating = annotation.rating { ratings[TrackID(annotation.itemID)] = rating }
        }
        listener.add(starred: starred, ratings: ratings, disliked: try await state.dislikes(of: user))
        return listener
    }

    /// One recommended track, with its likeness, why in words, and the recommender that chose it
    /// ("taste" for the listener's own favourites, "catalog" for the catalog's likeness).
    struct Pick: Sendable {
        var track: Track
        var similarity: Double
        var reason: String
        var source: String = "catalog"
    }

    /// Tracks like `seeds` for the holder of `view`, best first: every running recommender is
    /// asked at once (each under the deadline), and the answers are blended with the listener's
    /// own taste (their plays: favourites rise, what they skipped twice lately is left out, what they
    /// just played counts less), the household's favourites among the candidates, and at most
    /// `perArtist` of one artist (0: no limit), by `Blend`, the same ranking the offline
    /// evaluation measures.
    /// What is returned is recorded as shown on `surface` (nil: not recorded).
    func similar(
        to seeds: [TrackID], in view: CatalogView, limit: Int, perArtist: Int = 2, excluding: Set<TrackID> = [],
        surface: String?
    ) async throws -> [Pick] {
        let picks = try await blended(
            to: seeds, in: view, limit: limit, perArtist: perArtist, excluding: excluding)
        if let surface {
            try await impressions.record(
                picks.map { ($0.track.id, $0.source) }, user: view.user.id, surface: surface, at: clock.now)
        }
        return picks
    }

    private func blended(
        to seeds: [TrackID], in view: CatalogView, limit: Int, perArtist: Int, excluding: Set<TrackID>
    ) async throws -> [Pick] {
        guard !seeds.isEmpty, limit > 0 else { return [] }
        let request = RecommendationRequest(
            seeds: seeds, listener: view.user.id, limit: limit * 4 + 10, excluding: excluding, perArtist: 0)
        let recommenders = await plugins.plugins((any RecommenderPlugin).self)
        let health = plugins.health
        let deadline = deadline
        let answers = await withTaskGroup(of: (String, [Recommendation]).self) { group in
            for plugin in recommenders {
                group.addTask {
                    let id = type(of: plugin).descriptor.id
                    do {
                        let answer = try await PluginCalls.run(id, deadline: deadline) {
                            try await plugin.recommend(request)
                        }
                        await health.succeeded(id)
                        return (id, answer)
                    } catch {
                        await health.failed(id, error)
                        return (id, [])
                    }
                }
            }
            var all: [String: [Recommendation]] = [:]
            for await (id, answer) in group { all[id] = answer }
            return all
        }
        var reasons: [String: [TrackID: Recommendation]] = [:]
        for (id, answer) in answers {
            reasons[id] = Dictionary(answer.map { ($0.track, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let candidates = Set(answers.values.flatMap { $0.map(\.track) })
        // Only what the listener sees takes part (their scope is decided here, once).
        let visible = try await view.tracks(Array(candidates))
        let byID = Dictionary(visible.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let listener = try await listener(view.user.id)
        if !byID.isEmpty {
            let most = Double(visible.map(\.playCount).max() ?? 0)
            let popularity =
                most > 0
                ? Dictionary(
                    visible.map { ($0.id, Foundation.log(1 + Double($0.playCount)) / Foundation.log(1 + most)) },
                    uniquingKeysWith: { first, _ in first }) : [:]
            var kept: [String: [TrackID: Double]] = [:]
            for (id, answer) in answers {
                kept[id] = Dictionary(
                    answer.filter { byID[$0.track] != nil }.map { ($0.track, $0.similarity) }, uniquingKeysWith: max)
            }
            let ranked = Blend(weights: try await weights(for: view.user.id)).rank(
                answers: kept, listener: listener, popularity: popularity,
                artists: byID.mapValues { $0.artistName.lowercased() }, limit: limit, perArtist: perArtist,
                excluding: excluding.union(seeds))
            var titles: [TrackID: String] = [:]
            var picks: [Pick] = []
            for pick in ranked {
                guard let track = byID[pick.track] else { continue }
                let recommendation =
                    reasons[pick.source]?[pick.track]
                    ?? reasons.values.lazy.compactMap { $0[pick.track] }.first
                let reason =
                    pick.source == "taste"
                    ? "One of your favourites"
                    : try await words(recommendation?.reason ?? .other("Goes with it"), in: view, titles: &titles)
                picks.append(
                    Pick(
                        track: track, similarity: min(1, recommendation?.similarity ?? 0), reason: reason,
                        source: pick.source))
            }
            if !picks.isEmpty { return picks }
        }
        // Nothing analysed or played together yet: the catalog's likeness.
        var fallback: [Pick] = []
        for track in try await view.similarTracks(to: seeds[0], limit: limit + excluding.count)
        where !excluding.contains(track.id) && !seeds.contains(track.id) && listener.admits(track.id) {
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
    private func keep(_ answer: [Recommendation], in view: CatalogView, limit: Int) async throws -> [Pick] {
        let visible = try await view.tracks(answer.map(\.track))
        let byID = Dictionary(visible.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var titles: [TrackID: String] = [:]
        var picks: [Pick] = []
        for recommendation in answer {
            guard let track = byID[recommendation.track] else { continue }
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
