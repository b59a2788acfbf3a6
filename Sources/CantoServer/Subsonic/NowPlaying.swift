import CantoCore
import CantoDomain
import Foundation

/// Who is playing what right now, kept from the `trackStarted` and `trackPlayed` events. In
/// memory: it only ever describes the last few minutes.
actor NowPlaying: EventSubscriber {
    struct Entry: Sendable {
        var user: UserID
        var trackID: TrackID
        var since: Date
        var client: String?
    }

    nonisolated let id = "now-playing"
    nonisolated var isInline: Bool { true }
    private var entries: [UserID: Entry] = [:]
    /// An entry older than this is over (a long track's duration is added).
    let lifetime: TimeInterval = 15 * 60

    func handle(_ event: StoredEvent) {
        switch event.event {
        case .trackStarted(let user, let track, let client):
            entries[user] = Entry(user: user, trackID: track, since: event.at, client: client)
        case .trackPlayed(let user, let track, _, _, _, _, _):
            if entries[user]?.trackID == track { entries[user] = nil }
        case .userDeleted(let user): entries[user] = nil
        default: break
        }
    }

    func current(now: Date = Date()) -> [Entry] {
        entries = entries.filter { now.timeIntervalSince($0.value.since) < lifetime }
        return entries.values.sorted { $0.since > $1.since }
    }
}
