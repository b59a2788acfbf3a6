import Foundation
import Hummingbird

/// A write authenticated by the session cookie must come from a page of this origin: its
/// `Origin` (or, lacking one, `Referer`) must name the host the request was sent to. Bearer
/// tokens are not sent by browsers on their own, so they need no such check.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext
    static let safeMethods: Set<HTTPRequest.Method> = [.get, .head, .options]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if context.authMethod == .sessionCookie, !Self.safeMethods.contains(request.method) {
            let source = request.headers[.origin] ?? request.headers[.referer]
            guard let source, let host = request.head.authority,
                Self.origin(of: source) == host.lowercased()
            else {
                throw APIError(
                    .forbidden, "cross_origin", "This request did not come from a Canto page (Origin check failed).")
            }
        }
        return try await next(request, context)
    }

    /// "https://music.example:4533/path" → "music.example:4533".
    static func origin(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        return rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map {
            $0.lowercased()
        }
    }
}
