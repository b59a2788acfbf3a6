public import Foundation

/// Something that happened in the household, published by the service that caused it in the
/// same transaction as its effect (through the outbox), so a subscriber sees every committed
/// event once and never an uncommitted one.
public enum DomainEvent: Sendable, Equatable, Codable {
    /// A player started a track (now playing).
    case trackStarted(user: UserID, track: TrackID, client: String?)
    /// A play ended and was recorded; `countsAsScrobble` follows the usual rule (half, or four minutes).
    case trackPlayed(
        user: UserID, track: TrackID, playID: Int64, startedAt: Date, secondsPlayed: Int,
        countsAsScrobble: Bool, client: String?)
    /// A track was skipped after `secondsPlayed`.
    case trackSkipped(user: UserID, track: TrackID, secondsPlayed: Int)
    /// An item was starred or unstarred.
    case starred(user: UserID, item: String, kind: Annotation.ItemKind, starred: Bool)
    /// An item was rated (nil clears the rating).
    case rated(user: UserID, item: String, kind: Annotation.ItemKind, rating: Int?)
    /// A playlist was created, changed or deleted.
    case playlistChanged(user: UserID, playlist: PlaylistID, deleted: Bool)
    /// A play queue was saved (nil tracks: cleared).
    case queueSaved(user: UserID, trackCount: Int)
    /// A scan finished.
    case scanFinished(summary: ScanSummary)
    /// A library was added or removed.
    case libraryChanged(library: LibraryID, removed: Bool)
    /// A user was created.
    case userCreated(user: UserID)
    /// A user was deleted.
    case userDeleted(user: UserID)

    /// A short stable name, for logs, metrics and the outbox's `kind` column.
    public var name: String {
        switch self {
        case .trackStarted: "track.started"
        case .trackPlayed: "track.played"
        case .trackSkipped: "track.skipped"
        case .starred: "item.starred"
        case .rated: "item.rated"
        case .playlistChanged: "playlist.changed"
        case .queueSaved: "queue.saved"
        case .scanFinished: "scan.finished"
        case .libraryChanged: "library.changed"
        case .userCreated: "user.created"
        case .userDeleted: "user.deleted"
        }
    }

    /// The user the event is about, when it is about one (events of one user are delivered in order).
    public var user: UserID? {
        switch self {
        case .trackStarted(let user, _, _), .trackPlayed(let user, _, _, _, _, _, _), .trackSkipped(let user, _, _),
            .starred(let user, _, _, _), .rated(let user, _, _, _), .playlistChanged(let user, _, _),
            .queueSaved(let user, _), .userCreated(let user), .userDeleted(let user):
            user
        case .scanFinished, .libraryChanged: nil
        }
    }
}

/// A committed event with its place in the outbox: ids only grow, so a subscriber's cursor is the
/// last id it finished.
public struct StoredEvent: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var event: DomainEvent
    public init(id: Int64, at: Date, event: DomainEvent) {
        self.id = id
        self.at = at
        self.event = event
    }
}

/// The outbox as the event dispatcher reads it: committed events in order, and each
/// subscriber's durable cursor.
public protocol EventLog: Sendable {
    /// Events after `id`, oldest first, at most `limit`.
    func events(after id: Int64, limit: Int) async throws -> [StoredEvent]
    /// The last event id `subscriber` finished; 0 for a new subscriber.
    func cursor(of subscriber: String) async throws -> Int64
    /// The subscriber's stored cursor, or nil when it never had one.
    func storedCursor(of subscriber: String) async throws -> Int64?
    /// Records, in one write, that each subscriber finished every event up to its id (a cursor
    /// never moves back).
    func advance(_ cursors: [String: Int64]) async throws
    /// Appends an event in its own transaction (for effects with no row of their own, like now playing).
    func publish(_ event: DomainEvent, at date: Date) async throws
    /// The newest event's id (0 when there is none): where a subscriber that starts from now begins.
    func lastEventID() async throws -> Int64
    /// How many events of `kind` about `user` come after `subscriber`'s cursor (what waits for it).
    func pendingCount(for subscriber: String, kind: String, user: UserID) async throws -> Int
}

extension EventLog {
    /// Records that `subscriber` finished every event up to `id`.
    public func advance(_ subscriber: String, to id: Int64) async throws {
        try await advance([subscriber: id])
    }
}

/// A failure that says how long to wait before the next try (a service's `Retry-After`): the
/// event dispatcher waits that long instead of its own backoff.
public protocol RetryAfterError: Error {
    var retryAfterSeconds: Double { get }
}
