import CantoCore
import CantoDomain
import Foundation

/// Catalog values as Subsonic elements: ArtistID3, AlbumID3 and Child (songs).
enum SubsonicModel {
    static func artist(_ artist: Artist) -> SubsonicElement {
        SubsonicElement([
            ("id", .string(artist.id.rawValue)), ("name", .string(artist.name)),
            ("albumCount", .int(artist.albumCount)),
            ("coverArt", .string(artist.id.rawValue)),
            ("musicBrainzId", artist.musicBrainzID.map(SubsonicValue.string)),
            ("sortName", .string(artist.sortName)),
        ])
    }

    static func album(_ album: Album) -> SubsonicElement {
        SubsonicElement([
            ("id", .string(album.id.rawValue)), ("name", .string(album.title)), ("title", .string(album.title)),
            ("album", .string(album.title)), ("artist", .string(album.albumArtistName)),
            ("artistId", .string(album.albumArtistID.rawValue)),
            ("coverArt", album.artworkID.map { .string($0.rawValue) }),
            ("songCount", .int(album.trackCount)), ("duration", .int(Int(album.durationMs / 1000))),
            ("year", album.year.map(SubsonicValue.int)), ("isCompilation", .bool(album.compilation)),
            ("musicBrainzId", album.releaseMBID.map(SubsonicValue.string)), ("created", .date(album.createdAt)),
        ])
    }

    /// Songs as Child elements, with their genres and credits and the caller's stars and
    /// ratings (none with `annotated: false`): three queries for the whole list. Tracks outside the
    /// caller's view are left out.
    static func songs(
        _ tracks: [Track], for call: SubsonicCall, annotated: Bool = true,
        details known: [TrackID: TrackDetails]? = nil,
        annotations read: [String: Annotation]? = nil, plays knownPlays: [String: Int]? = nil
    ) async throws -> [SubsonicElement] {
        let tracks = tracks.filter(call.catalog.contains)
        guard !tracks.isEmpty else { return [] }
        var details = known ?? [:]
        if known == nil { details = try await call.catalog.details(of: tracks) }
        var annotations = read ?? [:]
        if annotated, read == nil {
            annotations = try await call.state.annotations(of: call.user.id, items: tracks.map(\.id.rawValue))
        }
        var plays = knownPlays ?? [:]
        if annotated, knownPlays == nil {
            plays = try await call.state.playCounts(of: call.user.id, tracks: tracks.map(\.id.rawValue))
        }
        return tracks.map {
            song(
                $0, details: details[$0.id] ?? TrackDetails(), annotation: annotations[$0.id.rawValue],
                plays: plays[$0.id.rawValue] ?? 0)
        }
    }

    /// One song as Child (see `songs`), for a track read through the caller's view.
    static func song(_ track: Track, for call: SubsonicCall, annotated: Bool = true) async throws -> SubsonicElement {
        guard let song = try await songs([track], for: call, annotated: annotated).first else {
            throw SubsonicError.notFound("Song")
        }
        return song
    }

    /// A song as Child; `annotation` adds the caller's star and rating, `plays` is the caller's own
    /// play count (the household's counter would tie every shared rendering to every play).
    static func song(_ track: Track, details: TrackDetails, annotation: Annotation?, plays: Int = 0)
        -> SubsonicElement
    {
        listened(song(track, details: details), annotation: annotation, plays: plays)
    }

    /// `song` (a Child as nobody in particular sees it, maybe prerendered) with a listener's star,
    /// rating and play count: the attributes `song(_:details:annotation:plays:)` writes, in its
    /// order. A song with none of them is left as it is, its rendering with it.
    static func listened(_ song: SubsonicElement, annotation: Annotation?, plays: Int) -> SubsonicElement {
        let starred = annotation?.starredAt
        let rating = annotation?.rating
        guard plays != 0 || starred != nil || rating != nil else { return song }
        var song = song.unrendered
        if let index = song.attributes.firstIndex(where: { $0.0 == "playCount" }) {
            song.attributes[index].1 = .int(plays)
        }
        // The last attributes, after every one of the catalog's.
        if let starred { song.attributes.append(("starred", .date(starred))) }
        if let rating { song.attributes.append(("userRating", .int(rating))) }
        return song
    }

    /// `element` (an answer kept for everyone) with the caller's `annotations` and `plays` laid over
    /// its `song` children; the songs they do not touch keep their renderings.
    static func listened(_ element: SubsonicElement, annotations: [String: Annotation], plays: [String: Int])
        -> SubsonicElement
    {
        guard !annotations.isEmpty || !plays.isEmpty else { return element }
        var element = element.unrendered
        for index in element.children.indices where element.children[index].name == "song" {
            element.children[index].elements = element.children[index].elements.map { song in
                let id = song.attribute("id") ?? ""
                return listened(song, annotation: annotations[id], plays: plays[id] ?? 0)
            }
        }
        return element
    }

    /// A song as Child as nobody in particular sees it: played 0 times, no star, no rating.
    private static func song(_ track: Track, details: TrackDetails) -> SubsonicElement {
        let genres = details.genres
        let credits = details.credits
        let credited = zip(credits, details.artistIDs)
        func people(_ role: ArtistRole) -> [SubsonicElement] {
            credited.filter { $0.0.role == role }.map {
                SubsonicElement([("id", .string($0.1.rawValue)), ("name", .string($0.0.name))])
            }
        }
        var replayGain = SubsonicElement([
            ("trackGain", track.replayGain.trackGain.map(SubsonicValue.double)),
            ("trackPeak", track.replayGain.trackPeak.map(SubsonicValue.double)),
            ("albumGain", track.replayGain.albumGain.map(SubsonicValue.double)),
            ("albumPeak", track.replayGain.albumPeak.map(SubsonicValue.double)),
        ])
        replayGain.children = []
        let firstArtist = credited.first { $0.0.role == .artist }?.1 ?? CatalogIDs.artist(name: track.artistName)
        return SubsonicElement([
            ("id", .string(track.id.rawValue)), ("parent", .string(track.folderID.rawValue)), ("isDir", .bool(false)),
            ("title", .string(track.title)), ("album", .string(track.album)), ("artist", .string(track.artistName)),
            ("track", track.trackNumber.map(SubsonicValue.int)), ("year", track.year.map(SubsonicValue.int)),
            ("genre", genres.first.map(SubsonicValue.string)),
            ("coverArt", track.artworkID.map { .string($0.rawValue) }),
            ("size", .int(Int(track.size))), ("contentType", .string(MediaStreamer.contentType(track.suffix))),
            ("suffix", .string(track.suffix)), ("duration", .int(Int(track.audio.durationMs / 1000))),
            ("bitRate", .int(track.audio.bitrateKbps)), ("bitDepth", track.audio.bitDepth.map(SubsonicValue.int)),
            ("samplingRate", .int(track.audio.sampleRate)), ("channelCount", .int(track.audio.channels)),
            ("path", .string(track.path)), ("playCount", .int(0)),
            ("discNumber", track.discNumber.map(SubsonicValue.int)), ("created", .date(track.createdAt)),
            ("albumId", .string(track.albumID.rawValue)),
            ("artistId", .string(firstArtist.rawValue)), ("type", .string("music")),
            ("mediaType", .string("song")), ("isVideo", .bool(false)), ("bpm", track.bpm.map(SubsonicValue.int)),
            ("comment", track.comment.map(SubsonicValue.string)),
            ("musicBrainzId", track.musicBrainz.recordingID.map(SubsonicValue.string)),
            ("displayArtist", .string(track.artistName)), ("displayAlbumArtist", .string(track.albumArtistName)),
            ("displayComposer", .string(credits.filter { $0.role == .composer }.map(\.name).joined(separator: ", "))),
        ])
        .with("genres", list: genres.map { SubsonicElement([("name", .string($0))]) })
        .with("artists", list: people(.artist))
        .with("albumArtists", list: people(.albumArtist))
        .with("replayGain", replayGain)
        .with("isrc", list: track.isrc.map { [.value(.string($0))] } ?? [])
    }
}
