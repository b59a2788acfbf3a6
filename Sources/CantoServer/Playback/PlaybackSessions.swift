import CantoCore
import Foundation
import Hummingbird

/// One open player: a web UI tab (connected through its event stream), or a Subsonic app seen
/// through its calls. The API shows it as it is.
struct PlaybackSession: Sendable, Codable, Equatable, ResponseEncodable {
    /// `target`: a device of a plugin's service (a Spotify Connect speaker), listed and commanded
    /// through the plugin.
    enum Kind: String, Sendable, Codable { case web, subsonic, target }
    enum State: String, Sendable, Codable { case playing, paused, stopped }

    var id: String
    var userID: UserID
    var name: String
    var kind: Kind
    var client: String
    var device: String?
    var trackID: TrackID?
    var positionMs: Int
    var state: State
    /// 0 to 100.
    var volume: Int
    var queue: [TrackID]
    var queueIndex: Int?
    /// The web player Subsonic's `jukeboxControl` drives.
    var jukebox: Bool
    var updatedAt: Date
    /// A web player's event stream is open (a Subsonic app's session is live while it calls).
    var connected: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, kind, client, device, positionMs, state, volume, queue, queueIndex, jukebox, updatedAt, connected
        case userID = "userId"
        case trackID = "trackId"
    }
}

/// What a player is told to do.
struct PlaybackCommand: Sendable, Codable, Equatable {
    /// play, pause, next, previous, seek, volume, load (a queue, an index, a position), enqueue,
    /// clear, remove, shuffle, stop.
    var action: String
    var trackIds: [String]?
    var index: Int?
    var positionMs: Int?
    var volume: Int?
    var play: Bool?

    static let actions: Set<String> = [
        "play", "pause", "next", "previous", "seek", "volume", "load", "enqueue", "clear", "remove", "shuffle", "stop",
    ]
}

/// What a web player's event stream carries.
enum SessionEvent: Sendable {
    /// The user's sessions changed (one joined, left, moved on).
    case sessions([PlaybackSession])
    /// A command for this player.
    case command(PlaybackCommand, from: String?)
    /// Nothing happened: the stream says so now and then (a closed connection is noticed).
    case keepAlive
}

/// Every open player, in memory (sessions describe the present; nothing to keep across a restart).
/// Web players hold an event stream: commands reach them through it within milliseconds, and a
/// player whose stream closes is gone after `goneAfter`. A Subsonic app's session lasts while it
/// calls (`idleAfter`). Commands are accepted only for one's own sessions; an admin may stop anyone's.
actor PlaybackSessions {
    private var sessions: [String: PlaybackSession] = [:]
    private var players: [String: (token: UUID, continuation: AsyncStream<SessionEvent>.Continuation)] = [:]
    let clock: any WallClock
    let idleAfter: TimeInterval = 10 * 60

    init(clock: any WallClock) { self.clock = clock }

    enum Refusal: Error, Equatable {
        case notFound
        case forbidden
        case invalid(String)
    }

    // MARK: Web players

    /// A web player opens its stream: its session (new, or the same ID again after a reconnect)
    /// and the events for it. The stream's end is `leave`.
    func join(
        id requested: String?, user: UserID, name: String?, client: String, device: String?
    ) -> (PlaybackSession, UUID, AsyncStream<SessionEvent>) {
        var id = requested.flatMap { Self.valid($0) ? $0 : nil } ?? "s" + UUID().uuidString.prefix(12).lowercased()
        if let existing = sessions[id], existing.userID != user { id = "s" + UUID().uuidString.prefix(12).lowercased() }
        var session =
            sessions[id]
            ?? PlaybackSession(
                id: id, userID: user, name: String((name ?? "").prefix(60)), kind: .web, client: client, device: device,
                trackID: nil, positionMs: 0, state: .stopped, volume: 100, queue: [], queueIndex: nil,
                jukebox: false, updatedAt: clock.now, connected: true)
        if session.name.isEmpty {
            session.name = "Web player \(sessions.values.filter { $0.userID == user }.count + 1)"
        }
        session.connected = true
        session.updatedAt = clock.now
        sessions[id] = session
        let token = UUID()
        let (stream, continuation) = AsyncStream<SessionEvent>.makeStream(bufferingPolicy: .bufferingNewest(64))
        players[id]?.continuation.finish()
        players[id] = (token, continuation)
        continuation.yield(.sessions(list(for: user)))
        broadcast(user)
        return (session, token, stream)
    }

    /// The player's stream closed (only the stream that opened it counts: a reconnect replaced it).
    func leave(_ id: String, token: UUID) {
        guard players[id]?.token == token else { return }
        players[id] = nil
        guard let user = sessions[id]?.userID else { return }
        sessions[id] = nil
        broadcast(user)
    }

    /// Ends one player's stream.
    func close(_ id: String, token: UUID) {
        guard let player = players[id], player.token == token else { return }
        player.continuation.finish()
    }

    /// Sends a keep-alive down the player's stream.
    func ping(_ id: String, token: UUID) {
        guard let player = players[id], player.token == token else { return }
        player.continuation.yield(.keepAlive)
    }

    /// A player says what it plays.
    func report(
        _ id: String, by user: UserID, track: TrackID?, positionMs: Int?, state: PlaybackSession.State?, volume: Int?,
        queue: [TrackID]?, queueIndex: Int?
    ) throws(Refusal) {
        guard var session = sessions[id] else { throw .notFound }
        guard session.userID == user else { throw .notFound }
        if let track { session.trackID = track }
        if let positionMs { session.positionMs = max(0, positionMs) }
        if let state { session.state = state }
        if let volume { session.volume = min(100, max(0, volume)) }
        if let queue {
            session.queue = Array(queue.prefix(10_000))
            session.queueIndex = queueIndex.flatMap { session.queue.indices.contains($0) ? $0 : nil }
        }
        session.updatedAt = clock.now
        sessions[id] = session
        broadcast(user)
    }

    /// Renames a session, or marks it the user's jukebox (one at a time).
    func update(_ id: String, by user: UserID, name: String?, jukebox: Bool?) throws(Refusal) -> PlaybackSession {
        guard var session = sessions[id], session.userID == user else { throw .notFound }
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...60).contains(trimmed.count) else { throw .invalid("name must be 1 to 60 characters") }
            session.name = trimmed
        }
        if let jukebox {
            guard session.kind == .web else { throw .invalid("only a web player can be the jukebox") }
            if jukebox {
                for (other, value) in sessions where value.userID == user && value.jukebox {
                    sessions[other]?.jukebox = false
                }
            }
            session.jukebox = jukebox
        }
        sessions[id] = session
        broadcast(user)
        return session
    }

    // MARK: Commands

    /// Sends `command` to session `id` as `user` asks: their own sessions only, or (an admin)
    /// `stop`/`pause` to anyone's. `transfer` moves the queue and position of `from` here.
    func command(_ command: PlaybackCommand, to id: String, by user: UserID, isAdmin: Bool) throws(Refusal) {
        guard let target = sessions[id] else { throw .notFound }
        guard target.userID == user || (isAdmin && ["stop", "pause"].contains(command.action)) else {
            // Another's player: an admin is told no, anyone else finds nothing there.
            throw isAdmin ? .forbidden : .notFound
        }
        guard PlaybackCommand.actions.contains(command.action) else {
            throw .invalid("action must be one of " + PlaybackCommand.actions.sorted().joined(separator: ", "))
        }
        guard target.kind == .web, let player = players[id] else {
            throw .invalid("that player cannot be controlled from here (a Subsonic app controls itself)")
        }
        player.continuation.yield(.command(command, from: nil))
    }

    /// The queue and position of `from` continue on `to`; `from` stops.
    func transfer(from source: String, to id: String, by user: UserID) throws(Refusal) {
        guard let from = sessions[source], from.userID == user, let to = sessions[id], to.userID == user else {
            throw .notFound
        }
        guard to.kind == .web, let player = players[id] else { throw .invalid("the target is not a web player") }
        var queue = from.queue
        var index = from.queueIndex
        if queue.isEmpty, let track = from.trackID {
            queue = [track]
            index = 0
        }
        guard !queue.isEmpty else { throw .invalid("nothing plays there to transfer") }
        player.continuation.yield(
            .command(
                PlaybackCommand(
                    action: "load", trackIds: queue.map(\.rawValue), index: index ?? 0, positionMs: from.positionMs,
                    volume: nil, play: true), from: source))
        players[source]?.continuation.yield(.command(PlaybackCommand(action: "stop"), from: id))
    }

    // MARK: Subsonic apps

    /// A Subsonic app's call (now playing, a stream, a saved queue) keeps its session: one per
    /// user and client.
    func seen(
        user: UserID, client: String, track: TrackID?, state: PlaybackSession.State?, queue: [TrackID]? = nil,
        queueIndex: Int? = nil, positionMs: Int? = nil
    ) {
        let client = String(client.prefix(60))
        let id = "subsonic-" + Self.slug(user.rawValue + "-" + client)
        var session =
            sessions[id]
            ?? PlaybackSession(
                id: id, userID: user, name: client, kind: .subsonic, client: client, device: nil, trackID: nil,
                positionMs: 0, state: .stopped, volume: 100, queue: [], queueIndex: nil, jukebox: false,
                updatedAt: clock.now, connected: true)
        if let track { session.trackID = track }
        if let state { session.state = state }
        if let queue {
            session.queue = queue
            session.queueIndex = queueIndex
        }
        if let positionMs { session.positionMs = positionMs }
        session.updatedAt = clock.now
        sessions[id] = session
        broadcast(user)
    }

    // MARK: Reading

    /// The user's sessions, newest first (Subsonic sessions idle too long are gone).
    /// Sessions with a player connected now, and the distinct users they belong to (`/metrics`).
    func activity() -> (sessions: Int, users: Int) {
        let connected = sessions.values.filter(\.connected)
        return (connected.count, Set(connected.map(\.userID.rawValue)).count)
    }

    func list(for user: UserID) -> [PlaybackSession] {
        expire()
        return sessions.values.filter { $0.userID == user }.sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
    }

    /// Everyone's sessions (admins), or those of the users `visible` lets through.
    func all(where visible: (UserID) -> Bool) -> [PlaybackSession] {
        expire()
        return sessions.values.filter { visible($0.userID) }.sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
    }

    func session(_ id: String) -> PlaybackSession? { sessions[id] }

    /// The user's jukebox: their web player marked as such, while it is connected.
    func jukebox(of user: UserID) -> PlaybackSession? {
        sessions.values.first { $0.userID == user && $0.jukebox && players[$0.id] != nil }
    }

    /// What the jukebox will hold after a command (the player reports it too; this keeps status
    /// answers right in between).
    func expect(_ id: String, queue: [TrackID]?, index: Int?, state: PlaybackSession.State?, volume: Int?) {
        guard var session = sessions[id] else { return }
        if let queue {
            session.queue = queue
            session.queueIndex = index.flatMap { queue.indices.contains($0) ? $0 : nil }
            session.trackID = session.queueIndex.map { queue[$0] }
        } else if let index, session.queue.indices.contains(index) {
            session.queueIndex = index
            session.trackID = session.queue[index]
        }
        if let state { session.state = state }
        if let volume { session.volume = volume }
        sessions[id] = session
    }

    private func expire() {
        let now = clock.now
        for (id, session) in sessions
        where session.kind == .subsonic && now.timeIntervalSince(session.updatedAt) > idleAfter {
            sessions[id] = nil
        }
    }

    private func broadcast(_ user: UserID) {
        let list = list(for: user)
        for (id, player) in players where sessions[id]?.userID == user { player.continuation.yield(.sessions(list)) }
    }

    static func valid(_ id: String) -> Bool {
        (4...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    static func slug(_ text: String) -> String {
        String(text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(80))
    }
}
