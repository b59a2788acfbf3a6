import CantoCore
import CantoDomain
import CantoSecurity
import Foundation
import Hummingbird

extension Wire {
    struct PlaylistItem: ResponseEncodable {
        var id: String
        var name: String
        var comment: String?
        var `public`: Bool
        var ownerId: String
        var owner: String
        var trackCount: Int
        var durationMs: Int64
        var updatedAt: Date
        var editable: Bool
        /// Its tracks follow rules (`/api/v1/smart-playlists/{id}`); they are not edited by hand.
        var smart: Bool
    }

    struct PlaylistPage: ResponseEncodable {
        var playlist: PlaylistItem
        var tracks: [TrackItem]
    }

    struct NewPlaylist: Decodable {
        var name: String
        var comment: String?
        var `public`: Bool?
        var trackIds: [String]?
    }

    struct PlaylistUpdate: Decodable {
        var name: String?
        var comment: String?
        var `public`: Bool?
        var trackIds: [String]?
    }

    struct TrackIDs: Decodable {
        var trackIds: [String]
    }

    struct ImportResult: ResponseEncodable {
        var playlist: PlaylistItem
        var matched: Int
        var unmatched: [String]
    }

    struct PlayQueue: ResponseEncodable {
        var tracks: [TrackItem]
        var currentIndex: Int?
        var positionMs: Int64
        var changedAt: Date?
        var changedBy: String?
    }

    struct PlayQueueUpdate: Decodable {
        var trackIds: [String]
        var currentIndex: Int?
        var positionMs: Int64?
    }
}

/// Playlists (with M3U import and export) and the caller's play queue. Owner checks live in
/// the store: another user's private playlist answers 404, a public one can be read, not changed.
struct PlaylistController {
    let state: any LibraryStateStore
    /// Owners' names.
    let accounts: AccountService
    /// The room an imported file takes in the importer's plan.
    let plans: PlanService
    /// The longest playlist or queue accepted.
    static let maxTracks = 10_000

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("playlists", use: playlists)
        group.post("playlists", use: create)
        group.post("playlists/import", use: importM3U)
        group.get("playlists/:id", use: playlist)
        group.patch("playlists/:id", use: update)
        group.delete("playlists/:id", use: delete)
        group.post("playlists/:id/tracks", use: append)
        group.get("playlists/:id/m3u", use: exportM3U)
        group.get("me/queue", use: queue)
        group.put("me/queue", use: saveQueue)
    }

    func item(_ playlist: Playlist, tracks: [Track], viewer: User) async throws -> Wire.PlaylistItem {
        let owner = try await accounts.user(playlist.ownerID)
        return Wire.PlaylistItem(
            id: playlist.id.rawValue, name: playlist.name, comment: playlist.comment, public: playlist.isPublic,
            ownerId: playlist.ownerID.rawValue, owner: owner?.displayName ?? owner?.username ?? "",
            trackCount: tracks.count, durationMs: tracks.reduce(0) { $0 + $1.audio.durationMs },
            updatedAt: playlist.updatedAt, editable: playlist.ownerID == viewer.id, smart: playlist.rules != nil)
    }

    private func loaded(_ context: CantoRequestContext) async throws -> (Playlist, CatalogPresenter) {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        let playlist = try await state.playlist(
            PlaylistID(try context.parameters.require("id")), viewer: present.user.id)
        return (playlist, present)
    }

    /// The tracks the IDs name, in order: each must be one the user may see.
    private func checked(_ ids: [String], _ present: CatalogPresenter) async throws -> [Track] {
        guard ids.count <= Self.maxTracks else { throw APIError.badRequest("At most \(Self.maxTracks) tracks.") }
        let wanted = ids.map { TrackID($0) }
        let tracks = try await present.visibleTracks(wanted)
        if tracks.count != wanted.count {
            let known = Set(tracks.map(\.id))
            let missing = wanted.first { !known.contains($0) }
            throw APIError(.badRequest, "unknown_track", "There is no track \(missing?.rawValue ?? "").")
        }
        return tracks
    }

    /// Saves the playlist; `tracks` are its tracks when the caller has them already.
    private func save(_ playlist: Playlist, tracks: [Track]?, _ present: CatalogPresenter) async throws
        -> Wire.PlaylistItem
    {
        try await state.updatePlaylist(playlist, by: present.user.id)
        var tracks = tracks
        if tracks == nil { tracks = try await present.visibleTracks(playlist.trackIDs) }
        return try await item(playlist, tracks: tracks ?? [], viewer: present.user)
    }

    private func owned(_ playlist: Playlist, by user: User) throws {
        guard playlist.ownerID == user.id else {
            throw APIError(.forbidden, "not_owner", "Only the playlist's owner can change it.")
        }
    }

    /// A smart playlist's tracks follow its rules.
    private func byHand(_ playlist: Playlist) throws {
        guard playlist.rules == nil else {
            throw APIError(.conflict, "smart_playlist", "A smart playlist's tracks follow its rules; change the rules.")
        }
    }

    @Sendable func playlists(_ request: Request, context: CantoRequestContext) async throws
        -> Wire.Page<Wire.PlaylistItem>
    {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        var items: [Wire.PlaylistItem] = []
        for playlist in try await state.playlists(visibleTo: present.user.id) {
            items.append(
                try await item(
                    playlist, tracks: try await present.visibleTracks(playlist.trackIDs), viewer: present.user))
        }
        return Wire.Page(all: items)
    }

    private static func validName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw APIError.badRequest("A playlist needs a name of 1 to 200 characters.")
        }
        return trimmed
    }

    @Sendable func create(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        let body = try await request.decode(as: Wire.NewPlaylist.self, context: context)
        let tracks = try await checked(body.trackIds ?? [], present)
        let playlist = Playlist(
            id: PlaylistID("p" + Tokens.identifier()), ownerID: present.user.id, name: try Self.validName(body.name),
            comment: body.comment, isPublic: body.public ?? false, trackIDs: tracks.map(\.id))
        try await state.createPlaylist(playlist)
        let result = try await item(playlist, tracks: tracks, viewer: present.user)
        var response = try context.responseEncoder.encode(result, from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func playlist(_ request: Request, context: CantoRequestContext) async throws -> Wire.PlaylistPage {
        let (playlist, present) = try await loaded(context)
        let tracks = try await present.visibleTracks(playlist.trackIDs)
        return Wire.PlaylistPage(
            playlist: try await item(playlist, tracks: tracks, viewer: present.user),
            tracks: try await present.tracks(tracks))
    }

    @Sendable func update(_ request: Request, context: CantoRequestContext) async throws -> Wire.PlaylistItem {
        var (playlist, present) = try await loaded(context)
        try owned(playlist, by: present.user)
        let body = try await request.decode(as: Wire.PlaylistUpdate.self, context: context)
        if let name = body.name { playlist.name = try Self.validName(name) }
        if let comment = body.comment { playlist.comment = comment.isEmpty ? nil : comment }
        if let isPublic = body.public { playlist.isPublic = isPublic }
        var tracks: [Track]?
        if let ids = body.trackIds {
            try byHand(playlist)
            let found = try await checked(ids, present)
            playlist.trackIDs = found.map(\.id)
            tracks = found
        }
        playlist.updatedAt = Date()
        return try await save(playlist, tracks: tracks, present)
    }

    @Sendable func append(_ request: Request, context: CantoRequestContext) async throws -> Wire.PlaylistItem {
        var (playlist, present) = try await loaded(context)
        try owned(playlist, by: present.user)
        try byHand(playlist)
        let body = try await request.decode(as: Wire.TrackIDs.self, context: context)
        let tracks = try await checked(playlist.trackIDs.map(\.rawValue) + body.trackIds, present)
        playlist.trackIDs = tracks.map(\.id)
        playlist.updatedAt = Date()
        return try await save(playlist, tracks: tracks, present)
    }

    @Sendable func delete(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let (playlist, present) = try await loaded(context)
        try owned(playlist, by: present.user)
        try await state.deletePlaylist(playlist.id, by: present.user.id)
        return .noContent
    }

    @Sendable func exportM3U(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let (playlist, present) = try await loaded(context)
        let tracks = try await present.visibleTracks(playlist.trackIDs)
        let text = M3U.render(tracks, libraries: try await present.catalog.libraries())
        var headers = HTTPFields()
        headers[.contentType] = "audio/x-mpegurl; charset=utf-8"
        headers[.contentDisposition] = M3U.attachment(name: playlist.name)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The body is the M3U text; `name` names the new playlist.
    @Sendable func importM3U(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        let name = try Self.validName(CatalogController.text(request, "name") ?? "Imported playlist")
        let body = try await request.body.collect(upTo: 4 << 20)
        let owner = try context.requireUser()
        let kept =
            try await state.uploadBytes(of: owner.id) + (try await accounts.avatar(of: owner.id)?.data.count ?? 0)
        try await plans.requireStorage(for: owner, total: kept + body.readableBytes)
        let text = String(decoding: body.readableBytesView, as: UTF8.self)
        let entries = M3U.parse(text)
        guard !entries.isEmpty else { throw APIError.badRequest("The file holds no playlist entries.") }
        let libraries = try await present.catalog.libraries()
        var matched: [TrackID] = []
        var unmatched: [String] = []
        for entry in entries.prefix(Self.maxTracks) {
            if let track = try await M3U.match(entry, libraries: libraries, catalog: present.catalog) {
                matched.append(track.id)
            } else {
                unmatched.append(entry.location)
            }
        }
        let playlist = Playlist(
            id: PlaylistID("p" + Tokens.identifier()), ownerID: present.user.id, name: name, trackIDs: matched)
        try await state.createPlaylist(playlist)
        try await state.setUploadBytes(body.readableBytes, of: playlist.id)
        let tracks = try await present.visibleTracks(matched)
        let result = Wire.ImportResult(
            playlist: try await item(playlist, tracks: tracks, viewer: present.user), matched: matched.count,
            unmatched: unmatched)
        var response = try context.responseEncoder.encode(result, from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func queue(_ request: Request, context: CantoRequestContext) async throws -> Wire.PlayQueue {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        guard let saved = try await state.playQueue(of: present.user.id) else {
            return Wire.PlayQueue(tracks: [], currentIndex: nil, positionMs: 0, changedAt: nil, changedBy: nil)
        }
        let tracks = try await present.visibleTracks(saved.trackIDs)
        var index = saved.currentIndex
        if tracks.count != saved.trackIDs.count, let current = index, saved.trackIDs.indices.contains(current) {
            // Tracks gone since: keep pointing at the same track.
            index = tracks.firstIndex { $0.id == saved.trackIDs[current] }
        }
        return Wire.PlayQueue(
            tracks: try await present.tracks(tracks), currentIndex: index, positionMs: saved.positionMs,
            changedAt: saved.changedAt, changedBy: saved.changedBy)
    }

    @Sendable func saveQueue(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        let body = try await request.decode(as: Wire.PlayQueueUpdate.self, context: context)
        let ids = try await checked(body.trackIds, present).map(\.id)
        if let index = body.currentIndex, !ids.indices.contains(index) {
            throw APIError.badRequest("currentIndex must point into trackIds.")
        }
        guard (body.positionMs ?? 0) >= 0 else { throw APIError.badRequest("positionMs must be 0 or more.") }
        let queue =
            ids.isEmpty
            ? nil
            : PlayQueue(
                trackIDs: ids, currentIndex: body.currentIndex, positionMs: body.positionMs ?? 0, changedAt: Date(),
                changedBy: "web")
        try await state.savePlayQueue(queue, of: present.user.id)
        return .noContent
    }
}
