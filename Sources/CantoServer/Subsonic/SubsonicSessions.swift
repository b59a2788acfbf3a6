import CantoCore
import CantoDomain
import Foundation

/// Subsonic apps' playback sessions, seen through their calls (now playing, streams, saved
/// queues), and `jukeboxControl`, which drives the web player the user marked as their jukebox.
struct SubsonicSessions {
    let sessions: PlaybackSessions

    func register(in api: inout SubsonicAPI) {
        api.on("jukeboxControl") { call in try await jukebox(call) }
    }

    /// What a successful call says about the app's player.
    static func note(_ method: String, _ call: SubsonicCall, sessions: PlaybackSessions) async {
        let client = call.parameters.string("c") ?? "Subsonic app"
        let user = call.user.id
        switch method {
        case "scrobble" where !call.parameters.bool("submission", default: true):
            await sessions.seen(
                user: user, client: client, track: call.parameters.all("id").first.map { TrackID($0) },
                state: .playing, positionMs: 0)
        case "scrobble":
            // A submitted scrobble is a finished play: the app is between tracks until it says more.
            await sessions.seen(user: user, client: client, track: nil, state: .stopped)
        case "stream":
            await sessions.seen(
                user: user, client: client, track: call.parameters.string("id").map { TrackID($0) }, state: .playing)
        case "savePlayQueue":
            let queue = call.parameters.all("id").map { TrackID($0) }
            let current = call.parameters.string("current").map { TrackID($0) }
            await sessions.seen(
                user: user, client: client, track: current, state: nil, queue: queue,
                queueIndex: current.flatMap { queue.firstIndex(of: $0) },
                positionMs: call.parameters.string("position").flatMap { Int($0) })
        default:
            break
        }
    }

    private func jukebox(_ call: SubsonicCall) async throws -> SubsonicPayload {
        guard let box = await sessions.jukebox(of: call.user.id) else {
            throw SubsonicError(
                .generic,
                "No jukebox: open Canto's web player on the speakers' computer and mark it as your jukebox (Sessions).")
        }
        let p = call.parameters
        let action = try p.required("action")
        func send(_ command: PlaybackCommand) async throws {
            do {
                try await sessions.command(command, to: box.id, by: call.user.id, isAdmin: false)
            } catch {
                throw SubsonicError(.generic, "The jukebox did not take the command.")
            }
        }
        func checked(_ ids: [String]) async throws -> [TrackID] {
            var tracks: [TrackID] = []
            for id in ids {
                guard try await call.catalog.track(TrackID(id)) != nil else {
                    throw SubsonicError.notFound("Song \(id)")
                }
                tracks.append(TrackID(id))
            }
            return tracks
        }
        switch action {
        case "get", "status":
            break
        case "set":
            let tracks = try await checked(p.all("id"))
            try await send(PlaybackCommand(action: "load", trackIds: tracks.map(\.rawValue), index: 0, play: false))
            await sessions.expect(box.id, queue: tracks, index: 0, state: .stopped, volume: nil)
        case "start":
            try await send(PlaybackCommand(action: "play"))
            await sessions.expect(box.id, queue: nil, index: nil, state: .playing, volume: nil)
        case "stop":
            try await send(PlaybackCommand(action: "pause"))
            await sessions.expect(box.id, queue: nil, index: nil, state: .paused, volume: nil)
        case "skip":
            let index = try p.int("index") ?? 0
            guard box.queue.indices.contains(index) else { throw SubsonicError(.generic, "No song at index \(index).") }
            let seconds = try p.int("offset") ?? 0
            guard (0...86_400).contains(seconds) else {
                throw SubsonicError(.generic, "offset must be 0 to 86400 seconds.")
            }
            let offset = seconds * 1000
            try await send(
                PlaybackCommand(
                    action: "load", trackIds: box.queue.map(\.rawValue), index: index, positionMs: offset, play: true))
            await sessions.expect(box.id, queue: nil, index: index, state: .playing, volume: nil)
        case "add":
            let tracks = try await checked(p.all("id"))
            try await send(PlaybackCommand(action: "enqueue", trackIds: tracks.map(\.rawValue)))
            await sessions.expect(
                box.id, queue: box.queue + tracks, index: box.queueIndex ?? 0, state: nil, volume: nil)
        case "clear":
            try await send(PlaybackCommand(action: "clear"))
            await sessions.expect(box.id, queue: [], index: nil, state: .stopped, volume: nil)
        case "remove":
            let index = try p.int("index") ?? -1
            guard box.queue.indices.contains(index) else { throw SubsonicError(.generic, "No song at index \(index).") }
            try await send(PlaybackCommand(action: "remove", index: index))
            var queue = box.queue
            queue.remove(at: index)
            await sessions.expect(box.id, queue: queue, index: box.queueIndex, state: nil, volume: nil)
        case "shuffle":
            let queue = box.queue.shuffled()
            try await send(PlaybackCommand(action: "load", trackIds: queue.map(\.rawValue), index: 0, play: false))
            await sessions.expect(box.id, queue: queue, index: 0, state: nil, volume: nil)
        case "setGain":
            guard let text = p.string("gain"), let gain = Double(text), (0...1).contains(gain) else {
                throw SubsonicError(.generic, "gain must be 0.0 to 1.0.")
            }
            try await send(PlaybackCommand(action: "volume", volume: Int((gain * 100).rounded())))
            await sessions.expect(box.id, queue: nil, index: nil, state: nil, volume: Int((gain * 100).rounded()))
        default:
            throw SubsonicError(
                .generic, "action must be get, status, set, start, stop, skip, add, clear, remove, shuffle or setGain.")
        }
        let now = await sessions.session(box.id) ?? box
        let status = SubsonicElement([
            ("currentIndex", .int(now.queueIndex ?? -1)), ("playing", .bool(now.state == .playing)),
            // `gain` is what the Subsonic spec and the apps read (OpenSubsonic's schema says `volume`,
            // which knuckles refuses).
            ("gain", .double(Double(now.volume) / 100)), ("position", .int(now.positionMs / 1000)),
        ])
        guard action == "get" else { return .element("jukeboxStatus", status) }
        let tracks = try await call.catalog.tracks(now.queue)
        return .element(
            "jukeboxPlaylist",
            status.with("entry", list: try await SubsonicModel.songs(tracks, for: call, annotated: false)))
    }
}
