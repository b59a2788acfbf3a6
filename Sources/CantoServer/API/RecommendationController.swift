import CantoCore
import CantoDomain
import Foundation
import Hummingbird

/// Recommendations for the web UI: tracks like a track, a radio's next page from a track, album,
/// artist or genre (the player asks again as its queue runs low, leaving out what it already has),
/// and a sonic path between two tracks. Every pick says why, and stays inside the caller's libraries.
struct RecommendationController {
    let state: any LibraryStateStore
    let recommendations: RecommendationService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("tracks/:id/similar", use: similar)
        group.get("radio", use: radio)
        group.get("sonic-path", use: sonicPath)
    }

    /// A pick on the wire.
    struct Pick: Encodable, Sendable {
        var track: Wire.TrackItem
        /// 0 to 1; nil when the answer did not come from a measure of likeness.
        var similarity: Double?
        var reason: String
    }

    private func page(_ picks: [RecommendationService.Pick], _ context: CantoRequestContext) async throws
        -> Wire.Page<Pick>
    {
        let catalog = try context.requireCatalog()
        let items = try await CatalogPresenter(catalog: catalog, state: state).tracks(picks.map(\.track))
        let byID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return Wire.Page(
            all: picks.compactMap { pick in
                byID[pick.track.id.rawValue].map {
                    Pick(track: $0, similarity: pick.similarity >= 0 ? pick.similarity : nil, reason: pick.reason)
                }
            })
    }

    static func limit(_ request: Request, default value: Int) throws -> Int {
        try request.integer("limit", default: value, in: 1...100)
    }

    @Sendable func similar(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Pick> {
        let catalog = try context.requireCatalog()
        let id = TrackID(try context.parameters.require("id"))
        guard try await catalog.track(id) != nil else { throw APIError.notFound }
        let picks = try await recommendations.similar(
            to: [id], in: catalog, limit: try Self.limit(request, default: 20), surface: "similar")
        return try await page(picks, context)
    }

    /// `seedType` (track, album, artist, genre) and `seed`; `exclude` lists track IDs the queue
    /// already holds (comma-separated, at most 500 are read).
    @Sendable func radio(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Pick> {
        let catalog = try context.requireCatalog()
        let query = request.uri.queryParameters
        guard let seed = query["seed"].map(String.init), !seed.isEmpty else {
            throw APIError.badRequest("seed is required.")
        }
        let seeds: [TrackID]
        switch query["seedType"].map(String.init) ?? "track" {
        case "track":
            guard try await catalog.track(TrackID(seed)) != nil else { throw APIError.notFound }
            seeds = [TrackID(seed)]
        case "album":
            seeds = try await catalog.tracks(inAlbum: AlbumID(seed)).map(\.id)
        case "artist":
            seeds = try await catalog.topTracks(artist: ArtistID(seed), limit: 5).map(\.id)
        case "genre":
            seeds = try await catalog.tracks(genre: seed, offset: 0, limit: 10).map(\.id)
        default:
            throw APIError.badRequest("seedType must be track, album, artist or genre.")
        }
        guard !seeds.isEmpty else { throw APIError.notFound }
        let excluded = Set(
            (query["exclude"].map(String.init) ?? "").split(separator: ",").prefix(500).map { TrackID(String($0)) })
        let picks = try await recommendations.similar(
            to: seeds, in: catalog, limit: try Self.limit(request, default: 20), excluding: excluded, surface: "radio")
        return try await page(picks, context)
    }

    @Sendable func sonicPath(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Pick> {
        let catalog = try context.requireCatalog()
        let query = request.uri.queryParameters
        guard let from = query["from"].map(String.init), let to = query["to"].map(String.init) else {
            throw APIError.badRequest("from and to are required.")
        }
        for id in [from, to] where try await catalog.track(TrackID(id)) == nil { throw APIError.notFound }
        var count = 10
        if let text = query["count"] {
            guard let number = Int(text), (2...100).contains(number) else {
                throw APIError.badRequest("count must be 2 to 100.")
            }
            count = number
        }
        guard
            let picks = try await recommendations.path(
                from: TrackID(from), to: TrackID(to), in: catalog, count: count)
        else { throw APIError(.conflict, "not_analysed", "These tracks have not been analysed yet.") }
        return try await page(picks, context)
    }
}
