import CantoCore
import Foundation
import Hummingbird

/// The public side of shares: `/share/<id>` lists the tracks with players, and
/// `/share/<id>/<trackId>` streams one, without login, until the share expires.
enum PublicShares {
    static func addRoutes(to router: Router<CantoRequestContext>, services: CantoServices) {
        router.get("share/:id") { request, context in
            let share = try await live(context, services)
            try await services.sharing.recordVisit(share.id, at: Date())
            var items = ""
            for id in share.trackIDs {
                guard let track = try await services.catalog.track(id) else { continue }
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
            let share = try await live(context, services)
            let id = TrackID(try context.parameters.require("track"))
            guard share.trackIDs.contains(id), let track = try await services.catalog.track(id),
                let library = try await services.catalog.libraries().first(where: { $0.id == track.libraryID })
            else { throw HTTPError(.notFound) }
            return try await RawFileResponse(
                path: library.path + "/" + track.path, contentType: MediaStreamer.contentType(track.suffix)
            ).response(for: request, context: context)
        }
    }

    /// The share, when it exists and has not expired (both answer 404 otherwise).
    private static func live(_ context: CantoRequestContext, _ services: CantoServices) async throws -> Share {
        guard let share = try await services.sharing.share(ShareID(try context.parameters.require("id"))),
            !share.isExpired()
        else { throw HTTPError(.notFound, message: "This share does not exist or has expired.") }
        return share
    }
}
