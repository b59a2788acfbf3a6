import AsyncHTTPClient
import CantoCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// A track a media source keeps at an http(s) address, passed through as an HTTP response:
/// the client's `Range` and `If-Range` go upstream, the status (200, 206, 416) and the range,
/// length and validator headers come back, and the body streams as it arrives.
struct RemoteMediaResponse {
    let url: URL
    let contentType: String
    var downloadName: String?
    let client: HTTPClient

    /// The headers passed back from the source.
    static let passedBack: [HTTPField.Name] = [.contentLength, .contentRange, .acceptRanges, .eTag, .lastModified]

    func response(for request: Request, context: some RequestContext) async throws -> Response {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw DomainError(.unavailable, "The source gave an address that is not http(s).")
        }
        var outbound = HTTPClientRequest(url: url.absoluteString)
        outbound.method = request.method == .head ? .HEAD : .GET
        for name in [HTTPField.Name.range, .ifRange] {
            if let value = request.headers[name] { outbound.headers.add(name: name.rawName, value: value) }
        }
        let upstream: HTTPClientResponse
        do {
            upstream = try await client.execute(outbound, timeout: .seconds(30))
        } catch {
            context.logger.warning("remote media unreachable", metadata: ["url.host": "\(url.host ?? "")"])
            throw DomainError(.unavailable, "The source of this track did not answer.")
        }
        let status = HTTPResponse.Status(code: Int(upstream.status.code))
        switch status.code {
        case 200, 206, 416: break
        case 404, 410: throw DomainError(.notFound, "The source no longer has this track.")
        default: throw DomainError(.unavailable, "The source of this track answered \(status.code).")
        }
        var headers = HTTPFields()
        headers[.contentType] = contentType
        for name in Self.passedBack {
            if let value = upstream.headers.first(name: name.rawName) { headers[name] = value }
        }
        // A length that is not a whole number of bytes is not passed on (the body streams without one).
        if let length = headers[.contentLength], (Int64(length) ?? -1) < 0 { headers[.contentLength] = nil }
        if let downloadName {
            let safe = downloadName.replacingOccurrences(of: "\"", with: "'")
            headers[.contentDisposition] = "attachment; filename=\"\(safe)\""
        }
        if request.method == .head || status.code == 416 { return Response(status: status, headers: headers) }
        let length = headers[.contentLength].flatMap(Int.init)
        let body = ResponseBody(contentLength: length) { writer in
            for try await chunk in upstream.body { try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}
