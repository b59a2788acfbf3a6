public import CantoCore
public import Foundation

/// One outbound HTTP request of a plugin.
public struct PluginHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    /// How long the whole exchange may take.
    public var timeout: Duration

    public init(
        method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil,
        timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

extension PluginHTTPRequest {
    /// An `application/x-www-form-urlencoded` body: names and values percent-encoded (all but
    /// letters, digits and `-._~`), pairs in name order.
    public static func formBody(_ parameters: [String: String]) -> Data {
        formBody(parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The same for pairs kept in the order given (repeated names, bracketed names that must stay
    /// in order).
    public static func formBody(_ pairs: [(String, String)]) -> Data {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return Data(pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&").utf8)
    }
}

/// The answer to a ``PluginHTTPRequest``. Header names are lowercase.
public struct PluginHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as JSON, when it is an object.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

/// Outbound HTTP as the host gives it to a plugin: only to the hosts the plugin declares
/// (``PluginPermissions/networkHosts``; anything else throws ``PluginPermissionDenied`` before a
/// byte leaves), with the request's timeout, and with 429 and 503 turned into
/// ``PluginRetryLater`` carrying the server's `Retry-After` (or ListenBrainz's
/// `X-RateLimit-Reset-In`). The host counts requests, errors and latency per plugin.
public protocol PluginHTTPClient: Sendable {
    func send(_ request: PluginHTTPRequest) async throws -> PluginHTTPResponse
}

/// The service asked to wait: the host tries again after `seconds` (work that was being
/// delivered stays queued).
public struct PluginRetryLater: RetryAfterError, Sendable, Equatable {
    public var seconds: Double
    public var reason: String
    public init(seconds: Double, reason: String) {
        self.seconds = seconds
        self.reason = reason
    }
    public var retryAfterSeconds: Double { seconds }
}
