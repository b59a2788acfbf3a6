public import CantoCore
public import CantoPluginKit
import CantoSecurity
public import Foundation

/// OAuth 2 linking (authorization code with PKCE S256 and `state`) and token refresh, for plugins
/// that adopt `OAuthLinking`. The tokens are kept sealed as one secret; the access token is
/// refreshed a minute before it expires, and a rotated refresh token is stored at once.
extension LinkedAccountService {
    /// An OAuth plugin's client and the HTTP it may use (its token endpoint's host declared).
    public struct OAuthPlugin: Sendable {
        public var client: OAuthClient
        public var http: any PluginHTTPClient
        public init(client: OAuthClient, http: any PluginHTTPClient) {
            self.client = client
            self.http = http
        }
    }

    /// The tokens as sealed in the secret (`oauth:` and this JSON).
    struct OAuthTokens: Codable {
        var access: String
        var refresh: String?
        var expiresAt: Date?

        static let prefix = "oauth:"
        var secret: String {
            Self.prefix + String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
        }
        init(access: String, refresh: String?, expiresAt: Date?) {
            self.access = access
            self.refresh = refresh
            self.expiresAt = expiresAt
        }
        init?(secret: String) {
            guard secret.hasPrefix(Self.prefix),
                let tokens = try? JSONDecoder().decode(Self.self, from: Data(secret.dropFirst(Self.prefix.count).utf8))
            else { return nil }
            self = tokens
        }
    }

    /// Where to send `user`: the service's authorization page with PKCE and a one-time state;
    /// the service returns them to `redirectURI` (the plugin's callback, registered with it).
    public func beginOAuthLink(
        pluginID: String, client: OAuthClient, for user: User, redirectURI: URL, at date: Date = Date()
    ) async throws -> URL {
        let state = Tokens.sessionToken()
        let verifier = Tokens.sessionToken()
        await pending.add(
            state,
            PendingLinks.Link(
                plugin: pluginID, user: user.id, expires: date + 600, verifier: verifier, redirect: redirectURI))
        guard var components = URLComponents(url: client.authorizeURL, resolvingAgainstBaseURL: false) else {
            throw DomainError.unavailable("This service's authorization address is not usable.")
        }
        components.queryItems =
            (components.queryItems ?? []) + [
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: client.clientID),
                URLQueryItem(name: "redirect_uri", value: redirectURI.absoluteString),
                URLQueryItem(name: "state", value: state),
                URLQueryItem(name: "code_challenge", value: Tokens.pkceChallenge(verifier)),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
            + (client.scopes.isEmpty ? [] : [URLQueryItem(name: "scope", value: client.scopes.joined(separator: " "))])
        guard let url = components.url else {
            throw DomainError.unavailable("This service's authorization address is not usable.")
        }
        return url
    }

    /// The listener came back with a code: checks the state, trades the code (with the PKCE
    /// verifier) for tokens, keeps them sealed.
    public func completeOAuthLink(
        _ plugin: any OAuthLinking, pluginID: String, oauth: OAuthPlugin, parameters: [String: String],
        at date: Date = Date()
    ) async throws -> LinkedAccountRecord {
        guard let state = parameters["state"], let link = await pending.take(state, at: date), link.plugin == pluginID,
            let verifier = link.verifier, let redirect = link.redirect
        else { throw DomainError(.notFound, "This link is unknown, used or expired; connect again from your profile.") }
        guard parameters["error"] == nil, let code = parameters["code"], !code.isEmpty else {
            throw DomainError.invalid("code", "The service did not grant access.")
        }
        let tokens = try await tokenRequest(
            oauth,
            [
                "grant_type": "authorization_code", "code": code, "redirect_uri": redirect.absoluteString,
                "code_verifier": verifier,
            ], at: date, previousRefresh: nil)
        let name = try? await PluginCalls.run(pluginID, deadline: deadline) {
            try await plugin.accountName(accessToken: tokens.access)
        }
        return try await save(secret: tokens.secret, name: name ?? nil, plugin: pluginID, user: link.user, at: date)
    }

    /// A fresh access token from `secret` (refreshed when it expires within a minute, the new
    /// tokens stored); throws `LinkedAccountRejected` when the service refuses the refresh.
    func freshAccess(
        _ tokens: OAuthTokens, plugin: String, user: UserID, oauth: OAuthPlugin, at date: Date
    ) async throws -> String {
        guard let expiresAt = tokens.expiresAt, expiresAt.timeIntervalSince(date) < 60 else { return tokens.access }
        guard let refresh = tokens.refresh else {
            throw LinkedAccountRejected(reason: "the access expired and the service gave no refresh token")
        }
        let fresh = try await tokenRequest(
            oauth, ["grant_type": "refresh_token", "refresh_token": refresh], at: date, previousRefresh: refresh)
        try await store.updateLinkedAccountSecret(
            plugin: plugin, user: user, sealedSecret: try secrets.seal(Data(fresh.secret.utf8)))
        return fresh.access
    }

    /// A token endpoint call (form-encoded, the client authenticated as the service asks).
    private func tokenRequest(
        _ oauth: OAuthPlugin, _ parameters: [String: String], at date: Date, previousRefresh: String?
    ) async throws -> OAuthTokens {
        var form = parameters
        var headers = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        if let secret = oauth.client.clientSecret {
            let pair = Data("\(oauth.client.clientID):\(secret)".utf8).base64EncodedString()
            headers["Authorization"] = "Basic \(pair)"
        } else {
            form["client_id"] = oauth.client.clientID
        }
        let response = try await oauth.http.send(
            PluginHTTPRequest(
                method: "POST", url: oauth.client.tokenURL, headers: headers, body: PluginHTTPRequest.formBody(form)))
        let json = response.json ?? [:]
        if response.status == 400 || response.status == 401 {
            throw LinkedAccountRejected(reason: (json["error"] as? String) ?? "the service refused the grant")
        }
        guard (200..<300).contains(response.status), let access = json["access_token"] as? String else {
            throw DomainError.unavailable("The service's token endpoint answered HTTP \(response.status).")
        }
        // A lifetime outside a minute to a year is held to it (a service's 0 or 10^12 must not
        // mean "refresh on every call" or "never").
        let lifetime = (json["expires_in"] as? Int).map { TimeInterval(min(max($0, 60), 31_536_000)) }
        return OAuthTokens(
            access: access, refresh: (json["refresh_token"] as? String) ?? previousRefresh,
            expiresAt: lifetime.map { date + $0 })
    }
}
