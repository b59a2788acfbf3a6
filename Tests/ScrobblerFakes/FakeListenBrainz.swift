public import CantoPluginKitTesting
public import Foundation

/// A local stand-in for ListenBrainz that follows its documented API: `GET /1/validate-token`
/// and `POST /1/submit-listens` with the `Token` header, the payload rules of the JSON docs
/// (listen types and counts, `listened_at` required or forbidden, only `listened_at` and
/// `track_metadata` per listen, non-empty names, UUID MBIDs, `duration` xor `duration_ms`, at
/// most 50 tags of 64 characters, 10,240 bytes a listen), 400 with a message on a violation, 401
/// on a bad token, and the `X-RateLimit-*` headers on every answer. Failures can be injected.
public actor FakeListenBrainz {
    /// One accepted submission.
    public struct Submission: Sendable {
        public var type: String
        public var user: String
        public var listens: [[String: any Sendable]]
    }

    public private(set) var submissions: [Submission] = []
    /// Violations answered with 400, for the tests to read.
    public private(set) var refusals: [String] = []
    private var tokens: [String: String] = [:]
    /// Answers to give before accepting again: status and `Retry-After` seconds.
    private var failures: [(status: Int, retryAfter: Int?)] = []

    public static let oldest = 1_033_430_400

    public func addToken(_ token: String, user: String) { tokens[token] = user }
    public func revoke(_ token: String) { tokens[token] = nil }
    public func failNext(_ count: Int, status: Int = 503, retryAfter: Int? = 0) {
        failures += Array(repeating: (status, retryAfter), count: count)
    }

    /// The `listened_at` of every accepted listen of `type`, in order of arrival.
    public func listened(_ types: Set<String> = ["single", "import"]) -> [Int] {
        submissions.filter { types.contains($0.type) }.flatMap { $0.listens.compactMap { $0["listened_at"] as? Int } }
    }
    public func count(_ type: String) -> Int {
        submissions.filter { $0.type == type }.reduce(0) { $0 + $1.listens.count }
    }
    public func trackNames(_ type: String) -> [String] {
        submissions.filter { $0.type == type }.flatMap {
            $0.listens.compactMap { ($0["track_metadata"] as? [String: any Sendable])?["track_name"] as? String }
        }
    }

    /// Runs `body` with the fake listening on loopback; its base URL is `http://127.0.0.1:PORT`.
    public static func run<Value: Sendable>(_ body: @Sendable (FakeListenBrainz, String) async throws -> Value)
        async throws -> Value
    {
        let fake = FakeListenBrainz()
        return try await StubUpstream.run({ request in await fake.handle(request) }) { _, base in
            try await body(fake, base)
        }
    }

    func handle(_ request: StubRequest) -> StubResponse {
        switch (request.method, request.path) {
        case ("GET", "/1/validate-token"): validate(request)
        case ("POST", "/1/submit-listens"): submit(request, body: request.body)
        default: answer(404, ["code": 404, "error": "Not found."])
        }
    }

    private func user(_ request: StubRequest) -> String? {
        guard let header = request.headers["authorization"], header.hasPrefix("Token ") else { return nil }
        return tokens[String(header.dropFirst(6))]
    }

    private func answer(_ status: Int, _ object: [String: Any], extra: [String: String] = [:]) -> StubResponse {
        var headers = extra
        headers["X-RateLimit-Limit"] = "30"
        headers["X-RateLimit-Remaining"] = "29"
        headers["X-RateLimit-Reset-In"] = "10"
        return .json(object, status: status, headers: headers)
    }

    func validate(_ request: StubRequest) -> StubResponse {
        guard let user = user(request) else {
            return answer(200, ["code": 200, "message": "Token invalid.", "valid": false])
        }
        return answer(200, ["code": 200, "message": "Token valid.", "valid": true, "user_name": user])
    }

    func submit(_ request: StubRequest, body: Data) -> StubResponse {
        guard let user = user(request) else {
            return answer(401, ["code": 401, "error": "Invalid authorization token."])
        }
        if !failures.isEmpty {
            let failure = failures.removeFirst()
            var headers: [String: String] = [:]
            if let seconds = failure.retryAfter { headers["Retry-After"] = "\(seconds)" }
            return answer(failure.status, ["code": failure.status, "error": "Injected failure."], extra: headers)
        }
        do {
            let (type, listens) = try Self.check(body)
            submissions.append(Submission(type: type, user: user, listens: listens))
            return answer(200, ["status": "ok"])
        } catch {
            refusals.append("\(error)")
            return answer(400, ["code": 400, "error": "\(error)"])
        }
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    /// The payload rules; returns the listen type and the listens.
    public static func check(_ body: Data) throws -> (String, [[String: any Sendable]]) {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Invalid("Cannot parse JSON document.")
        }
        guard let type = object["listen_type"] as? String, ["single", "playing_now", "import"].contains(type) else {
            throw Invalid("JSON document must contain listen_type with a valid value.")
        }
        guard let payload = object["payload"] as? [[String: Any]], !payload.isEmpty else {
            throw Invalid("JSON document must contain a non-empty payload list.")
        }
        if type != "import", payload.count != 1 { throw Invalid("JSON document should contain exactly one listen.") }
        if payload.count > 1_000 { throw Invalid("Too many listens in one request.") }
        var listens: [[String: any Sendable]] = []
        for listen in payload {
            let size = (try? JSONSerialization.data(withJSONObject: listen).count) ?? 0
            if size > 10_240 { throw Invalid("Listen exceeds 10240 bytes.") }
            let allowed: Set<String> = type == "playing_now" ? ["track_metadata"] : ["listened_at", "track_metadata"]
            if let extra = Set(listen.keys).subtracting(allowed).first { throw Invalid("Unexpected key \(extra).") }
            if type == "playing_now" {
                if listen["listened_at"] != nil { throw Invalid("playing_now listens may not have listened_at.") }
            } else {
                guard let at = listen["listened_at"] as? Int, at >= oldest,
                    Double(at) <= Date().timeIntervalSince1970 + 600
                else { throw Invalid("listened_at is missing, not an integer, too old or in the future.") }
            }
            guard let metadata = listen["track_metadata"] as? [String: Any] else {
                throw Invalid("track_metadata is required.")
            }
            for key in ["artist_name", "track_name"] {
                guard let name = metadata[key] as? String, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw Invalid("\(key) must be a non-empty string.")
                }
            }
            if let info = metadata["additional_info"] {
                guard let info = info as? [String: Any] else { throw Invalid("additional_info must be an object.") }
                if info["duration"] != nil, info["duration_ms"] != nil {
                    throw Invalid("Give duration or duration_ms, not both.")
                }
                for key in ["recording_mbid", "release_mbid", "release_group_mbid", "track_mbid"] {
                    if let value = info[key], (value as? String).flatMap(UUID.init(uuidString:)) == nil {
                        throw Invalid("\(key) must be a UUID.")
                    }
                }
                for key in ["artist_mbids", "work_mbids"] {
                    if let value = info[key] {
                        guard let list = value as? [String], list.allSatisfy({ UUID(uuidString: $0) != nil }) else {
                            throw Invalid("\(key) must be a list of UUIDs.")
                        }
                    }
                }
                if let tags = info["tags"] {
                    guard let tags = tags as? [String], tags.count <= 50, tags.allSatisfy({ $0.count <= 64 }) else {
                        throw Invalid("At most 50 tags of at most 64 characters.")
                    }
                }
            }
            listens.append(Self.sendable(listen))
        }
        return (type, listens)
    }

    /// Copies a JSON object into Sendable values (strings, numbers, lists and objects of them).
    static func sendable(_ object: [String: Any]) -> [String: any Sendable] {
        object.mapValues(sendableValue)
    }

    private static func sendableValue(_ value: Any) -> any Sendable {
        switch value {
        case let value as String: value
        case let value as Int: value
        case let value as Double: value
        case let value as Bool: value
        case let value as [Any]: value.map(sendableValue)
        case let value as [String: Any]: sendable(value)
        default: "\(value)"
        }
    }
}
