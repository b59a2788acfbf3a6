public import CantoCore

/// A recommender: given tracks a listener starts from (a track, an album's, an artist's), the
/// tracks to play next, best first, each with why. The host asks it under a deadline, keeps only
/// what the asking listener may see, and says the reasons in words ("sounds like …").
public protocol RecommenderPlugin: CantoPlugin {
    func recommend(_ request: RecommendationRequest) async throws -> [Recommendation]
    /// A path of `count` tracks from `start` to `end`, each a small step from the one before (a
    /// DJ-style transition), never through `excluding`; nil when this recommender cannot make one.
    func path(from start: TrackID, to end: TrackID, count: Int, excluding: Set<TrackID>) async throws
        -> [Recommendation]?
}

extension RecommenderPlugin {
    public func path(from start: TrackID, to end: TrackID, count: Int, excluding: Set<TrackID>) async throws
        -> [Recommendation]?
    { nil }
}

/// What a recommender is asked.
public struct RecommendationRequest: Sendable, Equatable {
    /// The tracks to start from.
    public var seeds: [TrackID]
    /// The listener asking (their own taste may count), when there is one.
    public var listener: UserID?
    /// How many to answer at most.
    public var limit: Int
    /// Tracks not to answer (the seeds always are).
    public var excluding: Set<TrackID>
    /// At most this many tracks of one artist (so a radio is not one artist).
    public var perArtist: Int

    public init(
        seeds: [TrackID], listener: UserID? = nil, limit: Int, excluding: Set<TrackID> = [], perArtist: Int = 2
    ) {
        self.seeds = seeds
        self.listener = listener
        self.limit = limit
        self.excluding = excluding
        self.perArtist = perArtist
    }
}

/// One recommended track.
public struct Recommendation: Sendable, Equatable {
    public var track: TrackID
    /// How alike, 1 (the same) to 0 (nothing alike).
    public var similarity: Double
    public var reason: Reason

    public enum Reason: Sendable, Equatable {
        /// It sounds like this seed.
        case soundsLike(TrackID)
        /// Listeners played it near this track.
        case playedWith(TrackID)
        /// The listener played this, and it goes with it.
        case becauseYouPlayed(TrackID)
        /// Something else, in words.
        case other(String)
    }

    public init(track: TrackID, similarity: Double, reason: Reason) {
        self.track = track
        self.similarity = similarity
        self.reason = reason
    }
}
