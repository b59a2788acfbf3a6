import CantoCore
import CantoDomain
import Foundation
import Hummingbird

extension Wire {
    struct ArtistItem: ResponseEncodable {
        var id: String
        var name: String
        var albumCount: Int
        var trackCount: Int
        var starred: Bool
        var rating: Int?
    }

    struct AlbumItem: ResponseEncodable {
        var id: String
        var title: String
        var artist: String
        var artistId: String
        var year: Int?
        var trackCount: Int
        var discCount: Int
        var durationMs: Int64
        var compilation: Bool
        /// The album's picture as it is now (`/api/v1/covers/{coverArt}` never changes, so it is
        /// kept for good); absent when the album has none.
        var coverArt: String?
        /// On album pages only (lists leave it out: it costs a read of every track).
        var genres: [String]?
        var starred: Bool
        var rating: Int?
    }

    struct TrackItem: ResponseEncodable {
        var id: String
        var title: String
        var album: String
        var albumId: String
        var artist: String
        var artistId: String?
        var albumArtist: String
        var trackNumber: Int?
        var discNumber: Int?
        var discSubtitle: String?
        var durationMs: Int64
        var year: Int?
        var suffix: String
        var bitRate: Int
        /// As on albums: the track's picture as it is now, absent when it has none.
        var coverArt: String?
        var starred: Bool
        var rating: Int?
        /// The file's ReplayGain tags (dB and linear peaks), for the player's loudness levelling.
        var replayGain: ReplayGainItem?
    }

    struct ReplayGainItem: Codable, Sendable {
        var trackGain: Double?
        var trackPeak: Double?
        var albumGain: Double?
        var albumPeak: Double?
    }

    struct SearchResult: ResponseEncodable {
        var artists: [ArtistItem]
        var albums: [AlbumItem]
        var tracks: [TrackItem]
        /// Search only: artists credited as composers, genres, the caller's own and public
        /// playlists, and the query with its typos corrected when nothing matched it as typed.
        var composers: [ArtistItem]? = nil
        var genres: [Genre]? = nil
        var playlists: [PlaylistHit]? = nil
        var didYouMean: String? = nil
    }

    struct PlaylistHit: ResponseEncodable {
        var id: String
        var name: String
        var ownerId: String
        var `public`: Bool
        var trackCount: Int
    }

    struct ArtistPage: ResponseEncodable {
        var artist: ArtistItem
        var albums: [AlbumItem]
        var topTracks: [TrackItem]
    }

    struct Disc: ResponseEncodable {
        var number: Int
        var subtitle: String?
        var tracks: [TrackItem]
    }

    struct AlbumPage: ResponseEncodable {
        var album: AlbumItem
        var discs: [Disc]
    }

    struct Genre: ResponseEncodable {
        var name: String
        var albumCount: Int
        var trackCount: Int
    }

    struct FolderItem: ResponseEncodable {
        var id: String
        var name: String
    }

    struct FolderDetail: ResponseEncodable {
        var id: String
        var name: String
        var parentId: String?
    }

    struct FolderPage: ResponseEncodable {
        var folder: FolderDetail
        var folders: [FolderItem]
        var tracks: [TrackItem]
    }

    struct AnnotationUpdate: Decodable {
        var kind: String
        var starred: Bool?
        var rating: Int?
    }

    struct AnnotationResult: ResponseEncodable {
        var itemId: String
        var kind: String
        var starred: Bool
        var rating: Int?
    }
}

/// Turns catalog rows into the web UI's items, with the caller's stars and ratings, reading
/// credits and annotations for a whole list at once.
struct CatalogPresenter: Sendable {
    /// The caller's view: everything presented was read through it.
    let catalog: CatalogView
    let state: any LibraryStateStore
    var user: User { catalog.user }

    private func annotations(_ ids: [String]) async throws -> [String: Annotation] {
        ids.isEmpty ? [:] : try await state.annotations(of: user.id, items: ids)
    }

    func artists(_ artists: [Artist]) async throws -> [Wire.ArtistItem] {
        let marks = try await annotations(artists.map(\.id.rawValue))
        return artists.map { artist in
            let mark = marks[artist.id.rawValue]
            return Wire.ArtistItem(
                id: artist.id.rawValue, name: artist.name, albumCount: artist.albumCount,
                trackCount: artist.trackCount, starred: mark?.starredAt != nil, rating: mark?.rating)
        }
    }

    /// `genres`: given on album pages only (lists leave them out).
    func albums(_ albums: [Album], genres: [AlbumID: [String]]? = nil) async throws -> [Wire.AlbumItem] {
        let marks = try await annotations(albums.map(\.id.rawValue))
        return albums.map { album in
            let mark = marks[album.id.rawValue]
            return Wire.AlbumItem(
                id: album.id.rawValue, title: album.title, artist: album.albumArtistName,
                artistId: album.albumArtistID.rawValue, year: album.year, trackCount: album.trackCount,
                discCount: album.discCount, durationMs: album.durationMs, compilation: album.compilation,
                coverArt: album.artworkID?.rawValue, genres: genres.map { $0[album.id] ?? [] },
                starred: mark?.starredAt != nil, rating: mark?.rating
            )
        }
    }

    func tracks(_ tracks: [Track], details known: [TrackID: TrackDetails]? = nil) async throws -> [Wire.TrackItem] {
        let tracks = tracks.filter(catalog.contains)
        let marks = try await annotations(tracks.map(\.id.rawValue))
        let details: [TrackID: TrackDetails]
        if let known { details = known } else { details = try await catalog.details(of: tracks) }
        return tracks.map { track in
            let mark = marks[track.id.rawValue]
            let detail = details[track.id]
            let artistID =
                detail.flatMap { detail in
                    zip(detail.credits, detail.artistIDs).first { $0.0.role == .artist }?.1
                } ?? CatalogIDs.artist(name: track.artistName)
            return Wire.TrackItem(
                id: track.id.rawValue, title: track.title, album: track.album, albumId: track.albumID.rawValue,
                artist: track.artistName, artistId: artistID.rawValue, albumArtist: track.albumArtistName,
                trackNumber: track.trackNumber, discNumber: track.discNumber, discSubtitle: track.discSubtitle,
                durationMs: track.audio.durationMs, year: track.year, suffix: track.suffix,
                bitRate: track.audio.bitrateKbps, coverArt: track.artworkID?.rawValue, starred: mark?.starredAt != nil,
                rating: mark?.rating,
                replayGain: Self.replayGain(track.replayGain))
        }
    }

    /// The tags as the API shows them; nil when the file has none (gains within ±60 dB, peaks 0–10).
    static func replayGain(_ tags: ReplayGain) -> Wire.ReplayGainItem? {
        func gain(_ value: Double?) -> Double? { value.flatMap { $0.isFinite && abs($0) <= 60 ? $0 : nil } }
        func peak(_ value: Double?) -> Double? { value.flatMap { $0.isFinite && $0 > 0 && $0 <= 10 ? $0 : nil } }
        let item = Wire.ReplayGainItem(
            trackGain: gain(tags.trackGain), trackPeak: peak(tags.trackPeak), albumGain: gain(tags.albumGain),
            albumPeak: peak(tags.albumPeak))
        return item.trackGain == nil && item.albumGain == nil ? nil : item
    }

    /// Tracks by ID in the given order, leaving out missing ones and those outside the user's libraries.
    func visibleTracks(_ ids: [TrackID]) async throws -> [Track] {
        try await catalog.tracks(ids)
    }
}
