public import Foundation
import Synchronization

/// Where code that measures waits and lifetimes in calendar time (sign-in throttling, cache
/// expiry, last-seen stamps) reads the time, so tests can move it by hand instead of sleeping.
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }
}

/// The system's clock: `Date()`.
public struct SystemClock: WallClock {
    /// The system clock.
    public init() {}

    /// `Date()`.
    public var now: Date { Date() }
}

/// A clock that stands still until told to move: for tests. Safe to share between tasks.
public final class ManualClock: WallClock {
    private let instant: Mutex<Date>

    /// A clock showing `start`.
    public init(_ start: Date = Date(timeIntervalSinceReferenceDate: 800_000_000)) {
        instant = Mutex(start)
    }

    /// The instant the clock shows.
    public var now: Date { instant.withLock { $0 } }

    /// Moves the clock on by `seconds` (back, when negative).
    public func advance(by seconds: TimeInterval) {
        instant.withLock { $0.addTimeInterval(seconds) }
    }

    /// Moves the clock on by `duration`.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        advance(by: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Sets the clock to `date`.
    public func set(to date: Date) {
        instant.withLock { $0 = date }
    }
}
