import CantoCore
import CantoDomain
import Foundation
import Hummingbird

extension Wire {
    struct MixList: ResponseEncodable {
        /// When the caller's mixes were last made (nil: never).
        var refreshedAt: Date?
        var items: [PlaylistItem]
    }

    struct Feedback: Codable, ResponseEncodable {
        /// "up" (a star), "down" (never recommended again) or "none".
        var value: String
    }
}

/// What Canto made for the caller (daily mixes, Rediscover: their own playlists, refreshed daily),
/// and their thumbs up or down on a track.
struct MixController {
    let mixes: MixService
    let state: any LibraryStateStore
    let impressions: any ImpressionStore
    let playlists: PlaylistController
    let clock: any WallClock

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("mixes", use: list)
        group.post("mixes/refresh", use: refresh)
        group.get("tracks/:id/feedback", use: feedback)
        group.put("tracks/:id/feedback", use: setFeedback)
    }

    private func page(_ made: [Playlist], _ context: CantoRequestContext) async throws -> Wire.MixList {
        let present = CatalogPresenter(catalog: try context.requireCatalog(), state: state)
        var items: [Wire.PlaylistItem] = []
        for playlist in made {
            items.append(
                try await playlists.item(
                    playlist, tracks: try await present.visibleTracks(playlist.trackIDs), viewer: present.user))
        }
        return Wire.MixList(refreshedAt: try await mixes.refreshedAt(present.user.id), items: items)
    }

    /// The caller's mixes, made first when they never had any.
    @Sendable func list(_ request: Request, context: CantoRequestContext) async throws -> Wire.MixList {
        let user = try context.requireCatalog().user
        if try await mixes.refreshedAt(user.id) == nil { try await mixes.refresh(user) }
        return try await page(try await mixes.mixes(of: user), context)
    }

    @Sendable func refresh(_ request: Request, context: CantoRequestContext) async throws -> Wire.MixList {
        let user = try context.requireCatalog().user
        return try await page(try await mixes.refresh(user), context)
    }

    private func track(_ context: CantoRequestContext) async throws -> (TrackID, UserID) {
        let catalog = try context.requireCatalog()
        let id = TrackID(try context.parameters.require("id"))
        guard try await catalog.track(id) != nil else { throw APIError.notFound }
        return (id, catalog.user.id)
    }

    @Sendable func feedback(_ request: Request, context: CantoRequestContext) async throws -> Wire.Feedback {
        let (id, user) = try await track(context)
        if try await state.dislikes(of: user).contains(id) { return Wire.Feedback(value: "down") }
        let starred = try await state.annotations(of: user, items: [id.rawValue])[id.rawValue]?.starredAt != nil
        return Wire.Feedback(value: starred ? "up" : "none")
    }

    /// "up" stars the track, "down" unstars it and keeps it out of every recommendation, "none"
    /// clears both.
    @Sendable func setFeedback(_ request: Request, context: CantoRequestContext) async throws -> Wire.Feedback {
        let (id, user) = try await track(context)
        let body = try await request.decode(as: Wire.Feedback.self, context: context)
        guard ["up", "down", "none"].contains(body.value) else {
            throw APIError.badRequest("value must be up, down or none.")
        }
        let now = clock.now
        try await state.setStarred(body.value == "up", item: id.rawValue, kind: .track, user: user, at: now)
        try await state.setDisliked(body.value == "down", track: id, user: user, at: now)
        if body.value != "none" {
            try await impressions.noteFeedback(
                user: user, track: id, feedback: body.value == "up" ? 1 : -1, starred: body.value == "up", at: now)
        }
        return body
    }
}
