public import CantoRecommend
import Foundation

/// `[recommendations]`: how the blend weighs what the recommenders answer against the listener's
/// own taste, and the playlists made for each listener.
public struct RecommendationSettings: Sendable, Equatable {
    /// The blend's weights (each recommender plugin's by its ID; one not named weighs 1).
    public var weights: Blend.Weights
    /// Daily mixes made for each listener (0: none).
    public var dailyMixes: Int
    /// Tracks in each made-for-you playlist.
    public var mixTracks: Int
    /// A favourite not played for this many days comes back in "Rediscover".
    public var rediscoverAfterDays: Int
    /// Whether each listener's weights follow how each recommender's picks did with them.
    public var adapt: Bool
    /// Whether the server measures each track's sound in the background (what "sounds like" and
    /// sonic similar tracks need); off on a machine too small to spare the CPU.
    public var analyse: Bool

    public init(
        weights: Blend.Weights = Blend.Weights(), dailyMixes: Int = 4, mixTracks: Int = 30,
        rediscoverAfterDays: Int = 90, adapt: Bool = true, analyse: Bool = true
    ) {
        self.adapt = adapt
        self.analyse = analyse
        self.weights = weights
        self.dailyMixes = dailyMixes
        self.mixTracks = mixTracks
        self.rediscoverAfterDays = rediscoverAfterDays
    }

    /// `["sonic=0.1", "colisten=2"]` as weights by plugin ID; nil when an entry is not
    /// `id=weight` with a weight 0 to 100.
    static func parseSources(_ entries: [String]) -> [String: Double]? {
        var sources: [String: Double] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let weight = Double(parts[1]), (0...100).contains(weight)
            else { return nil }
            sources[parts[0]] = weight
        }
        return sources
    }
}
