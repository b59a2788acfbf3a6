import CantoCore
import CantoSecurity
import CantoStore
import Foundation
public import Hummingbird
import Logging

/// Every error the native API answers with: a status, a stable code and a message meant for
/// people. Anything else thrown by a handler becomes a bare 500 (see `APIErrorMiddleware`).
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public static let unauthorized = APIError(.unauthorized, "unauthorized", "Sign in first.")
    public static let forbidden = APIError(.forbidden, "forbidden", "You may not do this.")
    public static let notFound = APIError(.notFound, "not_found", "There is no such thing, or it is not yours.")
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad_request", message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, "conflict", message) }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(["error": ["code": code, "message": message]])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Maps domain errors to API errors in one place, and hides internal ones.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .contentTooLarge: "too_large"
        case .notFound: "not_found"
        case .unsupportedMediaType: "unsupported_media_type"
        default: "http_\(status.code)"
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let failure as any DomainFailure {
            throw APIError(failure.domainError)
        } catch let error as any HTTPResponseError {
            // Hummingbird's own (bad JSON, body too large): keep the status, not the text.
            throw APIError(error.status, Self.code(for: error.status), error.status.reasonPhrase + ".")
        } catch is DecodingError {
            throw APIError.badRequest("The request body is not the JSON this endpoint expects.")
        } catch let error where DiskFull.caused(error) {
            context.logger.warning("disk full: a write was refused", metadata: InternalErrorLog.metadata(error))
            throw APIError(DomainError.storageFull)
        } catch {
            context.logger.error("internal error", metadata: InternalErrorLog.metadata(error))
            throw APIError(.internalServerError, "internal", "Something went wrong on the server.")
        }
    }
}

extension APIError {
    /// The native API's answer to a domain error: the one mapping of kinds to statuses.
    init(_ error: DomainError) {
        var headers = HTTPFields()
        let status: HTTPResponse.Status
        switch error.kind {
        case .notFound: status = .notFound
        case .forbidden: status = .forbidden
        case .conflict: status = .conflict
        case .invalid: status = .badRequest
        case .unauthenticated: status = .unauthorized
        case .unavailable: status = .serviceUnavailable
        case .busy(let seconds):
            status = .serviceUnavailable
            headers[.retryAfter] = "\(seconds)"
        case .throttled(let seconds):
            status = .tooManyRequests
            headers[.retryAfter] = "\(seconds)"
        case .paymentRequired: status = HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")
        case .storageFull: status = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        }
        self.init(status, error.code ?? Self.code(for: error.kind), error.message, headers: headers)
    }

    private static func code(for kind: DomainError.Kind) -> String {
        switch kind {
        case .notFound: "not_found"
        case .forbidden: "forbidden"
        case .conflict: "conflict"
        case .invalid: "bad_request"
        case .unauthenticated: "unauthorized"
        case .unavailable: "unavailable"
        case .busy: "busy"
        case .throttled: "too_many_attempts"
        case .paymentRequired: "plan_required"
        case .storageFull: "disk_full"
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

extension Request {
    /// The query parameter `name` as a whole number within `range` (`value` when absent); a 400
    /// naming the range otherwise.
    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }
}
