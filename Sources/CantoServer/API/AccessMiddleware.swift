import CantoCore
import Hummingbird

/// Routes behind it need a signed-in user.
struct RequireUserMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        _ = try context.requireUser()
        return try await next(request, context)
    }
}

/// Admin-only operations (users, libraries, scans, plugins, the audit log): checked here, once.
struct RequireAdminMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard try context.requireUser().isAdmin else { throw APIError.forbidden }
        return try await next(request, context)
    }
}
