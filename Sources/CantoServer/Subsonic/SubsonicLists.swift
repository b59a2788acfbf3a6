import CantoCore
import CantoDomain
import Foundation
import HTTPTypes
import HummingbirdCore

/// getAlbumList, getAlbumList2, getRandomSongs, getSongsByGenre, getStarred, getStarred2,
/// search2, search3, and the local-data info calls (getArtistInfo(2), getAlbumInfo(2),
/// getSimilarSongs(2), getTopSongs).
struct SubsonicLists: Sendable {
    /// Similar songs, sonic matches and paths, from the recommender plugins.
    let recommendations: RecommendationService
    /// Artist pictures from the metadata plugins, for getArtistInfo's image URLs.
    let pictures: ArtistPictures
    /// search2/search3 answers as nobody in particular sees them, each item rendered once, for
    /// callers who see every library (their plays, stars and ratings are laid over the songs).
    let renderedSearches: VersionedCache<RenderedSearch, SubsonicElement>

    /// Album list entries rendered once per catalog version: nothing in them is the caller's own.
    let renderedAlbums: VersionedCache<AlbumRendering, SubsonicElement>

    /// The caches take their shares of `budget`.
    init(recommendations: RecommendationService, pictures: ArtistPictures, budget: MemoryBudget = .standard) {
        self.recommendations = recommendations
        self.pictures = pictures
        renderedSearches = VersionedCache(name: "subsonic_searches", capacity: 256, budget: budget) {
            $0.approximateBytes
        }
        renderedAlbums = VersionedCache(name: "subsonic_album_renderings", capacity: 20_000, budget: budget) {
            $0.approximateBytes
        }
    }

    struct AlbumRendering: Hashable, Sendable {
        var id: AlbumID
        var directoryStyle: Bool
    }

    struct RenderedSearch: Hashable, Sendable {
        var query: String
        var pages: [Page]
        var directoryStyle: Bool
    }

    func register(in api: inout SubsonicAPI) {
        api.on("getAlbumList") { call in .element("albumList", try await albumList(call, directoryStyle: true)) }
        api.on("getAlbumList2") { call in .element("albumList2", try await albumList(call, directoryStyle: false)) }
        api.on("getRandomSongs") { call in
            let p = call.parameters
            let tracks = try await call.listing().randomTracks(
                limit: try p.count("size", default: 10), genre: p.string("genre"), fromYear: try p.int("fromYear"),
                toYear: try p.int("toYear"))
            return .element("randomSongs", SubsonicElement().with("song", list: try await songs(tracks, for: call)))
        }
        api.on("getSongsByGenre") { call in
            let p = call.parameters
            let tracks = try await call.listing().tracks(
                genre: try p.required("genre"), offset: try p.offset("offset"), limit: try p.count("count", default: 10)
            )
            return .element("songsByGenre", SubsonicElement().with("song", list: try await songs(tracks, for: call)))
        }
        api.on("getStarred") { call in .element("starred", try await starred(call, directoryStyle: true)) }
        api.on("getStarred2") { call in .element("starred2", try await starred(call, directoryStyle: false)) }
        api.on("search2") { call in .element("searchResult2", try await search(call, directoryStyle: true)) }
        api.on("search3") { call in .element("searchResult3", try await search(call, directoryStyle: false)) }
        api.on("getSimilarSongs") { call in .element("similarSongs", try await similar(call)) }
        api.on("getSimilarSongs2") { call in .element("similarSongs2", try await similar(call)) }
        api.on("getTopSongs") { call in try await topSongs(call) }
        api.on("getSonicSimilarTracks") { call in try await sonicSimilar(call) }
        api.on("findSonicPath") { call in try await sonicPath(call) }
        api.on("getArtistInfo") { call in .element("artistInfo", try await artistInfo(call, id3: false)) }
        api.on("getArtistInfo2") { call in .element("artistInfo2", try await artistInfo(call, id3: true)) }
        api.on("getAlbumInfo") { call in .element("albumInfo", try await albumInfo(call)) }
        api.on("getAlbumInfo2") { call in .element("albumInfo", try await albumInfo(call)) }
    }

    private func songs(_ tracks: [Track], for call: SubsonicCall) async throws -> [SubsonicElement] {
        try await SubsonicModel.songs(tracks, for: call)
    }

    /// AlbumID3 for the ID3 calls, a directory-style Child for the old ones.
    static func album(_ album: Album, directoryStyle: Bool) -> SubsonicElement {
        guard directoryStyle else { return SubsonicModel.album(album) }
        return SubsonicElement([
            ("id", .string(album.id.rawValue)), ("parent", .string(album.albumArtistID.rawValue)),
            ("isDir", .bool(true)), ("title", .string(album.title)), ("album", .string(album.title)),
            ("artist", .string(album.albumArtistName)), ("year", album.year.map(SubsonicValue.int)),
            ("coverArt", album.artworkID.map { .string($0.rawValue) }), ("created", .date(album.createdAt)),
        ])
    }

    static func artist(_ artist: Artist, directoryStyle: Bool) -> SubsonicElement {
        guard directoryStyle else { return SubsonicModel.artist(artist) }
        return SubsonicElement([("id", .string(artist.id.rawValue)), ("name", .string(artist.name))])
    }

    private func albumList(_ call: SubsonicCall, directoryStyle: Bool) async throws -> SubsonicElement {
        let p = call.parameters
        guard let type = AlbumListType(rawValue: try p.required("type")) else {
            throw SubsonicError.invalid("type", "unknown list type")
        }
        var fromYear: Int?
        var toYear: Int?
        var genre: String?
        switch type {
        case .byYear:
            fromYear = try p.int("fromYear") ?? { throw SubsonicError.missing("fromYear") }()
            toYear = try p.int("toYear") ?? { throw SubsonicError.missing("toYear") }()
        case .byGenre: genre = try p.required("genre")
        default: break
        }
        // The version first: the albums read after it are of that version or a newer one, and
        // a rendering kept under an older version than its album's is never asked for again.
        let catalog = try await call.listing()
        let version = try await catalog.catalogVersion()
        let albums = try await catalog.albumList(
            type, offset: try p.offset("offset"), limit: try p.count("size", default: 10), fromYear: fromYear,
            toYear: toYear, genre: genre)
        var elements: [SubsonicElement] = []
        elements.reserveCapacity(albums.count)
        for album in albums {
            let key = AlbumRendering(id: album.id, directoryStyle: directoryStyle)
            if type == .random {
                // A random page is not asked for again: a kept rendering is used, and one not kept
                // is built for this answer alone (keeping it would push out those the other lists
                // are asked for again and again).
                elements.append(
                    renderedAlbums.value(for: key, version: version)
                        ?? Self.album(album, directoryStyle: directoryStyle))
                continue
            }
            elements.append(
                renderedAlbums.value(for: key, version: version) {
                    Self.album(album, directoryStyle: directoryStyle).prerendered(as: "album")
                })
        }
        return SubsonicElement().with("album", list: elements)
    }

    private func starred(_ call: SubsonicCall, directoryStyle: Bool) async throws -> SubsonicElement {
        let items = try await call.listing().starred()
        return SubsonicElement()
            .with("artist", list: items.artists.map { Self.artist($0, directoryStyle: directoryStyle) })
            .with("album", list: items.albums.map { Self.album($0, directoryStyle: directoryStyle) })
            .with("song", list: try await songs(items.tracks, for: call))
    }

    private func search(_ call: SubsonicCall, directoryStyle: Bool) async throws -> SubsonicElement {
        let p = call.parameters
        // search3 must accept an empty query (everything, for offline sync); search2 requires one.
        var query = directoryStyle ? try p.required("query") : (p.string("query") ?? "")
        if query == "\"\"" { query = "" }
        let catalog = try await call.listing()
        let pages = [
            Page(offset: try p.offset("artistOffset"), limit: try p.count("artistCount", default: 20)),
            Page(offset: try p.offset("albumOffset"), limit: try p.count("albumCount", default: 20)),
            Page(offset: try p.offset("songOffset"), limit: try p.count("songCount", default: 20)),
        ]
        let found = try await catalog.search(query, artists: pages[0], albums: pages[1], tracks: pages[2])
        let results = found.results
        let ids = results.tracks.map(\.id.rawValue)
        let annotations = try await call.state.annotations(of: call.user.id, items: ids)
        let plays = try await call.state.playCounts(of: call.user.id, tracks: ids)
        /// The answer as nobody in particular sees it; `kept` renders each item once, for everyone.
        func build(kept: Bool) async throws -> SubsonicElement {
            func item(_ element: SubsonicElement, _ name: String) -> SubsonicElement {
                kept ? element.prerendered(as: name) : element
            }
            let songs = try await SubsonicModel.songs(
                results.tracks, for: call, annotated: false, details: found.details)
            return SubsonicElement()
                .with(
                    "artist",
                    list: results.artists.map { item(Self.artist($0, directoryStyle: directoryStyle), "artist") }
                )
                .with(
                    "album", list: results.albums.map { item(Self.album($0, directoryStyle: directoryStyle), "album") }
                )
                .with("song", list: songs.map { item($0, "song") })
        }
        // Everyone who sees every library shares it; the caller's own plays, stars and ratings are
        // laid over the songs they touch.
        let key = RenderedSearch(query: query, pages: pages, directoryStyle: directoryStyle)
        let shared =
            catalog.scope == nil
            ? try await renderedSearches.value(for: key, version: found.version) { try await build(kept: true) }
            : try await build(kept: false)
        return SubsonicModel.listened(shared, annotations: annotations, plays: plays)
    }

    /// Similar songs from the household's own tags: an artist's or album's id uses its first track.
    /// Songs like a song, an album's songs or an artist's best-known songs, from the recommenders.
    private func similar(_ call: SubsonicCall) async throws -> SubsonicElement {
        let id = try call.parameters.required("id")
        let count = try call.parameters.count("count", default: 50)
        let catalog = call.catalog
        var seeds: [TrackID] = []
        if id.hasPrefix("al") {
            seeds = try await catalog.tracks(inAlbum: AlbumID(id)).map(\.id)
        } else if id.hasPrefix("ar") {
            seeds = try await catalog.topTracks(artist: ArtistID(id), limit: 5).map(\.id)
        } else if try await catalog.track(TrackID(id)) != nil {
            seeds = [TrackID(id)]
        }
        guard !seeds.isEmpty else { throw SubsonicError.notFound("Item") }
        let picks = try await recommendations.similar(to: seeds, in: catalog, limit: count, surface: "subsonic")
        return SubsonicElement().with("song", list: try await songs(picks.map(\.track), for: call))
    }

    /// Songs that sound like a song, each with its similarity (OpenSubsonic `sonicSimilarity`).
    private func sonicSimilar(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let id = TrackID(try call.parameters.required("id"))
        let count = try call.parameters.count("count", default: 10)
        guard try await call.catalog.track(id) != nil else { throw SubsonicError.notFound("Song") }
        let picks = try await recommendations.similar(
            to: [id], in: call.catalog, limit: count, perArtist: 0, surface: "subsonic")
        // The blend picks them; a sonic match lists them by their likeness, most alike first.
        return .list("sonicMatch", try await matches(picks.sorted { $0.similarity > $1.similarity }, for: call))
    }

    /// A path of songs from one song to another, each a small step in sound from the last.
    private func sonicPath(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let start = TrackID(try call.parameters.required("startSongId"))
        let end = TrackID(try call.parameters.required("endSongId"))
        let count = min(500, max(2, try call.parameters.count("count", default: 25)))
        for id in [start, end] where try await call.catalog.track(id) == nil { throw SubsonicError.notFound("Song") }
        let picks = try await recommendations.path(from: start, to: end, in: call.catalog, count: count) ?? []
        return .list("sonicMatch", try await matches(picks, for: call))
    }

    private func matches(_ picks: [RecommendationService.Pick], for call: SubsonicCall) async throws
        -> [SubsonicElement]
    {
        let entries = try await songs(picks.map(\.track), for: call)
        return zip(picks, entries).map { pick, entry in
            SubsonicElement([("similarity", .double((pick.similarity * 1_000).rounded() / 1_000))]).with("entry", entry)
        }
    }

    private func topSongs(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let p = call.parameters
        let catalog = call.catalog
        var artist: Artist?
        if let id = p.string("id") {
            artist = try await catalog.artist(ArtistID(id))
        } else {
            let name = try p.required("artist")
            artist = try await catalog.artist(CatalogIDs.artist(name: name))
        }
        var tracks: [Track] = []
        if let artist {
            tracks = try await catalog.topTracks(artist: artist.id, limit: try p.count("count", default: 50))
        }
        return .element("topSongs", SubsonicElement().with("song", list: try await songs(tracks, for: call)))
    }

    /// From local data until metadata plugins enrich it: the MusicBrainz ID, and similar artists
    /// from shared genres.
    private func artistInfo(_ call: SubsonicCall, id3: Bool) async throws -> SubsonicElement {
        let id = try call.parameters.required("id")
        let catalog = call.catalog
        guard let artist = try await catalog.artist(ArtistID(id)) else { throw SubsonicError.notFound("Artist") }
        let count = try call.parameters.count("count", default: 20)
        var similar: [Artist] = []
        if let seed = try await catalog.topTracks(artist: artist.id, limit: 1).first {
            for track in try await catalog.similarTracks(to: seed.id, limit: 100) {
                let other = CatalogIDs.artist(name: track.albumArtistName)
                if other != artist.id, !similar.contains(where: { $0.id == other }),
                    let found = try await catalog.artist(other)
                {
                    similar.append(found)
                }
                if similar.count >= count { break }
            }
        }
        // The text fields are always present (empty until a metadata plugin fills them): clients read them.
        var info = SubsonicElement()
        for field in ["biography", "lastFmUrl", "smallImageUrl", "mediumImageUrl", "largeImageUrl"] {
            info = info.with(field, SubsonicElement.value(.string("")))
        }
        // A metadata plugin's picture of the artist, at addresses the apps can load without credentials.
        if let authority = call.request.head.authority,
            let urls = await pictures.urls(
                for: artist, base: "\(call.context.isSecure ? "https" : "http")://\(authority)")
        {
            for (field, url) in urls { info = info.with(field, SubsonicElement.value(.string(url))) }
        }
        if let mbid = artist.musicBrainzID {
            info = info.with("musicBrainzId", SubsonicElement.value(.string(mbid)))
        }
        return info.with("similarArtist", list: similar.map { Self.artist($0, directoryStyle: !id3) })
    }

    private func albumInfo(_ call: SubsonicCall) async throws -> SubsonicElement {
        let id = try call.parameters.required("id")
        let catalog = call.catalog
        var album = try await catalog.album(AlbumID(id))
        if album == nil, let track = try await catalog.track(TrackID(id)) {
            album = try await catalog.album(track.albumID)
        }
        guard let album else { throw SubsonicError.notFound("Album") }
        var info = SubsonicElement()
        for field in ["notes", "lastFmUrl", "smallImageUrl", "mediumImageUrl", "largeImageUrl"] {
            info = info.with(field, SubsonicElement.value(.string("")))
        }
        if let mbid = album.releaseMBID { info = info.with("musicBrainzId", SubsonicElement.value(.string(mbid))) }
        return info
    }
}
