import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct SonicFeatureRepositoryTests {
    /// The version a recommender checks every two minutes moves with what its index is built from
    /// (features measured, a failure recorded, the catalog changed) and stays through plays.
    @Test func theFeaturesVersionMovesWithFeaturesAndTheCatalogOnly() async throws {
        let catalog = try await TestCatalog()
        let writes = (0..<3).map { catalog.write(path: "v/\($0).flac", title: "Song \($0)", track: $0 + 1) }
        try await catalog.apply(writes)
        let store = SonicFeatureRepository(database: catalog.database)
        let tracks = try await catalog.repository.tracks(writes.map(\.track.id))
        var seen = [try await store.featuresVersion()]
        #expect(try await store.featuresVersion() == seen[0])

        let features = SonicFeatures(values: Array(repeating: 0.5, count: SonicFeatures.count))
        try await store.record(tracks[0], features: features, failure: nil, seconds: 1, at: TestCatalog.date(10))
        seen.append(try await store.featuresVersion())
        try await store.record(tracks[1], features: nil, failure: "unreadable", seconds: 1, at: TestCatalog.date(11))
        seen.append(try await store.featuresVersion())
        // A track renamed: its tags in the index change.
        var renamed = writes[2]
        renamed.track.title = "Renamed"
        try await catalog.apply([renamed])
        seen.append(try await store.featuresVersion())
        #expect(Set(seen).count == seen.count, "\(seen)")
        #expect(try await store.featureCount() == 1)

        // A play changes nothing the index holds.
        let user = User(
            id: UserID("u-ana"), username: "ana", displayName: "Ana", email: nil, role: .user, maxBitrate: nil,
            libraryIDs: nil, canDownload: true, canShare: false, createdAt: TestCatalog.date(1), lastSeenAt: nil)
        try await AccountRepository(database: catalog.database).createUser(
            user, passwordHash: TestAccounts.passwordHash("ana"), sealedAppPassword: TestAccounts.sealed("ana"))
        let before = try await store.featuresVersion()
        _ = try await HistoryRepository(database: catalog.database).recordPlay(
            user: user.id, track: tracks[0].id, startedAt: TestCatalog.date(100), secondsPlayed: 30, client: nil,
            scrobble: true)
        #expect(try await store.featuresVersion() == before)
    }
}
