import CantoCore
import Foundation
import Synchronization

/// Requests and 5xx answers since the start, and per minute over the last hour, for the admin's
/// System page. A request pays one short lock and two additions; nothing reads the database.
final class RequestCounts: Sendable {
    /// How many minutes are kept.
    static let minutes = 60

    /// One minute's counts.
    struct Minute: Sendable, Equatable {
        /// The minute's start.
        var start: Date
        var requests: Int
        var errors: Int
    }

    private struct Slot {
        /// Minutes since 1970 this slot counts, or -1 before its first use.
        var minute = -1
        var requests = 0
        var errors = 0
    }

    private struct State {
        var slots = [Slot](repeating: Slot(), count: RequestCounts.minutes)
        var requests = 0
        var errors = 0
    }

    private let state = Mutex(State())
    let clock: any WallClock

    init(clock: any WallClock) {
        self.clock = clock
    }

    private static func minute(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// Counts one answer with its status code.
    func record(status: Int) {
        let minute = Self.minute(of: clock.now)
        let error = status >= 500 ? 1 : 0
        state.withLock { state in
            state.requests += 1
            state.errors += error
            let index = ((minute % Self.minutes) + Self.minutes) % Self.minutes
            if state.slots[index].minute != minute { state.slots[index] = Slot(minute: minute) }
            state.slots[index].requests += 1
            state.slots[index].errors += error
        }
    }

    /// The totals since the start.
    var totals: (requests: Int, errors: Int) {
        state.withLock { ($0.requests, $0.errors) }
    }

    /// The last hour, oldest first, one entry a minute (the current minute last, counting so far).
    func lastHour() -> [Minute] {
        let now = Self.minute(of: clock.now)
        let slots = state.withLock { $0.slots }
        return ((now - Self.minutes + 1)...now).map { minute in
            let slot = slots[((minute % Self.minutes) + Self.minutes) % Self.minutes]
            let kept = slot.minute == minute
            return Minute(
                start: Date(timeIntervalSince1970: Double(minute) * 60), requests: kept ? slot.requests : 0,
                errors: kept ? slot.errors : 0)
        }
    }
}
