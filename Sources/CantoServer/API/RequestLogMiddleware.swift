import Hummingbird
import Logging

/// One log line a request: method, path, status and duration. Query values that can be
/// credentials (Subsonic `p`, `t`, `s`, `apiKey`, any `token`) are masked, so no secret reaches
/// the log through a URL.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static var secretParameters: Set<String> { ["p", "t", "s", "apikey", "token", "password"] }
    /// Where slow requests are kept for the admin page.
    var activity: ServerActivity?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(context, request, status: response.status.code, start)
            return response
        } catch let error as any HTTPResponseError {
            log(context, request, status: error.status.code, start)
            throw error
        } catch {
            log(context, request, status: 500, start)
            throw error
        }
    }

    /// The metadata (the masked path above all) is only built when the log level lets the line out.
    private func log(_ context: Context, _ request: Request, status: Int, _ start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let path = { Self.redacted(path: request.uri.path, query: request.uri.query) }
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        activity?.request(method: request.method.rawValue, path: path(), status: status, milliseconds: milliseconds)
        context.logger.info(
            "request",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.path": "\(path())", "http.status": "\(status)",
                "http.ms": "\((milliseconds * 10).rounded() / 10)",
            ])
    }

    static func redacted(path: String, query: String?) -> String {
        guard let query, !query.isEmpty else { return path }
        let parts = query.split(separator: "&").map { part -> String in
            let pair = part.split(separator: "=", maxSplits: 1)
            guard let name = pair.first, secretParameters.contains(name.lowercased()) else { return String(part) }
            return "\(name)=***"
        }
        return path + "?" + parts.joined(separator: "&")
    }
}
