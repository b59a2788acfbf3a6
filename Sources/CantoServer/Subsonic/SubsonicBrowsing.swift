import CantoCore
import Foundation

/// getMusicFolders, getArtists, getArtist, getAlbum, getSong, getGenres.
struct SubsonicBrowsing: Sendable {
    let services: CantoServices
    var catalog: any CatalogReader { services.catalog }

    func register(in api: inout SubsonicAPI) {
        api.on("getMusicFolders") { _ in try await musicFolders() }
        api.on("getArtists") { _ in try await artists() }
        api.on("getArtist") { call in try await artist(try call.parameters.required("id")) }
        api.on("getAlbum") { call in try await album(try call.parameters.required("id"), for: call.user) }
        api.on("getSong") { call in try await song(try call.parameters.required("id"), for: call.user) }
        api.on("getGenres") { _ in try await genres() }
    }

    func musicFolders() async throws -> SubsonicPayload {
        let numbers = try await catalog.libraryNumbers()
        let folders = try await catalog.libraries().map { library in
            SubsonicElement([("id", .int(numbers[library.id] ?? 0)), ("name", .string(library.name))])
        }
        return .element("musicFolders", SubsonicElement().with("musicFolder", list: folders))
    }

    static let ignoredArticles = "The El La Los Las Le Les"

    func artists() async throws -> SubsonicPayload {
        let artists = try await catalog.artists().filter { $0.albumCount > 0 }
        let grouped = Dictionary(grouping: artists) { SortKey.indexLetter($0.sortName) }
        let indexes = grouped.keys.sorted().map { letter in
            SubsonicElement([("name", .string(letter))]).with(
                "artist", list: grouped[letter, default: []].map(SubsonicModel.artist))
        }
        return .element(
            "artists",
            SubsonicElement([("ignoredArticles", .string(Self.ignoredArticles))]).with("index", list: indexes))
    }

    func artist(_ id: String) async throws -> SubsonicPayload {
        guard let artist = try await catalog.artist(ArtistID(id)) else { throw SubsonicError.notFound("Artist") }
        let albums = try await catalog.albums(byArtist: artist.id)
        let element = SubsonicModel.artist(artist).with("album", list: albums.map(SubsonicModel.album))
        return .element("artist", element)
    }

    func album(_ id: String, for user: User) async throws -> SubsonicPayload {
        guard let album = try await catalog.album(AlbumID(id)) else { throw SubsonicError.notFound("Album") }
        let annotations = try await SubsonicModel.annotations(of: user, services: services)
        var songs: [SubsonicElement] = []
        for track in try await catalog.tracks(inAlbum: album.id) {
            songs.append(
                try await SubsonicModel.song(track, catalog: catalog, annotation: annotations[track.id.rawValue]))
        }
        return .element("album", SubsonicModel.album(album).with("song", list: songs))
    }

    func song(_ id: String, for user: User) async throws -> SubsonicPayload {
        guard let track = try await catalog.track(TrackID(id)) else { throw SubsonicError.notFound("Song") }
        let annotations = try await SubsonicModel.annotations(of: user, services: services)
        return .element("song", try await SubsonicModel.song(track, catalog: catalog, annotation: annotations[id]))
    }

    func genres() async throws -> SubsonicPayload {
        let genres = try await catalog.genreCounts().map { genre in
            SubsonicElement(
                [("songCount", .int(genre.trackCount)), ("albumCount", .int(genre.albumCount))], text: genre.name)
        }
        return .element("genres", SubsonicElement().with("genre", list: genres))
    }
}
