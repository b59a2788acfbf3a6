public import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// One request the stub received.
public struct StubRequest: Sendable {
    public var method: String
    /// The path, without the query (`/1/submit-listens`).
    public var path: String
    public var query: [String: String]
    /// Header names in lowercase.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String, query: [String: String], headers: [String: String], body: Data) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The body parsed as a JSON object, if it is one.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// The body's `application/x-www-form-urlencoded` fields.
    public var form: [String: String] {
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(
            of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }
}

/// What the stub answers.
public struct StubResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int = 200, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    public static func json(_ object: Any, status: Int = 200, headers: [String: String] = [:]) -> StubResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return StubResponse(
            status: status, headers: headers.merging(["Content-Type": "application/json"]) { own, _ in own },
            body: data)
    }

    /// A plain-text answer.
    public static func text(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> StubResponse {
        StubResponse(
            status: status, headers: headers.merging(["Content-Type": "text/plain; charset=utf-8"]) { own, _ in own },
            body: Data(text.utf8))
    }
}

/// A stand-in for a plugin's upstream service: a real HTTP server on loopback that hands every
/// request to `handler` and remembers it, so a plugin's outbound calls (through the host's HTTP
/// client, its declared hosts, timeouts and `Retry-After`) are exercised for real.
///
/// ```swift
/// try await StubUpstream.run({ request in
///     request.path == "/1/validate-token" ? .json(["valid": true, "user_name": "rita"]) : .text("no", status: 404)
/// }) { stub, baseURL in
///     // configure the plugin with baseURL, act, then look at await stub.requests
/// }
/// ```
public actor StubUpstream {
    /// Every request received, in order.
    public private(set) var requests: [StubRequest] = []
    private let handler: @Sendable (StubRequest) async -> StubResponse

    init(handler: @escaping @Sendable (StubRequest) async -> StubResponse) { self.handler = handler }

    /// Bodies larger than this are refused with 413 (a stub need not hold more).
    public static let maxBodyBytes = 16 << 20

    /// Runs `body` with the stub listening on `http://127.0.0.1:<port>` (the second argument).
    public static func run<Value: Sendable>(
        _ handler: @escaping @Sendable (StubRequest) async -> StubResponse,
        _ body: @Sendable (StubUpstream, String) async throws -> Value
    ) async throws -> Value {
        let stub = StubUpstream(handler: handler)
        let router = Router()
        router.add(middleware: StubMiddleware(stub: stub))
        return try await Application(router: router).test(.live) { client in
            try await body(stub, "http://127.0.0.1:\(client.port ?? 0)")
        }
    }

    fileprivate func answer(_ request: StubRequest) async -> StubResponse {
        requests.append(request)
        return await handler(request)
    }

    /// The requests received for `path`.
    public func requests(to path: String) -> [StubRequest] { requests.filter { $0.path == path } }
}

/// Answers every request from the stub (the router has no routes of its own).
struct StubMiddleware<Context: RequestContext>: RouterMiddleware {
    let stub: StubUpstream

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let collected = try await request.body.collect(upTo: StubUpstream.maxBodyBytes)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        let answer = await stub.answer(
            StubRequest(
                method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
                body: Data(collected.readableBytesView)))
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
