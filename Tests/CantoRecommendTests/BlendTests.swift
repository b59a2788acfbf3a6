import CantoCore
import CantoRecommend
import Testing

/// The blend on answers whose right order is known.
@Suite struct BlendTests {
    static let artists: [TrackID: String] = [
        "a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C", "d1": "D",
    ].reduce(into: [:]) { $0[TrackID($1.key)] = $1.value }

    @Test func sourcesAddUpTasteRisesSkipsAndRepeatsFall() {
        let blend = Blend(
            weights: Blend.Weights(
                sources: ["sonic": 1, "colisten": 1], taste: 1, popularity: 0, diversity: 0, recentlyPlayed: 0.5))
        let answers: [String: [TrackID: Double]] = [
            "sonic": [TrackID("a1"): 0.9, TrackID("b1"): 0.5, TrackID("c1"): 0.4],
            "colisten": [TrackID("b1"): 0.5, TrackID("d1"): 0.3],
        ]
        // Nothing known of the listener: a1 (0.9), b1 (0.5 + 0.5), c1, d1.
        let plain = blend.rank(answers: answers, listener: Blend.Listener(), artists: Self.artists, limit: 4)
        #expect(plain.map(\.track.rawValue) == ["b1", "a1", "c1", "d1"])
        #expect(plain.first?.source == "sonic" || plain.first?.source == "colisten")
        // d1 is their favourite, c1 skipped twice lately, a1 just played.
        let listener = Blend.Listener(
            plays: [
                (TrackID("a1"), true), (TrackID("c1"), false), (TrackID("d1"), true), (TrackID("c1"), false),
                (TrackID("d1"), true),
            ], recentCount: 1)
        let personal = blend.rank(answers: answers, listener: listener, artists: Self.artists, limit: 4)
        #expect(personal.map(\.track.rawValue) == ["d1", "b1", "a1"])
        #expect(personal.first?.source == "taste")
    }

    @Test func starsAndRatingsRaiseAThumbsDownOrOneStarKeepsOut() {
        let blend = Blend(
            weights: Blend.Weights(sources: ["sonic": 1], taste: 1, popularity: 0, diversity: 0, recentlyPlayed: 1))
        let answers: [String: [TrackID: Double]] = [
            "sonic": [TrackID("a1"): 0.9, TrackID("b1"): 0.5, TrackID("c1"): 0.4, TrackID("d1"): 0.3]
        ]
        var listener = Blend.Listener()
        listener.add(
            starred: [TrackID("c1")], ratings: [TrackID("d1"): 5, TrackID("b1"): 1], disliked: [TrackID("a1")])
        #expect(listener.taste == [TrackID("c1"): 0.6, TrackID("d1"): 0.8])
        #expect(!listener.admits(TrackID("a1")) && !listener.admits(TrackID("b1")))
        let ranked = blend.rank(answers: answers, listener: listener, artists: Self.artists, limit: 4)
        // d1: 0.3 + 0.8; c1: 0.4 + 0.6; a1 and b1 never.
        #expect(ranked.map(\.track.rawValue) == ["d1", "c1"])
        // A thumbs down outweighs a star given before it.
        var changed = Blend.Listener()
        changed.add(starred: [TrackID("c1")], ratings: [:], disliked: [TrackID("c1")])
        #expect(changed.taste.isEmpty && !changed.admits(TrackID("c1")))
    }

    @Test func adaptedWeightsFollowOutcomes() {
        let base = Blend.Weights(sources: ["sonic": 0.5, "colisten": 2], taste: 4)
        let adapted = base.adapted(to: [
            "sonic": .init(successes: 8, failures: 0), "colisten": .init(successes: 0, failures: 18),
            "taste": .init(successes: 1, failures: 1), "new": .init(successes: 3, failures: 1),
        ])
        #expect(abs(adapted.sources["sonic", default: 0] - 0.5 * 2 * 9 / 10) < 1e-12)
        #expect(adapted.sources["colisten"] == 2 * 0.1, "floored at a tenth")
        #expect(adapted.taste == 4)
        #expect(abs(adapted.sources["new", default: 0] - 2 * 4 / 6) < 1e-12)
        #expect(base.adapted(to: [:]) == base)
    }

    @Test func artistsAreSpreadAndCapped() {
        let answers: [String: [TrackID: Double]] = [
            "sonic": [
                TrackID("a1"): 1, TrackID("a2"): 0.99, TrackID("a3"): 0.98, TrackID("b1"): 0.9, TrackID("b2"): 0.85,
            ]
        ]
        let capped = Blend(weights: Blend.Weights(popularity: 0, diversity: 0)).rank(
            answers: answers, listener: Blend.Listener(), artists: Self.artists, limit: 5, perArtist: 2)
        #expect(capped.map(\.track.rawValue) == ["a1", "a2", "b1", "b2"])
        // Maximal marginal relevance: a second track by A waits behind B's first.
        let spread = Blend(weights: Blend.Weights(popularity: 0, diversity: 0.5)).rank(
            answers: answers, listener: Blend.Listener(), artists: Self.artists, limit: 3, perArtist: 0)
        #expect(spread.map(\.track.rawValue) == ["a1", "b1", "a2"])
    }
}
