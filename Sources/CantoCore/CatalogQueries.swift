import Foundation

/// The orders of Subsonic's album lists (`getAlbumList2` `type`).
public enum AlbumListType: String, Sendable, CaseIterable {
    case random, newest, highest, frequent, recent, alphabeticalByName, alphabeticalByArtist, starred, byYear, byGenre
}

/// Which part of the catalog a user may see: nil for all libraries.
public typealias LibraryScope = [LibraryID]?

/// Lists and searches over the catalog, some of them per user (stars, ratings, plays).
/// Everything is paged; nothing loads the whole catalog.
public protocol CatalogQueries: Sendable {
    /// An album list. `fromYear`/`toYear` apply to `.byYear` (from > to: newest first);
    /// `genre` to `.byGenre`; `user` to the per-user orders (highest, frequent, recent, starred).
    func albumList(
        _ type: AlbumListType, user: UserID, scope: LibraryScope, offset: Int, limit: Int, fromYear: Int?,
        toYear: Int?, genre: String?
    ) async throws -> [Album]
    func randomTracks(scope: LibraryScope, limit: Int, genre: String?, fromYear: Int?, toYear: Int?) async throws
        -> [Track]
    func tracks(genre: String, scope: LibraryScope, offset: Int, limit: Int) async throws -> [Track]
    /// Search over folded text in every script: whole words, then prefixes, then corrected
    /// typos, ranked by field weights and the household's plays and stars; an empty query
    /// matches everything (in name order).
    func search(_ query: SearchQuery, scope: LibraryScope, pages: SearchPages) async throws -> SearchResults
    /// The items a user starred, newest star first.
    func starred(by user: UserID, scope: LibraryScope) async throws -> (
        artists: [Artist], albums: [Album], tracks: [Track]
    )
    /// Tracks of an artist (as artist or album artist) within `scope`, most played in the household first.
    func topTracks(artist: ArtistID, scope: LibraryScope, limit: Int) async throws -> [Track]
    /// Tracks within `scope` sharing genres or artists with `track`, most similar first, excluding it.
    func similarTracks(to track: TrackID, scope: LibraryScope, limit: Int) async throws -> [Track]
    /// Whether the artist is credited on, or album artist of, a track in one of `scope`'s libraries.
    func artistIsVisible(_ artist: ArtistID, scope: [LibraryID]) async throws -> Bool
    /// The user's annotation of one item, if any.
    func annotation(of item: String, user: UserID) async throws -> Annotation?
    /// The distinct first characters of the sort names of artists with albums, in sort-name
    /// order ("" for an empty sort name): one index seek each, so the artist index can be read
    /// letter by letter without loading every artist.
    func artistInitials() async throws -> [String]
    /// Up to `limit` artists with albums within `scope` whose sort name starts with `initial`
    /// (one of `artistInitials()`), in sort-name order, after `after` (the last of the previous page).
    func artists(initial: String, after: Artist?, limit: Int, scope: LibraryScope) async throws -> [Artist]
}

extension CatalogQueries {
    /// `topTracks` over every library.
    public func topTracks(artist: ArtistID, limit: Int) async throws -> [Track] {
        try await topTracks(artist: artist, scope: nil, limit: limit)
    }
    /// `similarTracks` over every library.
    public func similarTracks(to track: TrackID, limit: Int) async throws -> [Track] {
        try await similarTracks(to: track, scope: nil, limit: limit)
    }
}

public struct Page: Sendable, Hashable {
    public var offset: Int
    public var limit: Int
    public init(offset: Int, limit: Int) {
        self.offset = offset
        self.limit = limit
    }
}

/// The page of each kind a search asks for.
public struct SearchPages: Sendable, Hashable {
    public var artists: Page
    public var albums: Page
    public var tracks: Page
    public var composers: Page
    public init(artists: Page, albums: Page, tracks: Page, composers: Page = Page(offset: 0, limit: 0)) {
        self.artists = artists
        self.albums = albums
        self.tracks = tracks
        self.composers = composers
    }
}

public struct SearchResults: Sendable, Equatable {
    public var artists: [Artist]
    public var albums: [Album]
    public var tracks: [Track]
    /// Artists credited as composers.
    public var composers: [Artist]
    /// The query with its typos corrected, when nothing matched it as typed.
    public var didYouMean: String?
    public init(
        artists: [Artist], albums: [Album], tracks: [Track], composers: [Artist] = [], didYouMean: String? = nil
    ) {
        self.artists = artists
        self.albums = albums
        self.tracks = tracks
        self.composers = composers
        self.didYouMean = didYouMean
    }
}
