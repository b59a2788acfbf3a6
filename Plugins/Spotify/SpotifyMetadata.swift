public import CantoCore
public import CantoPluginKit
import Foundation

/// Artist pictures and album covers from Spotify for the library's items without any, read with
/// a linked listener's access (a PKCE app has no secret for an app-only token): the artist's
/// picture from their artist object, an album's cover from a matching track's album. Only
/// endpoints Development Mode apps keep (search, one artist).
extension SpotifyPlugin: MetadataPlugin {
    /// A client with any linked listener's access; nil when nobody has linked Spotify.
    func anyClient() async throws -> SpotifyClient? {
        for user in try await accounts.linkedUsers() {
            if let account = try? await accounts.account(of: user) {
                return SpotifyClient(http: http, apiBase: apiBase, token: account.secret, maxWait: 5)
            }
        }
        return nil
    }

    public func artistImage(named name: String) async throws -> Picture? {
        guard let client = try await anyClient() else { return nil }
        let wanted = TrackMatcher.normalise(name)
        let found = try await client.get(
            "search", ["q": "artist:\(SpotifyClient.quoted(name))", "type": "track", "limit": "10"])
        let items = (found["tracks"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        for item in items {
            for artist in item["artists"] as? [[String: Any]] ?? [] {
                guard let id = artist["id"] as? String, let artistName = artist["name"] as? String,
                    TrackMatcher.normalise(artistName) == wanted
                else { continue }
                let full = try await client.get("artists/\(id)")
                return try await download(full["images"], client)
            }
        }
        return nil
    }

    public func albumImage(title: String, artist: String) async throws -> Picture? {
        guard let client = try await anyClient() else { return nil }
        let (album, by) = (TrackMatcher.normalise(title), TrackMatcher.normalise(artist))
        let found = try await client.get(
            "search",
            [
                "q": "album:\(SpotifyClient.quoted(title)) artist:\(SpotifyClient.quoted(artist))", "type": "track",
                "limit": "10",
            ])
        for item in (found["tracks"] as? [String: Any])?["items"] as? [[String: Any]] ?? [] {
            guard let object = item["album"] as? [String: Any], let name = object["name"] as? String,
                TrackMatcher.normalise(name) == album,
                (item["artists"] as? [[String: Any]] ?? []).contains(where: {
                    TrackMatcher.normalise($0["name"] as? String ?? "") == by
                })
            else { continue }
            return try await download(object["images"], client)
        }
        return nil
    }

    /// The largest of Spotify's images (they come largest first), fetched.
    func download(_ images: Any?, _ client: SpotifyClient) async throws -> Picture? {
        guard let first = (images as? [[String: Any]])?.first, let text = first["url"] as? String,
            let url = URL(string: text)
        else { return nil }
        let answer = try await http.send(PluginHTTPRequest(method: "GET", url: url, headers: [:], body: nil))
        guard answer.status == 200, !answer.body.isEmpty else { return nil }
        return Picture(data: answer.body, mimeType: answer.headers["content-type"] ?? "image/jpeg")
    }
}
