public import CantoCore
import Foundation

/// The catalog as one user may see it: every read answers only with what lies in the user's
/// libraries (narrowed further by a client's music folder choice), and an item outside them
/// reads as missing, exactly like one that does not exist.
///
/// Made by `CatalogService.view(for:)` when a request is authenticated; it is the handlers'
/// only way to the catalog.
public struct CatalogView: Sendable {
    /// Whose view this is.
    public let user: User
    /// The libraries in view; nil for every library.
    public let scope: LibraryScope
    let service: CatalogService
    private var reader: any CatalogReader { service.reader }
    private var queries: any CatalogQueries { service.queries }

    init(user: User, scope: LibraryScope, service: CatalogService) {
        self.user = user
        self.scope = scope
        self.service = service
    }

    /// Whether tracks of `library` are in view.
    public func contains(_ library: LibraryID) -> Bool { scope?.contains(library) ?? true }

    /// Whether `track` is in view.
    public func contains(_ track: Track) -> Bool { contains(track.libraryID) }

    /// This view narrowed to `libraries` (never widened: libraries outside it stay out).
    public func narrowed(to libraries: [LibraryID]) -> CatalogView {
        CatalogView(user: user, scope: libraries.filter(contains), service: service)
    }

    /// This view narrowed to the library with Subsonic music folder number `number`.
    public func narrowed(toLibraryNumber number: Int) async throws -> CatalogView {
        let numbers = try await reader.libraryNumbers()
        return narrowed(to: numbers.filter { $0.value == number }.map(\.key))
    }

    /// A number that moves whenever the catalog changes.
    public func catalogVersion() async throws -> Int { try await service.catalogVersion() }

    // MARK: Libraries

    /// The libraries in view, in the catalog's order.
    public func libraries() async throws -> [Library] {
        try await reader.libraries().filter { contains($0.id) }
    }

    /// The Subsonic music folder number of each library in view.
    public func libraryNumbers() async throws -> [LibraryID: Int] {
        try await reader.libraryNumbers().filter { contains($0.key) }
    }

    // MARK: Tracks

    /// The track, when it exists and is in view.
    public func track(_ id: TrackID) async throws -> Track? {
        guard let track = try await reader.track(id), contains(track) else { return nil }
        return track
    }

    /// The track, or `DomainError.notFound`.
    public func requireTrack(_ id: TrackID) async throws -> Track {
        guard let track = try await track(id) else { throw DomainError(.notFound, "There is no such song.") }
        return track
    }

    /// The tracks in view among `ids`, in the order asked.
    public func tracks(_ ids: [TrackID]) async throws -> [Track] {
        try await reader.tracks(ids).filter(contains)
    }

    /// Every one of `ids` as a track in view, or `DomainError.notFound` naming the first missing.
    public func requireTracks(_ ids: [TrackID]) async throws -> [Track] {
        let found = try await tracks(ids)
        let known = Set(found.map(\.id))
        if let missing = ids.first(where: { !known.contains($0) }) {
            throw DomainError(.notFound, "There is no song \(missing.rawValue).")
        }
        return found
    }

    /// The track a library path names, when in view.
    public func track(library: LibraryID, path: String) async throws -> Track? {
        guard contains(library) else { return nil }
        return try await reader.track(library: library, path: path)
    }

    /// Tracks with this title (case-insensitive), in view.
    public func tracks(titled title: String, limit: Int) async throws -> [Track] {
        try await reader.tracks(titled: title, limit: limit).filter(contains)
    }

    /// Genres and credits of tracks already read through this view.
    public func details(of tracks: [Track]) async throws -> [TrackID: TrackDetails] {
        try await reader.details(of: tracks.filter(contains).map(\.id))
    }

    /// The lyrics of a track in view; nil when it is not.
    public func lyrics(of id: TrackID) async throws -> (plain: String?, synced: String?)? {
        guard try await track(id) != nil else { return nil }
        return try await reader.lyrics(of: id)
    }

    // MARK: Albums and artists

    /// The album, when one of its tracks is in view.
    public func album(_ id: AlbumID) async throws -> Album? {
        guard let album = try await reader.album(id) else { return nil }
        guard let scope else { return album }
        return try await reader.album(id, hasTracksIn: scope) ? album : nil
    }

    /// The album's tracks in view, by disc and number.
    public func tracks(inAlbum id: AlbumID) async throws -> [Track] {
        try await reader.tracks(inAlbum: id).filter(contains)
    }

    /// The album with its tracks in view, and the catalog version it was read at; nil contents
    /// when no track of it is in view. Readings over every library are shared between users.
    public func albumContents(_ id: AlbumID) async throws -> (contents: AlbumContents?, version: Int) {
        let (found, version) = try await service.versionedAlbumContents(id)
        guard var contents = found else { return (nil, version) }
        guard scope != nil else { return (contents, version) }
        let visible = contents.tracks.filter(contains)
        guard !visible.isEmpty else { return (nil, version) }
        contents.tracks = visible
        return (contents, version)
    }

    /// The artist, when credited on or album artist of a track in view.
    public func artist(_ id: ArtistID) async throws -> Artist? {
        guard let artist = try await reader.artist(id) else { return nil }
        guard let scope else { return artist }
        return try await queries.artistIsVisible(id, scope: scope) ? artist : nil
    }

    /// The artist's albums with a track in view, by year then title.
    public func albums(byArtist id: ArtistID) async throws -> [Album] {
        let albums = try await reader.albums(byArtist: id)
        guard let scope else { return albums }
        var visible: [Album] = []
        for album in albums where try await reader.album(album.id, hasTracksIn: scope) { visible.append(album) }
        return visible
    }

    /// Every artist in view with albums, letter by letter, read a page at a time (a catalog's
    /// 300,000 artists are never in memory at once).
    public func artistIndex(pageSize: Int = 1_000) -> ArtistIndex {
        ArtistIndex(queries: queries, scope: scope, pageSize: pageSize)
    }

    /// Every genre in view with its counts there (a genre only another library holds is not
    /// named to a user limited to theirs, and the counts are of what they can open).
    public func genreCounts() async throws -> [GenreCount] { try await service.genreCounts(in: scope) }

    // MARK: Folders

    /// The folder, when its library is in view.
    public func folder(_ id: FolderID) async throws -> Folder? {
        guard let folder = try await reader.folder(id), contains(folder.libraryID) else { return nil }
        return folder
    }

    /// The folders directly inside a folder in view.
    public func subfolders(of id: FolderID) async throws -> [Folder] {
        guard try await folder(id) != nil else { return [] }
        return try await reader.subfolders(of: id)
    }

    /// The tracks directly inside a folder in view.
    public func tracks(inFolder id: FolderID) async throws -> [Track] {
        guard try await folder(id) != nil else { return [] }
        return try await reader.tracks(inFolder: id).filter(contains)
    }

    /// Every folder of a library in view.
    public func folders(in library: LibraryID) async throws -> [Folder] {
        guard contains(library) else { return [] }
        return try await reader.folders(in: library)
    }

    // MARK: Lists and searches (the scope is always this view's)

    /// An album list (see `CatalogQueries.albumList`).
    public func albumList(
        _ type: AlbumListType, offset: Int, limit: Int, fromYear: Int? = nil, toYear: Int? = nil,
        genre: String? = nil
    ) async throws -> [Album] {
        try await queries.albumList(
            type, user: user.id, scope: scope, offset: offset, limit: limit, fromYear: fromYear, toYear: toYear,
            genre: genre)
    }

    /// Random tracks in view.
    public func randomTracks(limit: Int, genre: String?, fromYear: Int?, toYear: Int?) async throws -> [Track] {
        try await queries.randomTracks(scope: scope, limit: limit, genre: genre, fromYear: fromYear, toYear: toYear)
    }

    /// Tracks of a genre in view, by title.
    public func tracks(genre: String, offset: Int, limit: Int) async throws -> [Track] {
        try await queries.tracks(genre: genre, scope: scope, offset: offset, limit: limit)
    }

    /// A search in view, with the found tracks' details; shared between users of the same scope.
    public func search(_ query: SearchQuery, pages: SearchPages) async throws -> FoundItems {
        try await service.search(query, scope: scope, pages: pages)
    }

    /// A search of what a Subsonic app sent (no query syntax) in view.
    public func search(_ text: String, artists: Page, albums: Page, tracks: Page) async throws -> FoundItems {
        try await search(
            SearchQuery.parse(text, syntax: false), pages: SearchPages(artists: artists, albums: albums, tracks: tracks)
        )
    }

    /// The user's starred items in view, newest star first.
    public func starred() async throws -> (artists: [Artist], albums: [Album], tracks: [Track]) {
        try await queries.starred(by: user.id, scope: scope)
    }

    /// An artist's tracks in view, most played first.
    public func topTracks(artist: ArtistID, limit: Int) async throws -> [Track] {
        try await queries.topTracks(artist: artist, scope: scope, limit: limit)
    }

    /// Tracks in view similar to a track in view; empty when the seed is not in view.
    public func similarTracks(to id: TrackID, limit: Int) async throws -> [Track] {
        guard try await track(id) != nil else { return [] }
        return try await queries.similarTracks(to: id, scope: scope, limit: limit)
    }

    // MARK: Items of any kind

    /// Whether a track in view uses the artwork.
    public func usesArtwork(_ id: ArtworkID) async throws -> Bool {
        let libraries = try await reader.libraries(usingArtwork: id)
        guard let scope else {
            if !libraries.isEmpty { return true }
            return try await reader.artwork(id) != nil
        }
        return !libraries.isDisjoint(with: scope)
    }

    /// Whether an annotatable item (track, album or artist) is in view.
    public func contains(item id: String, kind: Annotation.ItemKind) async throws -> Bool {
        switch kind {
        case .track: try await track(TrackID(id)) != nil
        case .album: try await album(AlbumID(id)) != nil
        case .artist: try await artist(ArtistID(id)) != nil
        }
    }
}
