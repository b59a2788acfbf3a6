import CantoCore
import CantoDomain
import Foundation
import Hummingbird

/// Listening history and the export of everything a user owns.
struct HistoryController {
    /// Preferences and API keys, for the export.
    let accounts: AccountService
    /// Records plays (history, count and event in one transaction) and reads the history.
    let playback: PlaybackService
    /// Playlists, queue, bookmarks and stars, for the export.
    let state: any LibraryStateStore

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("me/history", use: history)
        group.post("me/history", use: record)
        group.delete("me/history", use: deleteRange)
        group.delete("me/history/:id", use: deleteOne)
        group.get("me/history.csv", use: csv)
        group.get("me/export", use: export)
    }

    /// `from` and `to` are ISO 8601 dates or times; the range is [from, to).
    static func range(_ request: Request) throws -> (from: Date?, to: Date?) {
        func date(_ name: String) throws -> Date? {
            guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
            if let date = ISO8601DateFormatter().date(from: text) { return date }
            let day = ISO8601DateFormatter()
            day.formatOptions = [.withFullDate]
            if let date = day.date(from: text) { return date }
            throw APIError.badRequest("\(name) must be an ISO 8601 date, like 2026-01-31 or 2026-01-31T20:00:00Z.")
        }
        return (try date("from"), try date("to"))
    }

    /// A day: no single play lasts longer.
    static let maxSecondsPlayed = 86_400

    static func paging(_ request: Request) throws -> (offset: Int, limit: Int) {
        let page = try CatalogController.paging(request, defaultLimit: 50)
        return (page.offset, page.limit)
    }

    @Sendable func history(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.Play> {
        let user = try context.requireUser()
        let (from, to) = try Self.range(request)
        let (offset, limit) = try Self.paging(request)
        let plays = try await playback.plays(of: user.id, from: from, to: to, offset: offset, limit: limit)
        let total = try await playback.playCount(of: user.id, from: from, to: to)
        var items: [Wire.Play] = []
        let catalog = try context.requireCatalog()
        for play in plays { items.append(try await wire(play, in: catalog)) }
        return Wire.Page(items: items, offset: offset, limit: limit, more: offset + items.count < total, total: total)
    }

    /// A play, with its track's names when the track is (still) in the caller's view.
    private func wire(_ play: Play, in catalog: CatalogView) async throws -> Wire.Play {
        let track = try await catalog.track(play.trackID)
        return Wire.Play(
            id: play.id, trackId: play.trackID.rawValue, startedAt: play.startedAt, secondsPlayed: play.secondsPlayed,
            client: play.client, scrobble: play.scrobble, title: track?.title, artist: track?.artistName,
            album: track?.album)
    }

    @Sendable func record(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let view = try context.requireCatalog()
        let body = try await request.decode(as: Wire.NewPlay.self, context: context)
        guard (0...Self.maxSecondsPlayed).contains(body.secondsPlayed) else {
            throw APIError.badRequest("secondsPlayed must be 0 to \(Self.maxSecondsPlayed).")
        }
        let play = try await playback.played(
            TrackID(body.trackId), in: view, startedAt: body.startedAt ?? Date(), secondsPlayed: body.secondsPlayed,
            client: body.client ?? request.headers[.userAgent])
        var response = try context.responseEncoder.encode(
            try await wire(play, in: view), from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func deleteOne(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        guard let id = Int64(try context.parameters.require("id")),
            try await playback.deletePlay(id, owner: user.id)
        else { throw APIError.notFound }
        return .noContent
    }

    @Sendable func deleteRange(_ request: Request, context: CantoRequestContext) async throws -> Wire.Deleted {
        let user = try context.requireUser()
        let (from, to) = try Self.range(request)
        guard from != nil || to != nil || request.uri.queryParameters.get("all") == "true" else {
            throw APIError.badRequest("Give from and/or to, or all=true to delete the whole history.")
        }
        return Wire.Deleted(deleted: try await playback.deletePlays(of: user.id, from: from, to: to))
    }

    @Sendable func csv(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        var rows = [["started_at", "track_id", "title", "artist", "album", "seconds_played", "scrobble", "client"]]
        try await forEachPlay(in: catalog) { play in
            rows.append([
                ISO8601DateFormatter().string(from: play.startedAt), play.trackId, play.title ?? "",
                play.artist ?? "", play.album ?? "", "\(play.secondsPlayed)", play.scrobble ? "1" : "0",
                play.client ?? "",
            ])
        }
        return CSV.response(rows, filename: "canto-history")
    }

    private func forEachPlay(in catalog: CatalogView, _ body: (Wire.Play) throws -> Void) async throws {
        var offset = 0
        while true {
            let page = try await playback.plays(
                of: catalog.user.id, from: nil, to: nil, offset: offset, limit: 500)
            for play in page { try body(try await wire(play, in: catalog)) }
            guard page.count == 500 else { return }
            offset += 500
        }
    }

    struct Export: ResponseEncodable {
        var exportedAt: Date
        var profile: Wire.User
        var preferences: Wire.Preferences
        var playlists: [Playlist]
        var playQueue: PlayQueue?
        var bookmarks: [Bookmark]
        var stars: [Annotation]
        var history: [Wire.Play]
        var apiKeys: [Wire.APIKey]
    }

    @Sendable func export(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        let user = catalog.user
        var history: [Wire.Play] = []
        try await forEachPlay(in: catalog) { history.append($0) }
        let export = Export(
            exportedAt: Date(), profile: Wire.User(user),
            preferences: Wire.Preferences(try await accounts.preferences(of: user.id)),
            playlists: try await state.playlists(visibleTo: user.id).filter { $0.ownerID == user.id },
            playQueue: try await state.playQueue(of: user.id),
            bookmarks: try await state.bookmarks(of: user.id),
            stars: try await state.annotations(of: user.id), history: history,
            apiKeys: try await accounts.apiKeys(of: user.id).map { Wire.APIKey($0) })
        var response = try context.responseEncoder.encode(export, from: request, context: context)
        response.headers[.contentDisposition] = "attachment; filename=\"canto-export-\(user.username).json\""
        return response
    }
}
