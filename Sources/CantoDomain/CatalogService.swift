public import CantoCore

/// The catalog as the APIs read it: the one way to a `CatalogView`, and the caches of readings
/// that are the same for every user (album contents, searches, the genre list), kept until the
/// catalog changes.
///
/// Handlers never hold the unscoped reader: they receive a view made for the caller when the
/// request is authenticated, so a read outside the caller's libraries cannot be written.
public struct CatalogService: Sendable {
    let reader: any CatalogReader
    let queries: any CatalogQueries
    let genreList: VersionedCache<LibraryScope, [GenreCount]>
    let searches: VersionedCache<SearchKey, FoundItems>
    let albums: VersionedCache<AlbumID, AlbumContents?>

    /// What one catalog row (a track, an album, an artist, a genre) is reckoned to hold in memory,
    /// for the caches' byte bounds: an estimate, so counting costs nothing.
    static let bytesPerRow = 1024

    struct SearchKey: Hashable, Sendable {
        var query: SearchQuery
        var scope: LibraryScope
        var pages: SearchPages
    }

    /// The catalog through `reader` and `queries`, its caches sharing `budget` with the others.
    public init(reader: any CatalogReader, queries: any CatalogQueries, budget: MemoryBudget = .standard) {
        self.reader = reader
        self.queries = queries
        let row = Self.bytesPerRow
        genreList = VersionedCache(name: "genres", capacity: 16, budget: budget) { ($0.count + 1) * row / 8 }
        searches = VersionedCache(name: "searches", capacity: 512, budget: budget) { found in
            let results = found.results
            let rows = results.artists.count + results.albums.count + results.tracks.count + results.composers.count
            return (rows + found.details.count + 1) * row
        }
        albums = VersionedCache(name: "albums", capacity: 1024, budget: budget) { contents in
            ((contents?.tracks.count ?? 0) + (contents?.details.count ?? 0) + 1) * row
        }
    }

    /// The catalog as `user` may see it: their libraries, or all of them.
    public func view(for user: User) -> CatalogView {
        CatalogView(user: user, scope: user.libraryIDs, service: self)
    }

    /// A number that moves whenever the catalog changes, for caches of whole readings.
    public func catalogVersion() async throws -> Int { try await reader.catalogVersion() }

    // MARK: Whole-catalog facts (for admins and the server's own status, never a listener's view)

    /// Every library of every source, for an admin choosing a user's libraries.
    public func allLibraries() async throws -> [Library] { try await reader.libraries() }
    /// The small stable number of each library (Subsonic music folder ids).
    public func libraryNumbers() async throws -> [LibraryID: Int] { try await reader.libraryNumbers() }
    /// How many tracks, albums, artists the whole catalog holds (readiness, scan status).
    public func counts() async throws -> CatalogCounts { try await reader.counts() }

    // MARK: Shared readings (the same for every user; a view filters them)

    func genreCounts(in libraries: LibraryScope) async throws -> [GenreCount] {
        try await genreList.value(for: libraries, version: try await reader.catalogVersion()) {
            try await reader.genreCounts(in: libraries)
        }
    }

    func search(_ query: SearchQuery, scope: LibraryScope, pages: SearchPages) async throws -> FoundItems {
        let key = SearchKey(query: query, scope: scope, pages: pages)
        let version = try await reader.catalogVersion()
        return try await searches.value(for: key, version: version) {
            let results = try await queries.search(query, scope: scope, pages: pages)
            return FoundItems(
                results: results, details: try await reader.details(of: results.tracks.map(\.id)), version: version)
        }
    }

    func versionedAlbumContents(_ id: AlbumID) async throws -> (contents: AlbumContents?, version: Int) {
        let version = try await reader.catalogVersion()
        return (try await albums.value(for: id, version: version) { try await reader.albumContents(id) }, version)
    }
}

/// Search results with their tracks' credits and genres.
public struct FoundItems: Sendable {
    public var results: SearchResults
    public var details: [TrackID: TrackDetails]
    /// The catalog version the results belong to (for caches built on them).
    public var version: Int
}
