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
    /// One build at a time: the job and the requests that find the index missing share it.
    let builds = SharedRun()

    struct State {
        var index: SonicIndex?
        /// The features' version (`featuresVersion()`) the index was built from.
        var builtFor: Int?
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

    /// Rebuilds the index when the analysed tracks or the catalog have changed (`featuresVersion()`,
    /// two rows; counting the analysed tracks took 0.4–0.7 s of CPU at a million): the features are read
    /// in pages twice, once to fit the space and once to add each track with its tags, so nothing
    /// but the index and a page is in memory (a million tracks' features would be 200 MB more).
    func refresh() async throws {
        try await builds.run { try await self.rebuild() }
    }

    private func rebuild() async throws {
        let version = try await features.featuresVersion()
        guard version != state.withLock({ $0.builtFor }) else { return }
        var fitter = SonicSpace.Fitter()
        var count = 0
        try await eachPage { page in
            for (_, features) in page { fitter.add(features) }
            count += page.count
        }
        var builder = SonicIndex.Builder(space: fitter.space)
        builder.reserve(count)
        try await eachPage { page in
            let tags = try await catalog.tagSummaries(of: page.map(\.0))
            for (id, features) in page {
                let summary = tags[id]
                builder.add(
                    SonicIndex.Entry(
                        id: id, features: features,
                        tags: SonicTags(
                            artist: summary?.artistName ?? "", genres: summary?.genres ?? [], year: summary?.year,
                            bpm: summary?.bpm)))
            }
        }
        let index = builder.build()
        state.withLock {
            $0.index = index
            $0.builtFor = version
        }
    }

    /// Every analysed track's features, a page at a time, in the order of their IDs.
    private func eachPage(_ body: ([(TrackID, SonicFeatures)]) async throws -> Void) async throws {
        var after: TrackID?
        while true {
            let page = try await features.features(after: after, limit: 500)
            guard let last = page.last else { return }
            try await body(page)
            after = last.0
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
