import CantoCore
import CantoDomain
import CantoSecurity
import Foundation
import Hummingbird

extension Wire {
    struct SmartPreview: ResponseEncodable {
        /// How many tracks the rules pick now (within the caller's libraries).
        var count: Int
        /// The first of them.
        var tracks: [TrackItem]
    }
}

/// Smart playlists: rules (Navidrome's `.nsp` shape) whose tracks follow the library and the
/// owner's listening. They are playlists like any other to read (`/api/v1/playlists`, Subsonic's
/// `getPlaylists`, read-only there); their tracks are worked out again when the library or the
/// history has changed since, never on every read. Bodies are JSON objects read as they come.
struct SmartPlaylistController {
    let state: any LibraryStateStore
    let playlists: PlaylistController

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.post("smart-playlists", use: create)
        group.post("smart-playlists/preview", use: preview)
        group.post("smart-playlists/import", use: importNSP)
        group.get("smart-playlists/:id", use: export)
        group.put("smart-playlists/:id", use: update)
    }

    /// The request's JSON object (at most 256 KiB).
    static func object(_ request: Request) async throws -> [String: Any] {
        let body = try await request.body.collect(upTo: 256 << 10)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
        else { throw APIError.badRequest("The body must be a JSON object.") }
        return object
    }

    /// The rules under `rules`, or the object itself (an `.nsp` file).
    static func definition(_ object: [String: Any]) throws -> SmartDefinition {
        try SmartDefinition(json: object["rules"] as? [String: Any] ?? object)
    }

    static func name(_ value: Any?, fallback: String) throws -> String {
        let name = ((value as? String) ?? fallback).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else {
            throw APIError.badRequest("A playlist needs a name of 1 to 200 characters.")
        }
        return name
    }

    /// A comment (at most 1,000 characters); empty is none.
    static func comment(_ value: Any?) -> String? {
        guard let text = (value as? String)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            return nil
        }
        return String(text.prefix(1_000))
    }

    private func created(_ playlist: Playlist, _ request: Request, _ context: CantoRequestContext) async throws
        -> Response
    {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        try await state.createPlaylist(playlist)
        let read = try await state.playlist(playlist.id, viewer: present.user.id)
        let tracks = try await present.visibleTracks(read.trackIDs)
        var response = try context.responseEncoder.encode(
            try await playlists.item(read, tracks: tracks, viewer: present.user), from: request, context: context)
        response.status = .created
        return response
    }

    /// `{"name", "comment"?, "public"?, "rules": {...}}`.
    @Sendable func create(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let object = try await Self.object(request)
        let definition = try Self.definition(object)
        let playlist = Playlist(
            id: PlaylistID("p" + Tokens.identifier()), ownerID: user.id,
            name: try Self.name(object["name"], fallback: ""), comment: Self.comment(object["comment"]),
            isPublic: object["public"] as? Bool ?? false, rules: definition.text)
        return try await created(playlist, request, context)
    }

    /// An `.nsp` file as Navidrome writes it (`name`, `comment` and the rules in one object).
    @Sendable func importNSP(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let object = try await Self.object(request)
        let definition = try SmartDefinition(json: object)
        let playlist = Playlist(
            id: PlaylistID("p" + Tokens.identifier()), ownerID: user.id,
            name: try Self.name(object["name"], fallback: "Imported smart playlist"),
            comment: Self.comment(object["comment"]), isPublic: object["public"] as? Bool ?? false,
            rules: definition.text)
        return try await created(playlist, request, context)
    }

    /// How many tracks the rules pick now, and the first 50 (the editor's live count).
    @Sendable func preview(_ request: Request, context: CantoRequestContext) async throws -> Wire.SmartPreview {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        let definition = try Self.definition(try await Self.object(request))
        let picked = try await state.smartTracks(
            definition, owner: present.user.id, libraries: present.user.libraryIDs)
        let visible = try await present.visibleTracks(Array(picked.prefix(50)))
        return Wire.SmartPreview(count: picked.count, tracks: try await present.tracks(visible))
    }

    private func loaded(_ context: CantoRequestContext) async throws -> Playlist {
        let user = try context.requireUser()
        let playlist = try await state.playlist(PlaylistID(try context.parameters.require("id")), viewer: user.id)
        guard playlist.rules != nil else {
            throw APIError(.notFound, "not_smart", "That playlist is not a smart playlist.")
        }
        return playlist
    }

    /// The playlist as an `.nsp` file.
    @Sendable func export(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let playlist = try await loaded(context)
        var object = try SmartDefinition(text: playlist.rules ?? "").json
        object["name"] = playlist.name
        if let comment = playlist.comment { object["comment"] = comment }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let safe = playlist.name.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "/", with: "-")
        headers[.contentDisposition] = "attachment; filename=\"\(safe).nsp\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// New rules (and name, comment, visibility) for the owner's smart playlist.
    @Sendable func update(_ request: Request, context: CantoRequestContext) async throws -> Wire.PlaylistItem {
        var playlist = try await loaded(context)
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        guard playlist.ownerID == present.user.id else {
            throw APIError(.forbidden, "not_owner", "Only the playlist's owner can change it.")
        }
        let object = try await Self.object(request)
        if object["rules"] != nil || object["all"] != nil || object["any"] != nil {
            playlist.rules = try Self.definition(object).text
        }
        if object["name"] != nil { playlist.name = try Self.name(object["name"], fallback: "") }
        if object["comment"] != nil { playlist.comment = Self.comment(object["comment"]) }
        if let isPublic = object["public"] as? Bool { playlist.isPublic = isPublic }
        playlist.updatedAt = Date()
        try await state.updatePlaylist(playlist, by: present.user.id)
        let read = try await state.playlist(playlist.id, viewer: present.user.id)
        return try await playlists.item(
            read, tracks: try await present.visibleTracks(read.trackIDs), viewer: present.user)
    }
}
