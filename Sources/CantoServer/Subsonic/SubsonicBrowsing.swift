import CantoCore
import CantoDomain
import Foundation
import NIOCore

/// getMusicFolders, getArtists, getArtist, getAlbum, getSong, getGenres.
struct SubsonicBrowsing: Sendable {
    /// getArtists by library scope (and, for an index too big to keep whole, by format) until the
    /// catalog changes: the answer itself when it fits the cache's share of the budget, else the
    /// answer compressed when that fits half the share, else only that neither does (then it is
    /// streamed).
    let artistIndexes: VersionedCache<ArtistIndexKey, ArtistIndexAnswer>
    /// getAlbum as nobody in particular sees it, each song rendered once, for the callers who see
    /// the whole album: their own plays, stars and ratings are laid over the songs they touch.
    let renderedAlbums: VersionedCache<AlbumID, SubsonicElement>
    /// The most artists an index is built whole for; a bigger one is kept compressed or streamed.
    let wholeIndexLimit: Int
    /// The most bytes one compressed index may take (half the share: XML and JSON may both be kept).
    let compressedIndexLimit: Int
    /// Compressions asked for at once share one (a burst of apps after a scan would otherwise each
    /// spend 0.3 s of CPU on a million tracks' index), by key and catalog version.
    let compressions = SingleFlight<CompressionKey, ArtistIndexAnswer>()

    struct CompressionKey: Hashable, Sendable {
        var index: ArtistIndexKey
        var version: Int
    }

    /// A scope's artist index, and for one kept compressed, its format (XML, or JSON for JSON and JSONP).
    struct ArtistIndexKey: Hashable, Sendable {
        var scope: [LibraryID]?
        var compressedXML: Bool?
    }

    /// What a scope's artist index is: built and cached, kept compressed, or streamed on each request.
    enum ArtistIndexAnswer: Sendable {
        case whole(SubsonicElement)
        case compressed(CompressedAnswer)
        case streamed

        var approximateBytes: Int {
            switch self {
            case .whole(let element): element.approximateBytes
            case .compressed(let answer): answer.gzip.readableBytes + 128
            case .streamed: 64
            }
        }
    }

    /// About the bytes one artist takes in a cached index, rendered in JSON and XML.
    static let bytesPerIndexedArtist = 512

    /// The caches take their shares of `budget`.
    init(budget: MemoryBudget = .standard) {
        artistIndexes = VersionedCache(name: "subsonic_artist_indexes", capacity: 64, budget: budget) {
            $0.approximateBytes
        }
        renderedAlbums = VersionedCache(name: "subsonic_albums", capacity: 512, budget: budget) {
            $0.approximateBytes
        }
        wholeIndexLimit = budget.bytes(for: "subsonic_artist_indexes") / Self.bytesPerIndexedArtist
        compressedIndexLimit = budget.bytes(for: "subsonic_artist_indexes") / 2 - 128
    }

    func register(in api: inout SubsonicAPI) {
        api.on("getMusicFolders") { call in try await musicFolders(call.catalog) }
        api.on("getArtists") { call in try await artists(call) }
        api.on("getArtist") { call in try await artist(try call.parameters.required("id"), for: call) }
        api.on("getAlbum") { call in try await album(try call.parameters.required("id"), for: call) }
        api.on("getSong") { call in try await song(try call.parameters.required("id"), for: call) }
        api.on("getGenres") { call in try await genres(call.catalog) }
    }

    func musicFolders(_ catalog: CatalogView) async throws -> SubsonicPayload {
        let numbers = try await catalog.libraryNumbers()
        let folders = try await catalog.libraries().map { library in
            SubsonicElement([("id", .int(numbers[library.id] ?? 0)), ("name", .string(library.name))])
        }
        return .element("musicFolders", SubsonicElement().with("musicFolder", list: folders))
    }

    static let ignoredArticles = "The El La Los Las Le Les"

    /// The artist index: artists with albums, within the caller's libraries (and `musicFolderId`).
    /// An index that fits the cache is built once per catalog version. A bigger one (64,000 album
    /// artists, 6.7 MB of JSON at a million tracks) is compressed once per version and format when
    /// the compressed bytes fit (1.1 MB there), else streamed to the client a page at a time.
    func artists(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let catalog = try await call.listing()
        let version = try await catalog.catalogVersion()
        let head = SubsonicElement([("ignoredArticles", .string(Self.ignoredArticles))])
        let limit = wholeIndexLimit
        let pages = catalog.artistIndex().map { page in
            SubsonicGroups.Page(
                key: page.letter, group: SubsonicElement([("name", .string(page.letter))]),
                items: page.artists.map(SubsonicModel.artist))
        }
        let index = SubsonicGroups(groupName: "index", itemName: "artist", pages: pages)
        let answer = try await artistIndexes.value(for: ArtistIndexKey(scope: catalog.scope), version: version) {
            guard let groups = try await index.whole(limit: limit) else { return .streamed }
            return .whole(head.with("index", list: groups).prerendered(as: "artists"))
        }
        if case .whole(let element) = answer { return .element("artists", element) }
        let format = SubsonicFormat(call.parameters)
        let bound = compressedIndexLimit
        let key = ArtistIndexKey(scope: catalog.scope, compressedXML: format.kind == .xml)
        let kept = try await artistIndexes.value(for: key, version: version) {
            guard bound > 0 else { return .streamed }
            return try await compressions.value(for: CompressionKey(index: key, version: version)) {
                let compressed = try await format.compressed("artists", head, index)
                return compressed.gzip.readableBytes <= bound ? .compressed(compressed) : .streamed
            }
        }
        if case .compressed(let compressed) = kept { return .raw(format.response(compressed, for: call.request)) }
        return .streamed("artists", head, index)
    }

    func artist(_ id: String, for call: SubsonicCall) async throws -> SubsonicPayload {
        let catalog = try await call.listing()
        guard let artist = try await catalog.artist(ArtistID(id)) else { throw SubsonicError.notFound("Artist") }
        let albums = try await catalog.albums(byArtist: artist.id)
        if catalog.scope != nil, albums.isEmpty { throw SubsonicError.notFound("Artist") }
        let element = SubsonicModel.artist(artist).with("album", list: albums.map(SubsonicModel.album))
        return .element("artist", element)
    }

    func album(_ id: String, for call: SubsonicCall) async throws -> SubsonicPayload {
        let catalog = try await call.listing()
        let (found, version) = try await catalog.albumContents(AlbumID(id))
        guard let contents = found else { throw SubsonicError.notFound("Album") }
        let tracks = contents.tracks
        let ids = tracks.map(\.id.rawValue)
        let annotations = try await call.state.annotations(of: call.user.id, items: ids)
        let plays = try await call.state.playCounts(of: call.user.id, tracks: ids)
        /// The album as nobody in particular sees it; `kept` renders each song once, for everyone.
        func build(kept: Bool) async throws -> SubsonicElement {
            let songs = try await SubsonicModel.songs(tracks, for: call, annotated: false, details: contents.details)
            return SubsonicModel.album(contents.album)
                .with("song", list: kept ? songs.map { $0.prerendered(as: "song") } : songs)
        }
        // Everyone who sees the whole album shares it; a play on one of its songs (or a star, or a
        // rating) renders that song again for its listener, not the album.
        let album =
            catalog.scope == nil
            ? try await renderedAlbums.value(for: contents.album.id, version: version) { try await build(kept: true) }
            : try await build(kept: false)
        return .element("album", SubsonicModel.listened(album, annotations: annotations, plays: plays))
    }

    func song(_ id: String, for call: SubsonicCall) async throws -> SubsonicPayload {
        guard let track = try await call.catalog.track(TrackID(id)) else { throw SubsonicError.notFound("Song") }
        return .element("song", try await SubsonicModel.song(track, for: call))
    }

    func genres(_ catalog: CatalogView) async throws -> SubsonicPayload {
        let genres = try await catalog.genreCounts().map { genre in
            SubsonicElement(
                [("songCount", .int(genre.trackCount)), ("albumCount", .int(genre.albumCount))], text: genre.name)
        }
        return .element("genres", SubsonicElement().with("genre", list: genres))
    }
}
