public import CantoCore
public import CantoPluginKit
import CantoRecommend
import Foundation
import Synchronization

/// Recommends by sound: the tracks nearest to the seeds in the sonic space (the analyser's
/// features, standardised and weighted, with the tags' genres, artist, year and BPM), at most a
/// few of one artist, and paths of small steps between two tracks. Its index is built from the analysed tracks when first asked and again when
/// the number of analysed tracks has changed (checked every two minutes).
public struct SonicRecommenderPlugin: RecommenderPlugin, ScheduledPlugin {
    public static let descriptor = PluginDescriptor(
        id: "sonic", name: "Sounds like", version: "1.0.0", enabledByDefault: true)

    let features: any SonicFeatureReader
    let catalog: any CatalogReader
    let state = IndexBox()

    struct State {
        var index: SonicIndex?
        var builtFor = -1
    }

    /// The index now, shared by the plugin's copies.
    final class IndexBox: Sendable {
        let mutex = Mutex(State())
        func withLock<T>(_ body: (inout State) -> T) -> T { mutex.withLock { body(&$0) } }
    }

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        features = context.sonicFeatures
        catalog = context.catalog
    }

    public var jobs: [PluginJob] {
        [PluginJob(name: "reindex", every: .seconds(120)) { try await self.refresh() }]
    }

    /// Rebuilds the index when the analysed tracks have changed in number.
    func refresh() async throws {
        let count = try await features.featureCount()
        guard count != state.withLock({ $0.builtFor }) else { return }
        let all = try await features.allFeatures()
        var tags: [TrackID: SonicTags] = [:]
        var offset = 0
        while offset < all.count {
            let ids = Array(all[offset..<min(all.count, offset + 500)].map(\.0))
            let details = try await catalog.details(of: ids)
            for track in try await catalog.tracks(ids) {
                tags[track.id] = SonicTags(
                    artist: track.artistName, genres: details[track.id]?.genres ?? [], year: track.year,
                    bpm: track.bpm)
            }
            offset += 500
        }
        let index = SonicIndex(
            entries: all.map { SonicIndex.Entry(id: $0.0, features: $0.1, tags: tags[$0.0] ?? SonicTags()) })
        state.withLock {
            $0.index = index
            $0.builtFor = count
        }
    }

    func currentIndex() async throws -> SonicIndex? {
        if let index = state.withLock({ $0.index }) { return index }
        try await refresh()
        return state.withLock { $0.index }
    }

    public func recommend(_ request: RecommendationRequest) async throws -> [Recommendation] {
        guard var index = try await currentIndex() else { return [] }
        // A seed analysed since the index was built: build it again now (a point lookup first, so a
        // seed that is not analysed yet costs no rebuild).
        if !request.seeds.contains(where: index.contains),
            try await request.seeds.asyncContains(where: { try await features.features(of: $0) != nil })
        {
            try await refresh()
            guard let fresh = state.withLock({ $0.index }) else { return [] }
            index = fresh
        }
        return index.nearest(
            to: request.seeds, limit: request.limit, excluding: request.excluding, perArtist: request.perArtist
        ).map { Recommendation(track: $0.track, similarity: $0.similarity, reason: .soundsLike($0.nearestSeed)) }
    }

    public func path(from start: TrackID, to end: TrackID, count: Int, excluding: Set<TrackID>) async throws
        -> [Recommendation]?
    {
        guard let index = try await currentIndex() else { return nil }
        return index.path(from: start, to: end, count: count, admit: { !excluding.contains($0) })?.map {
            Recommendation(track: $0.track, similarity: $0.similarity, reason: .soundsLike(start))
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncContains(where predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await predicate(element) { return true }
        return false
    }
}
