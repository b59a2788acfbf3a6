// The plugin of docs/plugins.md's walk-through, word for word: the guide's code compiles and works.
public import CantoCore
public import CantoPluginKit
import Foundation

public struct WebhookScrobbler: ListenSinkPlugin, TokenLinking {
    public static let descriptor = PluginDescriptor(
        id: "webhook", name: "Home dashboard", version: "1.0.0",
        configurationKeys: ["url"],
        permissions: PluginPermissions(networkHostKeys: ["url"], linkedAccounts: true, listens: true))

    let url: URL
    let http: any PluginHTTPClient

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        guard let text = try configuration.string("url"), let url = URL(string: text), url.host != nil else {
            throw PluginConfigurationError(pluginID: "webhook", key: "url", message: "is required (an http(s) URL)")
        }
        self.url = url
        http = context.http
    }

    public func link(token: String) async throws -> String? {
        let answer = try await http.send(
            PluginHTTPRequest(url: url.appendingPathComponent("whoami"), headers: ["Authorization": "Bearer \(token)"]))
        guard answer.status == 200 else { throw LinkedAccountRejected(reason: "the dashboard refused the token") }
        return answer.json?["name"] as? String
    }

    public func nowPlaying(_ listen: Listen, account: LinkedAccount) async throws {
        try await post("now-playing", [listen], account)
    }

    public func submit(_ listens: [Listen], account: LinkedAccount) async throws {
        try await post("plays", listens, account)
    }

    private func post(_ path: String, _ listens: [Listen], _ account: LinkedAccount) async throws {
        let body = try JSONSerialization.data(
            withJSONObject: listens.map {
                [
                    "title": $0.title, "artist": $0.artist, "album": $0.album,
                    "startedAt": Int($0.startedAt.timeIntervalSince1970), "seconds": $0.secondsPlayed,
                ]
            })
        let answer = try await http.send(
            PluginHTTPRequest(
                method: "POST", url: url.appendingPathComponent(path),
                headers: ["Authorization": "Bearer \(account.secret)", "Content-Type": "application/json"],
                body: body))
        switch answer.status {
        case 200..<300: return
        case 401, 403: throw LinkedAccountRejected(reason: "the dashboard refused the token")
        default: throw DashboardUnavailable(status: answer.status)  // sent again later
        }
    }
}

struct DashboardUnavailable: Error { var status: Int }
