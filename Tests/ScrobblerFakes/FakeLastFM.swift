public import CantoPluginKitTesting
import Crypto
public import Foundation

/// A local stand-in for Last.fm's Scrobbling 2.0 API: form-encoded `POST /2.0`, every call's
/// `api_sig` checked (all parameters but `format`, `callback` and `api_sig`, sorted by name in byte
/// order, run together, the shared secret after them, MD5; error 13 on a mismatch), error 10 for an
/// unknown API key, 9 for an unknown session key, 4/14 for a token that is unknown or not yet
/// authorised, and at most 50 scrobbles a request. `approve(user:)` plays the listener pressing
/// "Allow" on Last.fm's page: it returns the token the page would send back to the callback.
public actor FakeLastFM {
    public struct Scrobble: Sendable, Equatable {
        public var user: String
        public var artist: String
        public var track: String
        public var album: String?
        public var timestamp: Int
        public var duration: Int?
    }

    public let apiKey: String
    public let secret: String
    private var tokens: [String: String] = [:]
    private var sessions: [String: String] = [:]
    public private(set) var scrobbles: [Scrobble] = []
    public private(set) var nowPlaying: [String] = []
    /// How many scrobbles each `track.scrobble` request carried.
    public private(set) var batches: [Int] = []
    public private(set) var errors: [Int] = []

    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    public func approve(user: String) -> String {
        let token = "token-\(UUID().uuidString)"
        tokens[token] = user
        return token
    }

    public func revokeSessions() { sessions = [:] }

    public static func run<Value: Sendable>(
        apiKey: String = "fake-api-key", secret: String = "fake-shared-secret",
        _ body: @Sendable (FakeLastFM, String) async throws -> Value
    ) async throws -> Value {
        let fake = FakeLastFM(apiKey: apiKey, secret: secret)
        return try await StubUpstream.run({ request in
            guard request.method == "POST", request.path == "/2.0" else { return .text("Not found", status: 404) }
            return await fake.handle(String(decoding: request.body, as: UTF8.self))
        }) { _, base in
            try await body(fake, base)
        }
    }

    public static func form(_ body: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return values
    }

    public static func signature(_ parameters: [String: String], secret: String) -> String {
        let text =
            parameters.filter { !["format", "callback", "api_sig"].contains($0.key) }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { $0.key + $0.value }.joined() + secret
        return Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func fail(_ code: Int, _ message: String, status: Int = 403) -> StubResponse {
        errors.append(code)
        return json(["error": code, "message": message], status: status)
    }

    private func json(_ object: [String: Any], status: Int = 200) -> StubResponse {
        .json(object, status: status)
    }

    func handle(_ body: String) -> StubResponse {
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
                return fail(6, "Invalid parameters - artist and track are required", status: 400)
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
                    return fail(6, "Invalid parameters - track[\(index)] and timestamp[\(index)]", status: 400)
                }
                batch.append(
                    Scrobble(
                        user: user, artist: artist, track: track, album: parameters["album[\(index)]"],
                        timestamp: stamp,
                        duration: parameters["duration[\(index)]"].flatMap(Int.init)))
                index += 1
            }
            guard !batch.isEmpty, batch.count <= 50 else {
                return fail(6, "Invalid parameters - 1 to 50 scrobbles", status: 400)
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
            return fail(3, "Invalid Method - No method with that name in this package", status: 400)
        }
    }
}
