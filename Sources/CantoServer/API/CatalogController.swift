import CantoCore
import CantoDomain
import Foundation
import Hummingbird

/// Browsing and search for the web UI: artists, albums, tracks, genres, folders, and the
/// caller's stars and ratings. Everything is paged or bounded, and stays inside the caller's libraries.
struct CatalogController {
    /// The users' marks (stars, ratings).
    let state: any LibraryStateStore

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("artists", use: artists)
        group.get("artists/:id", use: artist)
        group.get("albums", use: albums)
        group.get("albums/:id", use: album)
        group.get("tracks/:id", use: track)
        group.get("genres", use: genres)
        group.get("folders", use: folders)
        group.get("folders/:id", use: folder)
        group.get("search", use: search)
        group.get("me/starred", use: starred)
        group.put("me/annotations/:id", use: annotate)
    }

    /// `offset` (0 or more) and `limit` (1 to `maxLimit`).
    static func paging(_ request: Request, defaultLimit: Int, maxLimit: Int = 500) throws -> Page {
        let query = request.uri.queryParameters
        let offset = query.get("offset").map { Int($0) } ?? 0
        let limit = query.get("limit").map { Int($0) } ?? defaultLimit
        guard let offset, let limit, (0...1_000_000_000).contains(offset), (1...maxLimit).contains(limit) else {
            throw APIError.badRequest("offset must be 0 or more and limit 1 to \(maxLimit).")
        }
        return Page(offset: offset, limit: limit)
    }

    /// A text parameter of the query string, form-decoded (`+` is a space, as browsers' forms send it).
    static func text(_ request: Request, _ name: String) -> String? {
        SubsonicParameters(query: request.uri.query, form: nil).string(name)
    }

    /// One more row than asked tells whether another page follows.
    static func page<Item>(_ rows: [Item], _ page: Page) -> (items: [Item], more: Bool) {
        (Array(rows.prefix(page.limit)), rows.count > page.limit)
    }

    private func presenter(_ context: CantoRequestContext) throws -> CatalogPresenter {
        CatalogPresenter(catalog: try context.requireCatalog(), state: state)
    }

    @Sendable func artists(_ request: Request, context: CantoRequestContext) async throws
        -> Wire.Page<Wire.ArtistItem>
    {
        let present = try presenter(context)
        let page = try Self.paging(request, defaultLimit: 100)
        let query = Self.text(request, "q") ?? ""
        let found = try await present.catalog.search(
            SearchQuery.parse(query, syntax: true),
            pages: SearchPages(
                artists: Page(offset: page.offset, limit: page.limit + 1), albums: Page(offset: 0, limit: 0),
                tracks: Page(offset: 0, limit: 0)))
        let (rows, more) = Self.page(found.results.artists, page)
        return .init(items: try await present.artists(rows), offset: page.offset, limit: page.limit, more: more)
    }

    @Sendable func artist(_ request: Request, context: CantoRequestContext) async throws -> Wire.ArtistPage {
        let present = try presenter(context)
        let catalog = present.catalog
        guard let artist = try await catalog.artist(ArtistID(try context.parameters.require("id"))) else {
            throw APIError.notFound
        }
        let albums = try await catalog.albums(byArtist: artist.id)
        let top = try await catalog.topTracks(artist: artist.id, limit: 10)
        return Wire.ArtistPage(
            artist: try await present.artists([artist])[0], albums: try await present.albums(albums),
            topTracks: try await present.tracks(top))
    }

    static let sorts: [String: AlbumListType] = [
        "name": .alphabeticalByName, "artist": .alphabeticalByArtist, "newest": .newest, "year": .byYear,
        "random": .random, "recent": .recent, "frequent": .frequent, "highest": .highest, "starred": .starred,
    ]

    /// The album grid: written by `Wire.Page`'s own JSON writer (the page asked for most).
    @Sendable func albums(_ request: Request, context: CantoRequestContext) async throws
        -> WrittenJSON<Wire.Page<Wire.AlbumItem>>
    {
        let present = try presenter(context)
        let page = try Self.paging(request, defaultLimit: 60)
        let query = request.uri.queryParameters
        let sortName = query.get("sort") ?? "name"
        guard var type = Self.sorts[sortName] else {
            throw APIError.badRequest("sort must be one of \(Self.sorts.keys.sorted().joined(separator: ", ")).")
        }
        let genre = Self.text(request, "genre").flatMap { $0.isEmpty ? nil : $0 }
        if genre != nil { type = .byGenre }
        let rows = try await present.catalog.albumList(
            type, offset: page.offset, limit: page.limit + 1, fromYear: type == .byYear ? 9999 : nil,
            toYear: type == .byYear ? 0 : nil, genre: genre)
        let (albums, more) = Self.page(rows, page)
        return WrittenJSON(
            .init(items: try await present.albums(albums), offset: page.offset, limit: page.limit, more: more))
    }

    @Sendable func album(_ request: Request, context: CantoRequestContext) async throws -> Wire.AlbumPage {
        let present = try presenter(context)
        guard
            let contents = try await present.catalog.albumContents(AlbumID(try context.parameters.require("id")))
                .contents
        else { throw APIError.notFound }
        let tracks = contents.tracks
        let items = try await present.tracks(tracks, details: contents.details)
        var discs: [Wire.Disc] = []
        for (track, item) in zip(tracks, items) {
            let number = track.discNumber ?? 1
            if discs.last?.number != number {
                discs.append(Wire.Disc(number: number, subtitle: track.discSubtitle, tracks: []))
            }
            discs[discs.count - 1].tracks.append(item)
        }
        return Wire.AlbumPage(
            album: try await present.albums([contents.album], genres: [contents.album.id: contents.genres])[0],
            discs: discs)
    }

    @Sendable func track(_ request: Request, context: CantoRequestContext) async throws -> Wire.TrackItem {
        let present = try presenter(context)
        guard let track = try await present.catalog.track(TrackID(try context.parameters.require("id"))) else {
            throw APIError.notFound
        }
        return try await present.tracks([track])[0]
    }

    @Sendable func genres(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.Genre> {
        Wire.Page(
            all: try await context.requireCatalog().genreCounts().map {
                Wire.Genre(name: $0.name, albumCount: $0.albumCount, trackCount: $0.trackCount)
            })
    }

    /// The root folder of each library the caller may see.
    @Sendable func folders(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.FolderItem>
    {
        Wire.Page(
            all: try await context.requireCatalog().libraries().map {
                Wire.FolderItem(id: CatalogIDs.folder(library: $0.id, relativePath: "").rawValue, name: $0.name)
            })
    }

    @Sendable func folder(_ request: Request, context: CantoRequestContext) async throws -> Wire.FolderPage {
        let present = try presenter(context)
        let catalog = present.catalog
        let libraries = try await catalog.libraries()
        guard let folder = try await catalog.folder(FolderID(try context.parameters.require("id"))),
            let library = libraries.first(where: { $0.id == folder.libraryID })
        else { throw APIError.notFound }
        let subfolders = try await catalog.subfolders(of: folder.id)
        let tracks = try await catalog.tracks(inFolder: folder.id)
        return Wire.FolderPage(
            folder: Wire.FolderDetail(
                id: folder.id.rawValue, name: folder.parentID == nil ? library.name : folder.name,
                parentId: folder.parentID?.rawValue),
            folders: subfolders.map { Wire.FolderItem(id: $0.id.rawValue, name: $0.name) },
            tracks: try await present.tracks(tracks))
    }

    /// `q` (words in any script, typos forgiven; `artist:`, `album:`, `genre:`, `year:1990-1999`,
    /// `"phrases"`, `-excluded`), `limit` per kind (1 to 50, default 8), `offset`, and `kinds`
    /// (comma-separated: artists, albums, tracks, composers, genres, playlists; default all).
    /// Search, as the web UI asks it at every keystroke: written by `Wire.SearchResult`'s own JSON
    /// writer (Foundation's encoder was a twentieth of the CPU of search as you type).
    @Sendable func search(_ request: Request, context: CantoRequestContext) async throws
        -> WrittenJSON<Wire.SearchResult>
    {
        let present = try presenter(context)
        let page = try Self.paging(request, defaultLimit: 8, maxLimit: 50)
        let query = SearchQuery.parse(Self.text(request, "q") ?? "", syntax: true)
        let kinds = try Self.kinds(request)
        func asked(_ kind: String) -> Page { kinds.contains(kind) ? page : Page(offset: 0, limit: 0) }
        let found = try await present.catalog.search(
            query,
            pages: SearchPages(
                artists: asked("artists"), albums: asked("albums"), tracks: asked("tracks"),
                composers: asked("composers")))
        let results = found.results
        var genres: [Wire.Genre] = []
        if kinds.contains("genres"), !query.isEmpty {
            // Whole words first, then the shorter name (Rock before Hard Rock), then the bigger genre.
            var ranked: [(rank: [Int], genre: GenreCount)] = []
            for genre in try await present.catalog.genreCounts() {
                guard let tier = query.tier(of: genre.name, fields: [.genre]) else { continue }
                ranked.append(([tier, SearchText.indexForm(genre.name).count, -genre.trackCount], genre))
            }
            ranked.sort { a, b in
                a.rank == b.rank ? a.genre.name < b.genre.name : a.rank.lexicographicallyPrecedes(b.rank)
            }
            genres = ranked.dropFirst(page.offset).prefix(page.limit).map {
                Wire.Genre(name: $0.genre.name, albumCount: $0.genre.albumCount, trackCount: $0.genre.trackCount)
            }
        }
        var playlists: [Wire.PlaylistHit] = []
        if kinds.contains("playlists"), !query.isEmpty {
            let ranked = try await state.playlistSummaries(visibleTo: present.user.id).compactMap { playlist in
                query.tier(of: playlist.name).map { (tier: $0, playlist: playlist) }
            }.sorted {
                ($0.tier, $0.playlist.name, $0.playlist.id.rawValue) < (
                    $1.tier, $1.playlist.name, $1.playlist.id.rawValue
                )
            }
            playlists = ranked.dropFirst(page.offset).prefix(page.limit).map {
                Wire.PlaylistHit(
                    id: $0.playlist.id.rawValue, name: $0.playlist.name, ownerId: $0.playlist.ownerID.rawValue,
                    public: $0.playlist.isPublic, trackCount: $0.playlist.trackCount)
            }
        }
        return WrittenJSON(
            Wire.SearchResult(
                artists: try await present.artists(results.artists),
                albums: try await present.albums(results.albums),
                tracks: try await present.tracks(results.tracks, details: found.details),
                composers: try await present.artists(results.composers), genres: genres, playlists: playlists,
                didYouMean: results.didYouMean))
    }

    static let searchKinds = ["artists", "albums", "tracks", "composers", "genres", "playlists"]

    static func kinds(_ request: Request) throws -> Set<String> {
        guard let text = request.uri.queryParameters.get("kinds"), !text.isEmpty else { return Set(searchKinds) }
        let kinds = Set(text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        guard kinds.isSubset(of: searchKinds) else {
            throw APIError.badRequest("kinds must be among \(searchKinds.joined(separator: ", ")).")
        }
        return kinds
    }

    @Sendable func starred(_ request: Request, context: CantoRequestContext) async throws -> Wire.SearchResult {
        let present = try presenter(context)
        let found = try await present.catalog.starred()
        return Wire.SearchResult(
            artists: try await present.artists(found.artists), albums: try await present.albums(found.albums),
            tracks: try await present.tracks(found.tracks))
    }

    /// Stars or rates a track, album or artist (`rating` 0 clears it).
    @Sendable func annotate(_ request: Request, context: CantoRequestContext) async throws -> Wire.AnnotationResult {
        let catalog = try context.requireCatalog()
        let user = catalog.user
        let id = try context.parameters.require("id")
        let body = try await request.decode(as: Wire.AnnotationUpdate.self, context: context)
        guard let kind = Annotation.ItemKind(rawValue: body.kind) else {
            throw APIError.badRequest("kind must be track, album or artist.")
        }
        guard try await catalog.contains(item: id, kind: kind) else { throw APIError.notFound }
        if let rating = body.rating {
            guard (0...5).contains(rating) else { throw APIError.badRequest("rating must be 0 to 5.") }
            try await state.setRating(rating == 0 ? nil : rating, item: id, kind: kind, user: user.id)
        }
        if let starred = body.starred {
            try await state.setStarred(starred, item: id, kind: kind, user: user.id, at: Date())
        }
        let mark = try await state.annotations(of: user.id, items: [id])[id]
        return Wire.AnnotationResult(
            itemId: id, kind: kind.rawValue, starred: mark?.starredAt != nil, rating: mark?.rating)
    }
}
