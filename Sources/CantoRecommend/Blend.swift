public import CantoCore
import Foundation

/// The blend: what the recommenders answered (each a list of tracks with their likeness), the
/// listener's own taste (the tracks they play most, and how much), and freshness (nothing they
/// skipped twice lately; what they just played counts less), ranked with maximal marginal
/// relevance so the list does not fill with one artist.
public struct Blend: Sendable {
    /// How much each source counts, and how strongly a pick that repeats an artist already in the
    /// list is held back (0: not at all; 1: as much as its score). The defaults are the best of a
    /// small grid on the offline evaluation's synthetic household (`canto-bench recommend`): the
    /// listener's own favourites weigh most, then what is played together and the household's
    /// favourites, then sound.
    public struct Weights: Sendable, Equatable {
        public var sources: [String: Double]
        public var taste: Double
        /// How much the household's favourites count among the candidates.
        public var popularity: Double
        public var diversity: Double
        /// The score kept by a track the listener played in their last few plays.
        public var recentlyPlayed: Double

        public init(
            sources: [String: Double] = ["sonic": 0.1, "colisten": 2], taste: Double = 5, popularity: Double = 1,
            diversity: Double = 0.2, recentlyPlayed: Double = 0.5
        ) {
            self.popularity = popularity
            self.sources = sources
            self.taste = taste
            self.diversity = diversity
            self.recentlyPlayed = recentlyPlayed
        }
    }

    /// One ranked pick: its score and the source that gave the most of it ("taste" for the
    /// listener's own favourites).
    public struct Pick: Sendable, Equatable {
        public var track: TrackID
        public var score: Double
        public var source: String
    }

    /// What is known of the listener.
    public struct Listener: Sendable, Equatable {
        /// Their favourites, 0 to 1 (1 for the track they play most).
        public var taste: [TrackID: Double]
        /// Their last few plays.
        public var recent: Set<TrackID>
        /// Tracks they skipped at least twice lately: never picked.
        public var skippedTwice: Set<TrackID>
        /// Tracks they gave a thumbs down (or one star): never picked.
        public var disliked: Set<TrackID>

        public init(
            taste: [TrackID: Double] = [:], recent: Set<TrackID> = [], skippedTwice: Set<TrackID> = [],
            disliked: Set<TrackID> = []
        ) {
            self.taste = taste
            self.recent = recent
            self.skippedTwice = skippedTwice
            self.disliked = disliked
        }

        /// Adds what the listener said of tracks: a star (a thumbs up) makes a track a favourite
        /// (at least 0.6), a rating of 4 or 5 at least 0.4 or 0.8, a rating of 1 or a thumbs down
        /// keeps it out.
        public mutating func add(starred: Set<TrackID>, ratings: [TrackID: Int], disliked: Set<TrackID>) {
            for track in starred { taste[track] = max(taste[track] ?? 0, 0.6) }
            for (track, rating) in ratings {
                switch rating {
                case 5: taste[track] = max(taste[track] ?? 0, 0.8)
                case 4: taste[track] = max(taste[track] ?? 0, 0.4)
                case 1: self.disliked.insert(track)
                default: break
                }
            }
            self.disliked.formUnion(disliked)
            for track in self.disliked { taste[track] = nil }
        }

        /// Whether the track may be picked at all.
        public func admits(_ track: TrackID) -> Bool {
            !skippedTwice.contains(track) && !disliked.contains(track)
        }

        /// The listener's profile from their plays, newest first: play counts (skips left out, a
        /// play counting half as much every `halfLife` plays back, so taste follows its drift) as
        /// taste, the last `recentCount` plays, and tracks skipped twice or more lately.
        public init(plays: [(track: TrackID, counted: Bool)], recentCount: Int = 10, halfLife: Double = 150) {
            var counts: [TrackID: Double] = [:]
            var skips: [TrackID: Int] = [:]
            for (index, play) in plays.enumerated() {
                if play.counted {
                    counts[play.track, default: 0] += Foundation.pow(0.5, Double(index) / halfLife)
                } else if index < 500 {
                    skips[play.track, default: 0] += 1
                }
            }
            let top = counts.values.max() ?? 1
            self.init(
                taste: counts.mapValues { $0 / top }, recent: Set(plays.prefix(recentCount).map(\.track)),
                skippedTwice: Set(skips.filter { $0.value >= 2 }.keys))
        }
    }

    public var weights: Weights

    public init(weights: Weights = Weights()) {
        self.weights = weights
    }

    /// The best `limit` tracks: `answers` by source (each track's likeness, 0 to 1), the
    /// listener's favourites among `tasteCandidates` (their own most played that go with the
    /// seeds), at most `perArtist` of one artist (0: no limit), never `excluding`.
    /// `popularity` (0 to 1, the household's most played) adds to the candidates' scores.
    public func rank(
        answers: [String: [TrackID: Double]], listener: Listener, tasteCandidates: Set<TrackID> = [],
        popularity: [TrackID: Double] = [:], artists: [TrackID: String], limit: Int, perArtist: Int = 2,
        excluding: Set<TrackID> = []
    ) -> [Pick] {
        var scores: [TrackID: (score: Double, best: Double, source: String)] = [:]
        for (source, answer) in answers {
            let weight = weights.weight(of: source)
            for (track, likeness) in answer {
                let share = weight * max(0, likeness)
                let known = scores[track] ?? (0, 0, source)
                scores[track] = (
                    known.score + share, max(known.best, share), share > known.best ? source : known.source
                )
            }
        }
        for track in tasteCandidates.union(scores.keys) {
            guard let taste = listener.taste[track], taste > 0 else { continue }
            let share = weights.taste * taste
            let known = scores[track] ?? (0, 0, "taste")
            scores[track] = (known.score + share, max(known.best, share), share > known.best ? "taste" : known.source)
        }
        for (track, value) in scores {
            guard let popular = popularity[track], popular > 0 else { continue }
            scores[track] = (value.score + weights.popularity * popular, value.best, value.source)
        }
        var pool: [(track: TrackID, score: Double, source: String)] = []
        for (track, value) in scores where !excluding.contains(track) && listener.admits(track) {
            let fresh = listener.recent.contains(track) ? weights.recentlyPlayed : 1
            pool.append((track, value.score * fresh, value.source))
        }
        pool.sort { $0.score > $1.score || ($0.score == $1.score && $0.track.rawValue < $1.track.rawValue) }
        // Maximal marginal relevance: each next pick is the best score less a penalty for each pick
        // of the same artist already chosen.
        var chosen: [Pick] = []
        var perArtistCount: [String: Int] = [:]
        var remaining = Array(pool.prefix(max(limit * 20, 200)))
        while chosen.count < limit, !remaining.isEmpty {
            var bestIndex = -1
            var bestValue = -Double.infinity
            for (index, candidate) in remaining.enumerated() {
                let artist = artists[candidate.track] ?? ""
                let count = perArtistCount[artist, default: 0]
                if perArtist > 0, count >= perArtist { continue }
                let value = candidate.score * (1 - weights.diversity * min(1, Double(count)))
                if value > bestValue {
                    bestValue = value
                    bestIndex = index
                }
            }
            guard bestIndex >= 0 else { break }
            let pick = remaining.remove(at: bestIndex)
            perArtistCount[artists[pick.track] ?? "", default: 0] += 1
            chosen.append(Pick(track: pick.track, score: pick.score, source: pick.source))
        }
        return chosen
    }
}

extension Blend.Weights {
    /// How much a source counts: "taste" for the listener's favourites, else a recommender's
    /// weight (1 for one not named).
    public func weight(of source: String) -> Double {
        source == "taste" ? taste : sources[source] ?? 1
    }

    /// What came of one recommender's picks for a listener: played or thumbed up (successes),
    /// skipped or thumbed down (failures).
    public struct Outcomes: Sendable, Equatable {
        public var successes: Int
        public var failures: Int

        public init(successes: Int, failures: Int) {
            self.successes = successes
            self.failures = failures
        }
    }

    /// The weights adapted to one listener: a Beta–Bernoulli bandit per recommender (and for
    /// "taste", the listener's own favourites), Beta(1, 1) before any evidence. Each weight is
    /// multiplied by twice its recommender's posterior mean: 1× with no evidence, towards 2× for
    /// picks that are always played, towards 0.1× for picks that are always skipped. Acting on
    /// the mean (not a sample) keeps a listener's lists steady from one request to the next; every
    /// recommender keeps some weight, so it keeps being shown and can earn its way back.
    public func adapted(to outcomes: [String: Outcomes]) -> Blend.Weights {
        func factor(_ source: String) -> Double {
            guard let outcome = outcomes[source] else { return 1 }
            let successes = Double(max(0, outcome.successes))
            let failures = Double(max(0, outcome.failures))
            return max(0.1, 2 * (1 + successes) / (2 + successes + failures))
        }
        var adapted = self
        for source in Set(sources.keys).union(outcomes.keys) where source != "taste" {
            adapted.sources[source] = weight(of: source) * factor(source)
        }
        adapted.taste = taste * factor("taste")
        return adapted
    }
}
