import CantoCore
import Foundation

/// Who is playing what right now, from `scrobble` calls with `submission=false`. In memory:
/// it only ever describes the last few minutes.
actor NowPlaying {
    struct Entry: Sendable {
        var user: User
        var trackID: TrackID
        var since: Date
        var client: String?
    }

    private var entries: [UserID: Entry] = [:]
    /// An entry older than this is over (a long track's duration is added).
    let lifetime: TimeInterval = 15 * 60

    func set(_ entry: Entry) { entries[entry.user.id] = entry }

    func clear(_ user: UserID) { entries[user] = nil }

    func current(now: Date = Date()) -> [Entry] {
        entries = entries.filter { now.timeIntervalSince($0.value.since) < lifetime }
        return entries.values.sorted { $0.since > $1.since }
    }
}
