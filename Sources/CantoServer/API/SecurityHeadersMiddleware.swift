import HTTPTypes
import Hummingbird

/// Security headers on every response, errors included. The web UI loads no inline script, so
/// the Content-Security-Policy allows scripts from this origin only.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Built once (the type is generic, so the constant lives at file level).
    static var headers: HTTPFields { securityHeaderFields }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        for field in Self.headers { response.headers[field.name] = field.value }
        return response
    }
}

private let securityHeaderFields: HTTPFields = {
    var fields = HTTPFields()
    fields[.contentSecurityPolicy] =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        + "form-action 'self'; frame-ancestors 'none'"
    fields[.xContentTypeOptions] = "nosniff"
    fields[.referrerPolicy] = "same-origin"
    fields[.xFrameOptions] = "DENY"
    return fields
}()

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let origin = Self("Origin")!
}
