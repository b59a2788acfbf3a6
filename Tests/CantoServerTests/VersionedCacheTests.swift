import CantoCore
import CantoTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CantoDomain
@testable import CantoServer
@testable import CantoStore

/// The in-memory cache: least recently used goes first, bounded by entries and by bytes, emptied
/// when the version moves on, and counted for `/metrics`.
@Suite("VersionedCache")
struct VersionedCacheTests {
    /// A fresh name, so the counts are this test's alone.
    static func uniqueName() -> String { "test_lru_\(UUID().uuidString.prefix(8))" }

    @Test func theLeastRecentlyUsedGoesFirstAndAGetRefreshes() {
        let cache = VersionedCache<Int, String>(capacity: 3)
        for key in 1...3 { _ = cache.value(for: key, version: 1) { "v\(key)" } }
        _ = cache.value(for: 1, version: 1) { "rebuilt" }  // 1 is now the most recent; 2 the least
        _ = cache.value(for: 4, version: 1) { "v4" }  // full: 2 goes
        var built: [Int] = []
        for key in [1, 3, 4, 2] {
            _ = cache.value(for: key, version: 1) {
                built.append(key); return "again"
            }
        }
        #expect(built == [2], "1, 3 and 4 kept; 2 evicted")
        #expect(cache.usage.entries == 3)
        #expect(cache.usage.evictions == 2, "2 for room, then 1 (the least recent) when 2 came back")
        #expect(cache.value(for: 1, version: 1) { "gone" } == "gone", "1 was the least recent")
    }

    @Test func aLongRunOfInsertsAndGetsKeepsExactlyTheMostRecent() {
        let cache = VersionedCache<Int, Int>(capacity: 8)
        var reference: [Int] = []  // most recent last
        var state: UInt64 = 42
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let key = Int(state >> 33) % 20
            var built = false
            _ = cache.value(for: key, version: 1) {
                built = true
                return key
            }
            #expect(built == !reference.contains(key))
            reference.removeAll { $0 == key }
            reference.append(key)
            if reference.count > 8 { reference.removeFirst() }
        }
        #expect(cache.usage.entries == reference.count)
        for key in reference { #expect(cache.value(for: key, version: 1) { -1 } == key) }
    }

    @Test func theByteBoundEvictsUntilUnder() {
        let name = Self.uniqueName()
        let cache = VersionedCache<Int, [UInt8]>(name: name, capacity: 100, capacityBytes: 1_000) { $0.count }
        let counters = CacheCounters.named(name)
        for key in 0..<4 { _ = cache.value(for: key, version: 1) { Array(repeating: 0, count: 300) } }
        #expect(cache.usage == .init(entries: 3, bytes: 900, evictions: 1, capacityBytes: 1_000))
        _ = cache.value(for: 9, version: 1) { Array(repeating: 0, count: 700) }  // two more must go
        #expect(cache.usage == .init(entries: 2, bytes: 1_000, evictions: 3, capacityBytes: 1_000))
        _ = cache.value(for: 10, version: 1) { Array(repeating: 0, count: 5_000) }  // alone too big: all go
        #expect(cache.usage == .init(entries: 0, bytes: 0, evictions: 6, capacityBytes: 1_000))
        #expect(counters.snapshot == .init(hits: 0, misses: 6, evictions: 6, entries: 0, bytes: 0))
    }

    @Test func theEntryBoundAndTheCountersForMetrics() {
        let name = Self.uniqueName()
        let cache = VersionedCache<Int, String>(name: name, capacity: 2, capacityBytes: 10_000) { $0.utf8.count }
        let counters = CacheCounters.named(name)
        _ = cache.value(for: 1, version: 1) { "aaaa" }
        _ = cache.value(for: 2, version: 1) { "bb" }
        _ = cache.value(for: 1, version: 1) { "never" }
        _ = cache.value(for: 3, version: 1) { "c" }  // full: 2 (least recent) goes
        #expect(counters.snapshot == .init(hits: 1, misses: 3, evictions: 1, entries: 2, bytes: 5))
        #expect(cache.value(for: 2, version: 1) { "b2" } == "b2")
        #expect(counters.snapshot == .init(hits: 1, misses: 4, evictions: 2, entries: 2, bytes: 3))
    }

    @Test func aNewerVersionEmptiesAndAnOlderBuilderReplacesNothing() {
        let name = Self.uniqueName()
        let cache = VersionedCache<Int, String>(name: name, capacity: 10, capacityBytes: 100) { $0.utf8.count }
        let counters = CacheCounters.named(name)
        _ = cache.value(for: 1, version: 1) { "one" }
        _ = cache.value(for: 2, version: 1) { "two" }
        _ = cache.value(for: 3, version: 2) { "three" }
        #expect(cache.usage == .init(entries: 1, bytes: 5, evictions: 2, capacityBytes: 100))
        // A slow builder of version 1 finishing now keeps nothing.
        #expect(cache.value(for: 4, version: 1) { "old" } == "old")
        #expect(cache.usage.entries == 1)
        #expect(cache.value(for: 3, version: 2) { "rebuilt" } == "three")
        #expect(counters.snapshot.bytes == 5)
        #expect(counters.snapshot.entries == 1)
    }

    /// A random album list uses the renderings kept for the other lists and keeps none of its own;
    /// the albums it builds for itself are rendered as the kept ones are.
    @Test func aRandomListRendersAlbumsAsTheKeptRenderingsAre() async throws {
        let server = try await InProcessServer.start()
        let reader = try await server.addUser("random")
        try await server.withClient { client in
            func albums(_ type: String) async throws -> [String: NSDictionary] {
                let answer = try await client.subsonic(
                    "getAlbumList2", [("type", type), ("size", "500")], as: reader)
                let list = (answer.subsonic["albumList2"] as? [String: Any])?["album"] as? [[String: Any]] ?? []
                return Dictionary(list.map { ($0["id"] as? String ?? "", $0 as NSDictionary) }) { first, _ in first }
            }
            let built = try await albums("random")
            let kept = try await albums("alphabeticalByName")
            let fromKept = try await albums("random")
            #expect(!kept.isEmpty)
            #expect(built == kept)
            #expect(fromKept == kept)
        }
    }

    @Test func theBudgetIsSharedByWeights() {
        #expect(MemoryBudget.weights.values.reduce(0, +) == 1_000)
        let budget = MemoryBudget.megabytes(128)
        let shares = MemoryBudget.weights.keys.map(budget.bytes(for:))
        #expect(shares.reduce(0, +) <= budget.totalBytes)
        #expect(shares.allSatisfy { $0 > 0 })
        #expect(MemoryBudget.megabytes(0).bytes(for: "albums") == 0)
    }

    /// Every named memory cache of a server with `[cache] memory_mb = 0` (set through the
    /// environment) drops what real requests put in it, and holds no more than its share.
    @Test func eachNamedCacheOfAServerStaysWithinATinyBudget() async throws {
        let server = try await InProcessServer.start(environment: ["CANTO_CACHE_MEMORY_MB": "0"])
        let services = server.services
        #expect(services.memoryBudget == .megabytes(0))
        // `album_rows` holds albums only past 20,000 of them (CatalogQueryAlbumListTests fills it past its bound).
        let names = MemoryBudget.weights.keys.filter { $0 != "catalog_version" && $0 != "album_rows" }
        let before = Dictionary(uniqueKeysWithValues: names.map { ($0, CacheCounters.named($0).snapshot.evictions) })
        let reader = try await server.addUser("lru")
        try await server.withClient { client in
            let list = try await client.subsonic("getAlbumList2", [("type", "newest")], as: reader)
            let albums = (list.subsonic["albumList2"] as? [String: Any])?["album"] as? [[String: Any]]
            let albumID = try #require(albums?.first?["id"] as? String)
            for (method, parameters) in [
                ("getArtists", []), ("getAlbum", [("id", albumID)]), ("getGenres", []),
                ("search3", [("query", "Open")]), ("getStarred2", []),
            ] {
                let answer = try await client.subsonic(method, parameters, as: reader)
                #expect(answer.status == .ok && answer.subsonicError == nil, "\(method)")
            }
        }
        // The native search's playlists, kept per viewer.
        let found = try await server.withClient { client in
            try await client.send(.get, "/api/v1/search?q=Open", token: reader.token)
        }
        #expect(found.status == .ok)
        // The token check's cache, filled directly (the Subsonic calls above sign in by API key).
        let accounts = AccountRepository(database: services.scanning.database, budget: services.memoryBudget)
        #expect(try await accounts.userWithSealedAppPassword(username: "admin")?.0.username == "admin")
        // And the native API's sign-in caches: a session by its token's hash, its user by ID.
        #expect(try await accounts.session(tokenHash: "no-such-hash") == nil)
        #expect(try await accounts.user(reader.user.id)?.username == "lru")

        let state = try #require(services.state as? LibraryStateRepository)
        let reachable: [(String, CacheUsage)] = [
            ("genres", services.catalogs.genreList.usage), ("searches", services.catalogs.searches.usage),
            ("albums", services.catalogs.albums.usage), ("annotations", state.annotationMaps.usage),
        ]
        for (name, usage) in reachable {
            #expect(usage.capacityBytes == 0, "\(name)")
            #expect(usage.bytes <= usage.capacityBytes && usage.entries == 0, "\(name)")
            #expect(usage.evictions > 0, "\(name) was filled past its bound")
        }
        // The Subsonic renderings live in the router's handlers: their counts for `/metrics` moved.
        for name in names {
            #expect(CacheCounters.named(name).snapshot.evictions > before[name] ?? 0, "\(name) evicted")
        }
        let browsing = SubsonicBrowsing(budget: services.memoryBudget)
        #expect(browsing.renderedAlbums.usage.capacityBytes == 0)
        #expect(browsing.artistIndexes.usage.capacityBytes == 0)
    }
}
