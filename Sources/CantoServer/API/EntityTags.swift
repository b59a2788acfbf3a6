import CantoCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Revalidation for answers built in memory (catalog JSON of both APIs, covers): a strong
/// `ETag` from a hash of the body, and 304 with no body when the client's `If-None-Match` names
/// it. Hashing the body is what makes it right for every caller: the tag moves with whatever the
/// answer depends on (the catalog's version, the caller's libraries, stars, ratings and plays),
/// and two users with different marks get different tags.
enum EntityTags {
    /// What catalog answers say: a private copy, checked with the server before each use.
    static let revalidate = "private, no-cache"

    /// `response` with an `ETag` and `cacheControl` when it is a 200 of JSON or XML built in
    /// memory, or a 304 when `request` already holds that tag. A streamed body (no length known
    /// beforehand: the artist index of a huge catalog) is left alone, never gathered to be hashed.
    static func tagged(_ response: Response, for request: Request, cacheControl: String = revalidate) async throws
        -> Response
    {
        guard request.method == .get || request.method == .head, response.status == .ok,
            response.headers[.eTag] == nil, response.body.contentLength != nil,
            isDocument(response.headers[.contentType])
        else { return response }
        let body = try await collect(response.body)
        var response = response
        response.body = ResponseBody(byteBuffer: body)
        let tag = body.withUnsafeReadableBytes { "\"" + StableHash.hex128($0) + "\"" }
        return conditional(response, tag: tag, for: request, cacheControl: cacheControl)
    }

    /// `response` carrying `tag` and `cacheControl`, or a 304 with neither body nor length when
    /// `If-None-Match` names the tag (or is `*`).
    static func conditional(_ response: Response, tag: String, for request: Request, cacheControl: String)
        -> Response
    {
        var headers = response.headers
        headers[.eTag] = tag
        headers[.cacheControl] = cacheControl
        if matches(tag, request.headers[values: .ifNoneMatch]) {
            var kept = HTTPFields()
            for name in [HTTPField.Name.eTag, .cacheControl, .vary, .contentLocation, .expires] {
                if let value = headers[name] { kept[name] = value }
            }
            return Response(status: .notModified, headers: kept)
        }
        var response = response
        response.headers = headers
        return response
    }

    /// The tag of a body already in hand (a cover's bytes).
    static func tag(of bytes: some Collection<UInt8>) -> String {
        "\"" + StableHash.hex128(bytes: Array(bytes)) + "\""
    }

    /// Whether an `If-None-Match` list names `tag` (weak comparison, as RFC 9110 asks for GET).
    static func matches(_ tag: String, _ fields: [String]) -> Bool {
        let wanted = strip(tag)
        for field in fields {
            for candidate in field.split(separator: ",") {
                let candidate = candidate.trimmingCharacters(in: .whitespaces)
                if candidate == "*" || strip(candidate) == wanted { return true }
            }
        }
        return false
    }

    private static func strip(_ tag: some StringProtocol) -> Substring {
        let text = Substring(tag)
        return text.hasPrefix("W/") ? text.dropFirst(2) : text
    }

    private static func isDocument(_ contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return false }
        return type.hasPrefix("application/json") || type.hasPrefix("text/xml") || type.hasPrefix("application/xml")
            || type.hasPrefix("text/javascript") || type.hasPrefix("application/javascript")
    }

    /// The body's bytes (the answers tagged here were built in memory, so nothing is streamed).
    private static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let collector = Collector()
        try await body.write(CollectingWriter(collector: collector))
        return collector.buffer
    }

    private final class Collector: @unchecked Sendable {
        // Written by one body write at a time, read after it returns.
        var buffer = ByteBuffer()
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let collector: Collector

        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            collector.buffer.writeBuffer(&buffer)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

/// Tags the catalog answers of the routes it guards (see `EntityTags`).
struct EntityTagMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        try await EntityTags.tagged(try await next(request, context), for: request)
    }
}
