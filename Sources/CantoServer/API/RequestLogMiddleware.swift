import Foundation
import Hummingbird
import Logging

/// One log line a request: method, path, route, status, duration and, once signed in, the user's
/// id (the context's logger already carries `hb.request.id`, which the handlers' lines share).
/// Query values that can be credentials (Subsonic `p`, `t`, `s`, `apiKey`, any `token`) are
/// masked, so no secret reaches the log through a URL. With an access log, the same request is
/// also handed to it as one Combined Log Format line, masked the same way.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext
    static var secretParameters: Set<String> { ["p", "t", "s", "apikey", "token", "password"] }
    /// Where slow requests are kept for the admin page.
    var activity: ServerActivity?
    /// The Combined Log Format access log, when configured.
    var accessLog: AccessLog?
    /// Requests and 5xx answers per minute, for the admin's System page.
    var requests: RequestCounts?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let date = accessLog == nil ? nil : Date()
        let scope = RequestLogScope(
            id: context.logger[metadataKey: "hb.request.id"]?.description ?? "-", route: context.endpointPath,
            record: context.requestRecord)
        do {
            let response = try await RequestLogScope.$current.withValue(scope) { try await next(request, context) }
            log(context, request, status: response.status.code, bytes: response.body.contentLength, start, date)
            return response
        } catch let error as any HTTPResponseError {
            log(context, request, status: error.status.code, bytes: nil, start, date)
            throw error
        } catch {
            log(context, request, status: 500, bytes: nil, start, date)
            throw error
        }
    }

    /// The metadata (the masked path above all) is only built when the log level lets the line out.
    private func log(
        _ context: Context, _ request: Request, status: Int, bytes: Int?, _ start: ContinuousClock.Instant,
        _ date: Date?
    ) {
        let elapsed = ContinuousClock.now - start
        requests?.record(status: status)
        let path = Self.redacted(path: request.uri.path, query: request.uri.query)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        activity?.request(method: request.method.rawValue, path: path, status: status, milliseconds: milliseconds)
        let user = context.requestRecord.user
        if let accessLog, let date {
            accessLog.record(
                AccessLogEntry(
                    host: context.clientAddress ?? "-", user: user?.username, date: date,
                    method: request.method.rawValue, target: path, status: status, bytes: bytes,
                    referer: AccessLogEntry.referer(request.headers[.referer]),
                    userAgent: request.headers[.userAgent]))
        }
        context.logger.info(
            "request",
            metadata: {
                var metadata: Logger.Metadata = [
                    "http.method": "\(request.method.rawValue)", "http.path": "\(path)", "http.status": "\(status)",
                    "http.ms": "\((milliseconds * 10).rounded() / 10)",
                ]
                if let route = context.endpointPath { metadata["http.route"] = "\(route)" }
                if let user { metadata["user.id"] = "\(user.id)" }
                return metadata
            }())
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
