import CantoCore
import Foundation

/// The streams each listener has playing now, for plans that limit how many play at once. A
/// stream is a track: the range requests a player makes for one track are one stream. A slot is
/// freed when its response has been sent, and in any case once the track could have played to
/// the end (so a response that was never sent cannot hold a listener's slot for long).
actor StreamSlots {
    private var playing: [UserID: [TrackID: (count: Int, expires: Date)]] = [:]
    let clock: any WallClock

    init(clock: any WallClock) { self.clock = clock }

    /// Takes a slot for `track`, or answers false when `limit` other tracks are playing.
    func take(_ user: UserID, _ track: TrackID, limit: Int, seconds: Double) -> Bool {
        let now = clock.now
        var mine = playing[user, default: [:]].filter { $0.value.expires > now }
        let expires = now.addingTimeInterval(max(60, seconds) + 300)
        if let held = mine[track] {
            mine[track] = (held.count + 1, max(held.expires, expires))
        } else {
            guard mine.count < limit else {
                playing[user] = mine
                return false
            }
            mine[track] = (1, expires)
        }
        playing[user] = mine
        return true
    }

    func release(_ user: UserID, _ track: TrackID) {
        guard let held = playing[user]?[track] else { return }
        playing[user]?[track] = held.count > 1 ? (held.count - 1, held.expires) : nil
    }
}
