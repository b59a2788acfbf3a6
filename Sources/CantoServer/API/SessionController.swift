import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

extension Wire {
    struct SessionState: Decodable {
        var trackId: String?
        var positionMs: Int?
        var state: String?
        var volume: Int?
        var queue: [String]?
        var queueIndex: Int?
    }

    struct SessionChange: Decodable {
        var name: String?
        var jukebox: Bool?
    }

    struct SessionCommand: Decodable {
        var action: String
        var trackIds: [String]?
        var index: Int?
        var positionMs: Int?
        var volume: Int?
        var play: Bool?
        /// For `transfer`: the session whose queue and position move here.
        var from: String?
    }
}

/// Playback sessions: each open web player holds `GET /api/v1/sessions/events` (Server-Sent
/// Events: `session` — its own, on connect —, `sessions` — the user's, on every change —,
/// `command` — what another of the user's devices asks of it) and reports what it plays with
/// `POST …/{id}/state`; any of the user's players sends commands to another (`POST
/// …/{id}/commands`, `transfer` moving the queue and position). Subsonic apps' sessions come from
/// their calls. A closed stream is a session gone (keep-alives every 2 s notice it).
struct SessionController {
    let sessions: PlaybackSessions
    let accounts: AccountService
    /// Plugins whose service has devices of its own (Spotify Connect): listed with the sessions.
    let registry: PluginRegistry
    let deadline: Duration

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("sessions", use: list)
        group.get("sessions/events", use: events)
        group.post("sessions/:id/state", use: report)
        group.patch("sessions/:id", use: change)
        group.post("sessions/:id/commands", use: command)
    }

    static func refusal(_ refusal: PlaybackSessions.Refusal) -> APIError {
        switch refusal {
        case .notFound: APIError(.notFound, "no_session", "No such playback session of yours.")
        case .forbidden: APIError(.forbidden, "not_yours", "Only an admin may stop another listener's player.")
        case .invalid(let message): APIError.badRequest(message)
        }
    }

    /// The caller's sessions; an admin's `all=true` adds everyone's.
    @Sendable func list(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<PlaybackSession> {
        let user = try context.requireUser()
        if request.uri.queryParameters.get("all") == "true" {
            guard user.role == .admin else {
                throw APIError(.forbidden, "admins_only", "Only admins see every session.")
            }
            return Wire.Page(all: await sessions.all { _ in true })
        }
        if request.uri.queryParameters.get("household") == "true" {
            // Others' players only where they show what they play, and only what plays (not their queues).
            var shown: [PlaybackSession] = []
            var visible: [UserID: Bool] = [:]
            for session in await sessions.all(where: { _ in true }) {
                if session.userID == user.id {
                    shown.append(session)
                    continue
                }
                if visible[session.userID] == nil {
                    visible[session.userID] = try await accounts.preferences(of: session.userID).listeningVisible
                }
                guard visible[session.userID] == true else { continue }
                var glimpse = session
                // A track outside the caller's libraries is not theirs to see, not even by its ID.
                if let track = session.trackID, try await context.requireCatalog().track(track) == nil {
                    glimpse.trackID = nil
                }
                glimpse.queue = []
                glimpse.queueIndex = nil
                glimpse.device = nil
                shown.append(glimpse)
            }
            return Wire.Page(all: shown)
        }
        return Wire.Page(all: await sessions.list(for: user.id) + (await targetDevices(of: user.id)))
    }

    /// The running plugins that play on devices of their own.
    private func targets() async -> [(String, any PlaybackTargetPlugin)] {
        var found: [(String, any PlaybackTargetPlugin)] = []
        for id in registry.instances.keys.sorted() {
            if let plugin = registry.instances[id] as? any PlaybackTargetPlugin, await registry.isRunning(id) {
                found.append((id, plugin))
            }
        }
        return found
    }

    /// The user's devices at each such service, as sessions `<plugin>:<device>` (a service that
    /// does not answer in time, or where they have no account, adds none).
    private func targetDevices(of user: UserID) async -> [PlaybackSession] {
        var listed: [PlaybackSession] = []
        for (id, plugin) in await targets() {
            guard
                let (devices, playing) = try? await PluginCalls.run(
                    id, deadline: min(deadline, .seconds(5)), { try await plugin.devices(of: user) })
            else { continue }
            for device in devices {
                let current = playing?.deviceID == device.id
                listed.append(
                    PlaybackSession(
                        id: "\(id):\(device.id)", userID: user, name: device.name, kind: .target,
                        client: type(of: plugin).descriptor.name, device: device.type, trackID: nil,
                        positionMs: current ? playing?.progressMs ?? 0 : 0,
                        state: current ? (playing?.isPlaying == true ? .playing : .paused) : .stopped,
                        volume: device.volume ?? 100, queue: [], queueIndex: nil, jukebox: false,
                        updatedAt: Date(), connected: true))
            }
        }
        return listed
    }

    /// A command for a device of a plugin's service: play (moves playback there), pause, next,
    /// previous, seek, volume. Nil when `id` names no such device's plugin.
    private func commandTarget(_ body: Wire.SessionCommand, to id: String, by user: UserID) async throws -> Bool {
        let parts = id.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let (pluginID, plugin) = await targets().first(where: { $0.0 == parts[0] }) else {
            return false
        }
        let command: CantoPluginKit.PlaybackCommand
        switch body.action {
        case "play": command = .transfer(play: true)
        case "pause", "stop": command = .pause
        case "next": command = .next
        case "previous": command = .previous
        case "seek": command = .seek(positionMs: max(0, body.positionMs ?? 0))
        case "volume": command = .volume(percent: min(100, max(0, body.volume ?? 50)))
        default:
            throw APIError.badRequest(
                "A device of \(type(of: plugin).descriptor.name) takes play, pause, next, previous, seek and volume.")
        }
        do {
            try await PluginCalls.run(pluginID, deadline: deadline) {
                try await plugin.perform(command, device: parts[1], for: user)
            }
        } catch let refused as PlaybackRefused {
            throw APIError(.conflict, "refused", refused.message)
        }
        return true
    }

    @Sendable func events(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        let client = String((query.get("client") ?? "Canto web").prefix(60))
        let (session, token, stream) = await sessions.join(
            id: query.get("id"), user: user.id, name: query.get("name"), client: client,
            device: query.get("device").map { String($0.prefix(100)) })
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let sessions = sessions
        let body = ResponseBody { writer in
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            func send(_ event: String, _ value: some Encodable) async throws {
                let data = try encoder.encode(value)
                try await writer.write(
                    ByteBuffer(string: "event: \(event)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
            }
            // Keep-alives through the same stream: a proxy keeps the connection; a closed one
            // fails the write and the session is gone.
            let ticker = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(2))
                    await sessions.ping(session.id, token: token)
                }
            }
            defer { ticker.cancel() }
            do {
                try await send("session", session)
                // The server stopping ends the stream (the player reconnects to the next one).
                try await withGracefulShutdownHandler {
                    for await event in stream {
                        switch event {
                        case .sessions(let list): try await send("sessions", list)
                        case .command(let command, let from):
                            struct Sent: Encodable {
                                var command: PlaybackCommand
                                var from: String?
                            }
                            try await send("command", Sent(command: command, from: from))
                        case .keepAlive:
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        }
                    }
                } onGracefulShutdown: {
                    Task { await sessions.close(session.id, token: token) }
                }
            } catch {
                await sessions.leave(session.id, token: token)
                throw error
            }
            await sessions.leave(session.id, token: token)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func report(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        let body = try await request.decode(as: Wire.SessionState.self, context: context)
        var state: PlaybackSession.State?
        if let text = body.state {
            guard let known = PlaybackSession.State(rawValue: text) else {
                throw APIError.badRequest("state must be playing, paused or stopped.")
            }
            state = known
        }
        if let queue = body.queue, queue.count > 10_000 { throw APIError.badRequest("At most 10000 tracks.") }
        // Only tracks the caller may see are shown to anyone.
        let catalog = try context.requireCatalog()
        var track: TrackID?
        if let id = body.trackId {
            guard try await catalog.track(TrackID(id)) != nil else { throw APIError.badRequest("No such track.") }
            track = TrackID(id)
        }
        var queue: [TrackID]?
        if let ids = body.queue {
            let found = Set(try await catalog.tracks(ids.map { TrackID($0) }).map(\.id))
            queue = ids.map { TrackID($0) }.filter(found.contains)
        }
        do {
            try await sessions.report(
                try context.parameters.require("id"), by: user.id, track: track, positionMs: body.positionMs,
                state: state, volume: body.volume, queue: queue, queueIndex: body.queueIndex)
        } catch let refusal as PlaybackSessions.Refusal { throw Self.refusal(refusal) }
        return .noContent
    }

    @Sendable func change(_ request: Request, context: CantoRequestContext) async throws -> PlaybackSession {
        let user = try context.requireUser()
        let body = try await request.decode(as: Wire.SessionChange.self, context: context)
        do {
            return try await sessions.update(
                try context.parameters.require("id"), by: user.id, name: body.name, jukebox: body.jukebox)
        } catch let refusal as PlaybackSessions.Refusal { throw Self.refusal(refusal) }
    }

    @Sendable func command(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        let body = try await request.decode(as: Wire.SessionCommand.self, context: context)
        let id = try context.parameters.require("id")
        if try await commandTarget(body, to: id, by: user.id) { return .accepted }
        if let ids = body.trackIds {
            guard ids.count <= 10_000 else { throw APIError.badRequest("At most 10000 tracks.") }
            let catalog = try context.requireCatalog()
            let found = try await catalog.tracks(ids.map { TrackID($0) })
            guard found.count == Set(ids).count else { throw APIError.badRequest("Some of those tracks do not exist.") }
        }
        do {
            if body.action == "transfer" {
                guard let from = body.from else { throw APIError.badRequest("transfer needs from (a session id).") }
                try await sessions.transfer(from: from, to: id, by: user.id)
            } else {
                try await sessions.command(
                    PlaybackCommand(
                        action: body.action, trackIds: body.trackIds, index: body.index, positionMs: body.positionMs,
                        volume: body.volume.map { min(100, max(0, $0)) }, play: body.play),
                    to: id, by: user.id, isAdmin: user.role == .admin)
            }
        } catch let refusal as PlaybackSessions.Refusal {
            throw Self.refusal(refusal)
        }
        return .accepted
    }
}
