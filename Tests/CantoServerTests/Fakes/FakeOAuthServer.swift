import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ScrobblerFakes

/// A local OAuth 2 authorization server (RFC 6749 with PKCE, RFC 7636): `approve(_:user:)` plays the
/// listener approving on the authorization page (checking `response_type`, `client_id`,
/// `redirect_uri`, `state` and an S256 `code_challenge`) and returns the code the redirect would
/// carry; `POST /token` takes the client's basic authentication and trades a code (its
/// `redirect_uri` and `code_verifier` checked) or a refresh token (rotated: each works once) for
/// tokens that live an hour; `GET /me` names the token's owner. Refusals are 400 `invalid_grant`.
actor FakeOAuthServer {
    let clientID: String
    let clientSecret: String
    private var codes: [String: (challenge: String, redirect: String, user: String)] = [:]
    private var accessTokens: [String: String] = [:]
    private var refreshTokens: [String: String] = [:]
    private var issued = 0
    private(set) var refreshes = 0

    init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    static func run<Value: Sendable>(
        clientID: String = "canto-test", clientSecret: String = "client-s3cret",
        _ body: @Sendable (FakeOAuthServer, String) async throws -> Value
    ) async throws -> Value {
        let fake = FakeOAuthServer(clientID: clientID, clientSecret: clientSecret)
        let router = Router()
        router.post("token") { request, _ in
            let body = try await request.body.collect(upTo: 100_000)
            return await fake.token(request.headers[.authorization], FakeLastFM.form(String(buffer: body)))
        }
        router.get("me") { request, _ in await fake.me(request.headers[.authorization]) }
        return try await Application(router: router).test(.live) { client in
            try await body(fake, "http://127.0.0.1:\(client.port ?? 0)")
        }
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// The listener approves on the authorization page `url`: the code for the redirect.
    func approve(_ url: URL, user: String) throws -> (code: String, state: String, redirect: String) {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        guard value("response_type") == "code" else { throw Refused(description: "response_type") }
        guard value("client_id") == clientID else { throw Refused(description: "client_id") }
        guard value("code_challenge_method") == "S256", let challenge = value("code_challenge"), challenge.count == 43
        else { throw Refused(description: "PKCE S256 challenge") }
        guard let redirect = value("redirect_uri"), let state = value("state"), !state.isEmpty else {
            throw Refused(description: "redirect_uri and state")
        }
        let code = "code-\(UUID().uuidString)"
        codes[code] = (challenge, redirect, user)
        return (code, state, redirect)
    }

    func revokeAll() {
        refreshTokens = [:]
        accessTokens = [:]
    }

    private func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func issue(for user: String) -> [String: Any] {
        issued += 1
        let access = "at-\(issued)"
        let refresh = "rt-\(issued)"
        accessTokens[access] = user
        refreshTokens[refresh] = user
        return ["access_token": access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh]
    }

    func token(_ authorization: String?, _ form: [String: String]) -> Response {
        let expected = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        guard authorization == expected else { return json(["error": "invalid_client"], status: .unauthorized) }
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"], let grant = codes.removeValue(forKey: code),
                form["redirect_uri"] == grant.redirect, let verifier = form["code_verifier"],
                Self.challenge(verifier) == grant.challenge
            else { return json(["error": "invalid_grant"], status: .badRequest) }
            return json(issue(for: grant.user))
        case "refresh_token":
            guard let refresh = form["refresh_token"], let user = refreshTokens.removeValue(forKey: refresh) else {
                return json(["error": "invalid_grant"], status: .badRequest)
            }
            refreshes += 1
            return json(issue(for: user))
        default:
            return json(["error": "unsupported_grant_type"], status: .badRequest)
        }
    }

    func me(_ authorization: String?) -> Response {
        guard let header = authorization, header.hasPrefix("Bearer "),
            let user = accessTokens[String(header.dropFirst(7))]
        else { return json(["error": "invalid_token"], status: .unauthorized) }
        return json(["name": user])
    }

    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
