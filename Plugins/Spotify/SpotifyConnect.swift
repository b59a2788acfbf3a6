public import CantoCore
public import CantoPluginKit
import Foundation

/// Spotify Connect: the listener's Spotify devices as playback targets, controlled through the
/// Web API's player endpoints (which Spotify keeps for Premium accounts).
extension SpotifyPlugin: PlaybackTargetPlugin {
    /// A value for JSON: nil as null.
    static func orNull<Value>(_ value: Value?) -> Any { value.map { $0 as Any } ?? NSNull() }

    /// A client for the listener's account; a refusal in words when there is none.
    func client(for user: UserID) async throws -> SpotifyClient {
        do {
            guard let account = try await accounts.account(of: user) else {
                throw PlaybackRefused(reason: nil, message: "Link your Spotify account on your profile first.")
            }
            return SpotifyClient(http: http, apiBase: apiBase, token: account.secret)
        } catch is LinkedAccountRejected {
            throw PlaybackRefused(
                reason: nil, message: "Spotify no longer accepts the link: reconnect Spotify on your profile.")
        }
    }

    /// Spotify's refusals as the plugin kit's.
    func refusal(_ error: SpotifyClient.SpotifyError) -> PlaybackRefused {
        switch error {
        case .player(let reason, _): PlaybackRefused(reason: reason, message: error.description)
        case .rateLimited(let seconds):
            PlaybackRefused(reason: "RATE_LIMITED", message: error.description, retryAfter: seconds)
        default: PlaybackRefused(reason: nil, message: error.description)
        }
    }

    public func devices(of user: UserID) async throws -> (devices: [PlaybackDevice], playing: PlaybackState?) {
        let client = try await client(for: user)
        do {
            let listed = try await client.get("me/player/devices")
            let devices = (listed["devices"] as? [[String: Any]] ?? []).compactMap { device -> PlaybackDevice? in
                guard let id = device["id"] as? String, let name = device["name"] as? String else { return nil }
                return PlaybackDevice(
                    id: id, name: name, type: device["type"] as? String ?? "Unknown",
                    isActive: device["is_active"] as? Bool ?? false, volume: device["volume_percent"] as? Int)
            }
            var playing: PlaybackState?
            if let state = try await client.call("GET", client.url("me/player")), !state.isEmpty {
                let item = SpotifyTrack(state["item"] as? [String: Any])
                playing = PlaybackState(
                    deviceID: (state["device"] as? [String: Any])?["id"] as? String,
                    isPlaying: state["is_playing"] as? Bool ?? false, progressMs: state["progress_ms"] as? Int ?? 0,
                    durationMs: item?.durationMs, title: item?.name, artist: item?.artists.first)
            }
            return (devices, playing)
        } catch let error as SpotifyClient.SpotifyError {
            throw refusal(error)
        }
    }

    public func perform(_ command: PlaybackCommand, device: String?, for user: UserID) async throws {
        let client = try await client(for: user)
        var query: [String: String] = [:]
        if let device { query["device_id"] = device }
        do {
            switch command {
            case .transfer(let play):
                guard let device else {
                    throw PlaybackRefused(reason: nil, message: "Pick a device to move playback to.")
                }
                try await client.call("PUT", client.url("me/player"), body: ["device_ids": [device], "play": play])
            case .play(let context, let items):
                var body: [String: Any] = [:]
                if let context { body["context_uri"] = context } else if !items.isEmpty { body["uris"] = items }
                try await client.call("PUT", client.url("me/player/play", query), body: body)
            case .resume: try await client.call("PUT", client.url("me/player/play", query), body: [:])
            case .pause: try await client.call("PUT", client.url("me/player/pause", query))
            case .next: try await client.call("POST", client.url("me/player/next", query))
            case .previous: try await client.call("POST", client.url("me/player/previous", query))
            case .seek(let position):
                query["position_ms"] = String(max(0, position))
                try await client.call("PUT", client.url("me/player/seek", query))
            case .volume(let percent):
                query["volume_percent"] = String(min(100, max(0, percent)))
                try await client.call("PUT", client.url("me/player/volume", query))
            }
        } catch let error as SpotifyClient.SpotifyError {
            throw refusal(error)
        }
    }

    /// `GET player`, and the commands under `player/…` (`PUT transfer {deviceId, play}`, `PUT play
    /// {deviceId, contextUri | uris}`, `PUT pause`, `PUT resume`, `POST next`, `POST previous`, `PUT
    /// seek {positionMs}`, `PUT volume {percent}`).
    func player(_ request: PluginRequest, for user: UserID) async throws -> PluginResponse {
        let body = request.json ?? [:]
        let device = body["deviceId"] as? String
        do {
            let command: PlaybackCommand
            switch (request.method, request.path) {
            case ("GET", "player"):
                let (devices, playing) = try await devices(of: user)
                return .json([
                    "devices": devices.map {
                        [
                            "id": $0.id, "name": $0.name, "type": $0.type, "active": $0.isActive,
                            "volume": Self.orNull($0.volume),
                        ]
                    },
                    "playback": playing.map { state -> [String: Any] in
                        [
                            "device": Self.orNull(state.deviceID), "playing": state.isPlaying,
                            "progressMs": state.progressMs, "durationMs": Self.orNull(state.durationMs),
                            "item": ["name": Self.orNull(state.title), "artist": Self.orNull(state.artist)],
                        ]
                    } ?? NSNull(),
                ])
            case ("PUT", "player/transfer"): command = .transfer(play: body["play"] as? Bool ?? false)
            case ("PUT", "player/play"):
                let uris = (body["uris"] as? [String] ?? []).filter { $0.hasPrefix("spotify:") }
                let context = (body["contextUri"] as? String).flatMap { $0.hasPrefix("spotify:") ? $0 : nil }
                command = .play(context: context, items: Array(uris.prefix(100)))
            case ("PUT", "player/pause"): command = .pause
            case ("PUT", "player/resume"): command = .resume
            case ("POST", "player/next"): command = .next
            case ("POST", "player/previous"): command = .previous
            case ("PUT", "player/seek"):
                guard let position = body["positionMs"] as? Int, position >= 0 else {
                    return .json(["error": "positionMs must be a number of milliseconds."], status: 400)
                }
                command = .seek(positionMs: position)
            case ("PUT", "player/volume"):
                guard let percent = body["percent"] as? Int, (0...100).contains(percent) else {
                    return .json(["error": "percent must be 0 to 100."], status: 400)
                }
                command = .volume(percent: percent)
            default: return .json(["error": "No such route."], status: 404)
            }
            try await perform(command, device: device, for: user)
            return PluginResponse(status: 204, headers: [:], body: Data())
        } catch let refused as PlaybackRefused {
            var headers = ["Content-Type": "application/json"]
            if let wait = refused.retryAfter { headers["Retry-After"] = String(Int(wait.rounded(.up))) }
            let status =
                switch refused.reason {
                case "PREMIUM_REQUIRED": 403
                case "NO_ACTIVE_DEVICE": 409
                case "RATE_LIMITED": 429
                default: 409
                }
            return PluginResponse(
                status: status, headers: headers,
                body: (try? JSONSerialization.data(withJSONObject: [
                    "error": refused.message, "reason": Self.orNull(refused.reason),
                ])) ?? Data())
        }
    }
}
