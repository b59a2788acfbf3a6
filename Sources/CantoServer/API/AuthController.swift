import CantoCore
import CantoDomain
import Foundation
import Hummingbird

/// Sign-in, sign-out and the one-time first-admin setup.
struct AuthController {
    let accounts: AccountService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.post("auth/login", use: login)
        group.post("auth/logout", use: logout)
        group.get("auth/setup", use: setupStatus)
        group.post("auth/setup", use: setup)
    }

    @Sendable func login(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let body = try await request.decode(as: Wire.Login.self, context: context)
        let signedIn = try await accounts.login(
            username: body.username, password: body.password, address: context.clientAddress,
            client: request.headers[.userAgent])
        let result = Wire.LoginResult(
            user: Wire.User(signedIn.user), token: signedIn.token, expiresAt: signedIn.session.expiresAt)
        var response = try context.responseEncoder.encode(result, from: request, context: context)
        response.headers[.setCookie] = SessionCookie.set(
            token: signedIn.token, expires: signedIn.session.expiresAt, secure: context.isSecure)
        return response
    }

    @Sendable func logout(_ request: Request, context: CantoRequestContext) async throws -> Response {
        if let session = context.session {
            try await accounts.logout(session)
        }
        var response = Response(status: .noContent)
        response.headers[.setCookie] = SessionCookie.clear(secure: context.isSecure)
        return response
    }

    @Sendable func setupStatus(_ request: Request, context: CantoRequestContext) async throws -> Wire.SetupStatus {
        Wire.SetupStatus(setupRequired: try await accounts.setupRequired())
    }

    @Sendable func setup(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let body = try await request.decode(as: Wire.Setup.self, context: context)
        let created = try await accounts.completeSetup(
            token: body.token, username: body.username, password: body.password, displayName: body.displayName,
            address: context.clientAddress)
        let result = Wire.NewUserResult(user: Wire.User(created.user), appPassword: created.appPassword)
        var response = try context.responseEncoder.encode(result, from: request, context: context)
        response.status = .created
        return response
    }
}

/// The session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS.
enum SessionCookie {
    static let name = "canto_session"

    static func set(token: String, expires: Date, secure: Bool) -> String {
        let maxAge = max(0, Int(expires.timeIntervalSinceNow))
        return "\(name)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    static func clear(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// The token from a `Cookie` header, if present.
    static func token(in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name, !pair[1].isEmpty { return String(pair[1]) }
        }
        return nil
    }
}

/// Finds the caller's session from the cookie or an `Authorization: Bearer` token.
struct SessionAuthMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext
    let accounts: AccountService
    let catalogs: CatalogService
    /// Narrows each caller to what their plan opens.
    let plans: PlanService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        var token: String?
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            token = String(authorization.dropFirst("Bearer ".count))
            context.authMethod = .bearer
        } else if let cookie = SessionCookie.token(in: request.headers[.cookie]) {
            token = cookie
            context.authMethod = .sessionCookie
        }
        if let token, let found = try await accounts.authenticate(token: token) {
            let user = try await plans.scoped(found.user)
            context.user = user
            context.catalog = catalogs.view(for: user)
            context.session = found.session
        } else {
            context.authMethod = nil
        }
        return try await next(request, context)
    }
}
