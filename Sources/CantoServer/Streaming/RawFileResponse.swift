import CantoCore
import Foundation
import Hummingbird
import Logging

/// A file on disk as an HTTP response: single byte ranges (206, 416), `If-Range`, `ETag`,
/// `Last-Modified`, `Accept-Ranges`, `Cache-Control: private, no-cache` and HEAD.
struct RawFileResponse {
    let path: String
    let contentType: String
    var downloadName: String?

    static let fileIO = FileIO()

    func response(for request: Request, context: some RequestContext) async throws -> Response {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            context.logger.warning("media file missing", metadata: ["file.path": "\(path)"])
            throw DomainError(.notFound, "The media file is missing.")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
        let etag =
            "\"\(String(size, radix: 16))-\(String(Int(saturating: modified.timeIntervalSince1970 * 1000), radix: 16))\""
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.acceptRanges] = "bytes"
        headers[.eTag] = etag
        headers[.lastModified] = Self.httpDate(modified)
        // One address answers each listener as their plan allows (the original, or a transcode):
        // a browser must ask again rather than replay what another sign-in was sent.
        headers[.cacheControl] = "private, no-cache"
        if let downloadName {
            let safe = downloadName.replacingOccurrences(of: "\"", with: "'")
            headers[.contentDisposition] = "attachment; filename=\"\(safe)\""
        }
        var range = Self.range(request.headers[.range], size: size)
        if let ifRange = request.headers[.ifRange], ifRange != etag, ifRange != Self.httpDate(modified) {
            range = .none  // the client's copy is stale: send it all
        }
        switch range {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .some(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
            headers[.contentLength] = String(bytes.count)
            if request.method == .head { return Response(status: .partialContent, headers: headers) }
            let body = try await Self.fileIO.loadFile(path: path, range: bytes, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        case .none:
            headers[.contentLength] = String(size)
            if request.method == .head { return Response(status: .ok, headers: headers) }
            let body = try await Self.fileIO.loadFile(path: path, context: context)
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    enum ByteRange: Equatable {
        case none
        case some(ClosedRange<Int>)
        case unsatisfiable
    }

    /// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n`. Several ranges are answered with the
    /// whole file (allowed by RFC 9110), anything malformed is ignored.
    static func range(_ header: String?, size: Int) -> ByteRange {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return .none }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return .none }
        let first = Int(spec[0].trimmingCharacters(in: .whitespaces))
        let last = Int(spec[1].trimmingCharacters(in: .whitespaces))
        switch (first, last) {
        case (let start?, let end?):
            guard start <= end else { return .none }
            guard start < size else { return .unsatisfiable }
            return .some(start...min(end, size - 1))
        case (let start?, nil):
            guard start < size else { return .unsatisfiable }
            return .some(start...(size - 1))
        case (nil, let suffix?):
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .some(max(0, size - suffix)...(size - 1))
        default:
            return .none
        }
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
