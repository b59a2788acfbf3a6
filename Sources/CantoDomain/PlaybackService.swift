public import CantoCore
public import Foundation

/// "A play happened", in one place: a play is recorded (history row, play count and the
/// `trackPlayed` event in one transaction) and a start is published, always for a track in the
/// caller's view. Subscribers (now playing, scrobblers, analytics) learn of both from the events.
public struct PlaybackService: Sendable {
    let history: any HistoryStore
    let events: any EventLog
    let dispatcher: EventDispatcher

    public init(history: any HistoryStore, events: any EventLog, dispatcher: EventDispatcher) {
        self.history = history
        self.events = events
        self.dispatcher = dispatcher
    }

    /// Records a finished (or stopped) play of a track in `view`; `DomainError.notFound` when it is not.
    public func played(
        _ id: TrackID, in view: CatalogView, startedAt: Date, secondsPlayed: Int, client: String?
    ) async throws -> Play {
        try await played(
            try await view.requireTrack(id), in: view, startedAt: startedAt, secondsPlayed: secondsPlayed,
            client: client)
    }

    /// Records a play of `track`, already read through `view` (a scrobble reads each of its tracks
    /// before it records any); `DomainError.notFound` when the track is not in view.
    public func played(
        _ track: Track, in view: CatalogView, startedAt: Date, secondsPlayed: Int, client: String?
    ) async throws -> Play {
        guard view.contains(track) else { throw DomainError(.notFound, "There is no such song.") }
        let startedAt = try StoredTime.checked(startedAt, field: "startedAt")
        guard secondsPlayed >= 0 else { throw DomainError.invalid("secondsPlayed", "must be 0 or more") }
        let scrobble = Play.countsAsScrobble(
            secondsPlayed: secondsPlayed, trackSeconds: Int(saturating: Double(track.audio.durationMs) / 1000))
        let play = try await history.recordPlay(
            user: view.user.id, track: track.id, startedAt: startedAt, secondsPlayed: secondsPlayed,
            client: client.map { String($0.prefix(200)) }, scrobble: scrobble)
        try await dispatcher.catchUpInline()
        dispatcher.wake()
        return play
    }

    /// Publishes that a player started a track in `view` (now playing).
    public func started(_ id: TrackID, in view: CatalogView, at date: Date = Date(), client: String?) async throws {
        try await started(try await view.requireTrack(id), in: view, at: date, client: client)
    }

    /// Publishes that a player started `track`, already read through `view`.
    public func started(_ track: Track, in view: CatalogView, at date: Date = Date(), client: String?) async throws {
        guard view.contains(track) else { throw DomainError(.notFound, "There is no such song.") }
        try await events.publish(
            .trackStarted(user: view.user.id, track: track.id, client: client.map { String($0.prefix(200)) }),
            at: try StoredTime.checked(date, field: "time"))
        try await dispatcher.catchUpInline()
        dispatcher.wake()
    }

    // MARK: History

    /// The user's plays, newest first, optionally within [from, to).
    public func plays(of user: UserID, from: Date?, to: Date?, offset: Int, limit: Int) async throws -> [Play] {
        try await history.plays(of: user, from: from, to: to, offset: offset, limit: limit)
    }

    public func playCount(of user: UserID, from: Date?, to: Date?) async throws -> Int {
        try await history.playCount(of: user, from: from, to: to)
    }

    /// Per track the user ever played: counted plays, skips and the last play.
    public func trackSummaries(of user: UserID) async throws -> [TrackPlaySummary] {
        try await history.trackSummaries(of: user)
    }

    /// Deletes one of the user's plays; false when they have no such play.
    public func deletePlay(_ id: Int64, owner: UserID) async throws -> Bool {
        try await history.deletePlay(id, owner: owner)
    }

    /// Deletes the user's plays within [from, to); returns how many.
    public func deletePlays(of user: UserID, from: Date?, to: Date?) async throws -> Int {
        try await history.deletePlays(of: user, from: from, to: to)
    }
}
