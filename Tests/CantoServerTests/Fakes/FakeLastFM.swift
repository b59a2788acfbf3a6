import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A local stand-in for Last.fm's Scrobbling 2.0 API: form-encoded `POST /2.0`, every call's
/// `api_sig` checked (all parameters but `format`, `callback` and `api_sig`, sorted by name in byte
/// order, run together, the shared secret after them, MD5; error 13 on a mismatch), error 10 for an
/// unknown API key, 9 for an unknown session key, 4/14 for a token that is unknown or not yet
/// authorised, and at most 50 scrobbles a request. `approve(user:)` plays the listener pressing
/// "Allow" on Last.fm's page: it returns the token the page would send back to the callback.
actor FakeLastFM {
    struct Scrobble: Sendable, Equatable {
        var user: String
        var artist: String
        var track: String
        var album: String?
        var timestamp: Int
        var duration: Int?
    }

    let apiKey: String
    let secret: String
    private var tokens: [String: String] = [:]
    private var sessions: [String: String] = [:]
    private(set) var scrobbles: [Scrobble] = []
    private(set) var nowPlaying: [String] = []
    /// How many scrobbles each `track.scrobble` request carried.
    private(set) var batches: [Int] = []
    private(set) var errors: [Int] = []

    init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    func approve(user: String) -> String {
        let token = "token-\(UUID().uuidString)"
        tokens[token] = user
        return token
    }

    func revokeSessions() { sessions = [:] }

    static func run<Value: Sendable>(
        apiKey: String = "fake-api-key", secret: String = "fake-shared-secret",
        _ body: @Sendable (FakeLastFM, String) async throws -> Value
    ) async throws -> Value {
        let fake = FakeLastFM(apiKey: apiKey, secret: secret)
        let router = Router()
        router.post("2.0") { request, _ in
            let body = try await request.body.collect(upTo: 1_000_000)
            return await fake.handle(String(buffer: body))
        }
        return try await Application(router: router).test(.live) { client in
            try await body(fake, "http://127.0.0.1:\(client.port ?? 0)")
        }
    }

    static func form(_ body: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return values
    }

    static func signature(_ parameters: [String: String], secret: String) -> String {
        let text =
            parameters.filter { !["format", "callback", "api_sig"].contains($0.key) }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { $0.key + $0.value }.joined() + secret
        return Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func fail(_ code: Int, _ message: String, status: HTTPResponse.Status = .forbidden) -> Response {
        errors.append(code)
        return json(["error": code, "message": message], status: status)
    }

    private func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func handle(_ body: String) -> Response {
        let parameters = Self.form(body)
        guard parameters["api_key"] == apiKey else { return fail(10, "Invalid API key") }
        guard parameters["api_sig"] == Self.signature(parameters, secret: secret) else {
            return fail(13, "Invalid method signature supplied")
        }
        switch parameters["method"] {
        case "auth.getSession":
            guard let token = parameters["token"], let user = tokens.removeValue(forKey: token) else {
                return fail(14, "Unauthorized Token - This token has not been authorized")
            }
            let key = "sk-\(UUID().uuidString)"
            sessions[key] = user
            return json(["session": ["name": user, "key": key, "subscriber": 0]])
        case "track.updateNowPlaying":
            guard let user = parameters["sk"].flatMap({ sessions[$0] }) else {
                return fail(9, "Invalid session key - Please re-authenticate")
            }
            guard let artist = parameters["artist"], let track = parameters["track"] else {
                return fail(6, "Invalid parameters - artist and track are required", status: .badRequest)
            }
            nowPlaying.append("\(user): \(artist) - \(track)")
            return json(["nowplaying": ["track": ["#text": track, "corrected": "0"], "ignoredMessage": ["code": "0"]]])
        case "track.scrobble":
            guard let user = parameters["sk"].flatMap({ sessions[$0] }) else {
                return fail(9, "Invalid session key - Please re-authenticate")
            }
            var batch: [Scrobble] = []
            var index = 0
            while let artist = parameters["artist[\(index)]"] {
                guard let track = parameters["track[\(index)]"],
                    let stamp = parameters["timestamp[\(index)]"].flatMap(Int.init)
                else {
                    return fail(6, "Invalid parameters - track[\(index)] and timestamp[\(index)]", status: .badRequest)
                }
                batch.append(
                    Scrobble(
                        user: user, artist: artist, track: track, album: parameters["album[\(index)]"],
                        timestamp: stamp,
                        duration: parameters["duration[\(index)]"].flatMap(Int.init)))
                index += 1
            }
            guard !batch.isEmpty, batch.count <= 50 else {
                return fail(6, "Invalid parameters - 1 to 50 scrobbles", status: .badRequest)
            }
            batches.append(batch.count)
            scrobbles += batch
            return json([
                "scrobbles": [
                    "scrobble": batch.map { ["track": ["#text": $0.track], "timestamp": "\($0.timestamp)"] },
                    "@attr": ["accepted": batch.count, "ignored": 0],
                ]
            ])
        default:
            return fail(3, "Invalid Method - No method with that name in this package", status: .badRequest)
        }
    }
}
