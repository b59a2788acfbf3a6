import CantoCore
import CantoDomain
import Foundation
import Hummingbird

/// The public side of shares: `/share/<id>` lists the tracks with players, and
/// `/share/<id>/<trackId>` streams one, without login, until the share expires. A share shows
/// only what its owner may see now: a track outside the owner's libraries (or an owner gone)
/// answers as missing.
struct PublicShares: Sendable {
    let sharing: any SharingStore
    /// Share owners.
    let accounts: AccountService
    let catalogs: CatalogService
    let delivery: TrackDelivery
    /// An owner whose plan no longer has share links shares nothing; their libraries as it opens them.
    let plans: PlanService

    func addRoutes(to router: Router<CantoRequestContext>) {
        router.get("share/:id") { request, context in
            let (share, catalog) = try await live(context)
            try await sharing.recordVisit(share.id, at: Date())
            var items = ""
            for track in try await catalog.tracks(share.trackIDs) {
                let id = track.id
                let title = SubsonicElement.escape("\(track.artistName) — \(track.title)")
                items +=
                    "<li><p>\(title)</p><audio controls preload=\"none\" src=\"/share/\(share.id)/\(id)\"></audio></li>\n"
            }
            let heading = SubsonicElement.escape(share.description ?? "Shared with you")
            let html = """
                <!doctype html><html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>\(heading) — Canto</title><link rel="stylesheet" href="/style.css"></head>
                <body><main><h1>\(heading)</h1><ol>\(items)</ol></main></body></html>
                """
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        router.get("share/:id/:track") { request, context in
            let (share, catalog) = try await live(context)
            let id = TrackID(try context.parameters.require("track"))
            guard share.trackIDs.contains(id),
                let response = try await delivery.response(
                    id, in: catalog, as: .original(download: false), request: request, context: context)
            else { throw HTTPError(.notFound) }
            return response
        }
    }

    /// The share and its owner's view, when it exists, has not expired and its owner may still
    /// share (all answer 404 otherwise).
    private func live(_ context: CantoRequestContext) async throws -> (Share, CatalogView) {
        guard let share = try await sharing.share(ShareID(try context.parameters.require("id"))),
            !share.isExpired(), let found = try await accounts.user(share.ownerID), found.canShare,
            (try? await plans.require(.shares, for: found)) != nil
        else { throw HTTPError(.notFound, message: "This share does not exist or has expired.") }
        return (share, catalogs.view(for: try await plans.scoped(found)))
    }
}
