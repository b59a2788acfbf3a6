import Hummingbird
import NIOCore

/// Ends the connection after a 413. A handler stops reading a body at its own cap, but the
/// connection would otherwise go on reading (and dropping) the rest of it to find the next
/// request: a client announcing gigabytes could keep the server reading them. Once the 413 is
/// written the connection stops reading, so the rest is never taken in.
struct OversizedBodyMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            var response = try error.response(from: request, context: context)
            response.headers[.connection] = "close"
            let body = response.body
            let channel = context.channel
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                let unwritten = body
                try await unwritten.write(writer)
                channel.close(mode: .input, promise: nil)
            }
            return response
        }
    }
}
