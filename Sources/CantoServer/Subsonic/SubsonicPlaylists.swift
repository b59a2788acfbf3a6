import CantoCore
import CantoDomain
import CantoSecurity
import Foundation

/// getPlaylists, getPlaylist, createPlaylist, updatePlaylist, deletePlaylist. Owner checks live
/// in the store: another user's private playlist answers like a missing one (error 70).
struct SubsonicPlaylists: Sendable {
    /// Owners' names.
    let accounts: AccountService

    func register(in api: inout SubsonicAPI) {
        api.on("getPlaylists") { call in try await playlists(call) }
        api.on("getPlaylist") { call in
            let playlist = try await call.state.playlist(
                PlaylistID(try call.parameters.required("id")), viewer: call.user.id)
            return .element("playlist", try await element(playlist, withEntries: true, for: call))
        }
        api.on("createPlaylist") { call in try await create(call) }
        api.on("updatePlaylist") { call in try await update(call) }
        api.on("deletePlaylist") { call in
            try await call.state.deletePlaylist(PlaylistID(try call.parameters.required("id")), by: call.user.id)
            return .empty
        }
    }

    /// A playlist as the caller sees it: only the songs in the caller's libraries count and show
    /// (another user's public playlist may hold songs of libraries the caller cannot see).
    private func element(_ playlist: Playlist, withEntries: Bool, for call: SubsonicCall) async throws
        -> SubsonicElement
    {
        let tracks = try await call.catalog.tracks(playlist.trackIDs)
        let owner = try await accounts.user(playlist.ownerID)?.username ?? ""
        var element = SubsonicElement([
            ("id", .string(playlist.id.rawValue)), ("name", .string(playlist.name)),
            ("comment", playlist.comment.map(SubsonicValue.string)), ("owner", .string(owner)),
            ("public", .bool(playlist.isPublic)), ("songCount", .int(tracks.count)),
            ("duration", .int(Int(tracks.reduce(0) { $0 + $1.audio.durationMs } / 1000))),
            ("created", .date(playlist.createdAt)), ("changed", .date(playlist.updatedAt)),
            ("coverArt", tracks.first?.artworkID.map { .string($0.rawValue) }),
            // OpenSubsonic: a smart playlist's tracks follow its rules; apps show it read-only. (Only
            // said of smart playlists: the optional field trips one Python client elsewhere.)
            ("readonly", playlist.rules != nil ? .bool(true) : nil),
        ])
        if withEntries {
            element = element.with(
                "entry", list: try await SubsonicModel.songs(tracks, for: call, annotated: false))
        }
        return element
    }

    /// Refusing to change a smart playlist's tracks by hand.
    static let smart = SubsonicError(
        .notAuthorized, "A smart playlist's tracks follow its rules; change them in Canto's web UI.")

    private func playlists(_ call: SubsonicCall) async throws -> SubsonicPayload {
        var visible = try await call.state.playlists(visibleTo: call.user.id)
        if let name = call.parameters.string("username"), name != call.user.username {
            // Another user's playlists: their public ones, or all of them for an admin's view.
            guard call.user.isAdmin, let other = try await accounts.user(named: name) else {
                throw SubsonicError.notAuthorized
            }
            visible = try await call.state.playlists(visibleTo: other.id).filter { $0.ownerID == other.id }
        }
        var elements: [SubsonicElement] = []
        for playlist in visible { elements.append(try await element(playlist, withEntries: false, for: call)) }
        return .element("playlists", SubsonicElement().with("playlist", list: elements))
    }

    /// The songs asked for, each one in the caller's view, else error 70.
    private func checkedTracks(_ ids: [String], for call: SubsonicCall) async throws -> [TrackID] {
        let tracks = ids.map { TrackID($0) }
        for id in tracks where try await call.catalog.track(id) == nil {
            throw SubsonicError.notFound("Song \(id)")
        }
        return tracks
    }

    private func create(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let p = call.parameters
        let songs = try await checkedTracks(p.all("songId"), for: call)
        let playlist: Playlist
        if let id = p.string("playlistId") {
            var existing = try await call.state.playlist(PlaylistID(id), viewer: call.user.id)
            guard existing.ownerID == call.user.id else { throw SubsonicError.notAuthorized }
            guard existing.rules == nil else { throw Self.smart }
            existing.trackIDs = songs
            if let name = p.string("name") { existing.name = name }
            existing.updatedAt = Date()
            try await call.state.updatePlaylist(existing, by: call.user.id)
            playlist = existing
        } else {
            let name = try p.required("name")
            playlist = Playlist(
                id: PlaylistID("p" + Tokens.identifier()), ownerID: call.user.id, name: name, trackIDs: songs)
            try await call.state.createPlaylist(playlist)
        }
        return .element("playlist", try await element(playlist, withEntries: true, for: call))
    }

    private func update(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let p = call.parameters
        var playlist = try await call.state.playlist(PlaylistID(try p.required("playlistId")), viewer: call.user.id)
        guard playlist.ownerID == call.user.id else { throw SubsonicError.notAuthorized }
        if playlist.rules != nil, !p.all("songIndexToRemove").isEmpty || !p.all("songIdToAdd").isEmpty {
            throw Self.smart
        }
        if let name = p.string("name") { playlist.name = name }
        if let comment = p.string("comment") { playlist.comment = comment }
        if p.string("public") != nil { playlist.isPublic = p.bool("public") }
        let removals = Set(p.all("songIndexToRemove").compactMap(Int.init))
        playlist.trackIDs = playlist.trackIDs.enumerated().filter { !removals.contains($0.offset) }.map(\.element)
        playlist.trackIDs += try await checkedTracks(p.all("songIdToAdd"), for: call)
        playlist.updatedAt = Date()
        try await call.state.updatePlaylist(playlist, by: call.user.id)
        return .empty
    }
}
