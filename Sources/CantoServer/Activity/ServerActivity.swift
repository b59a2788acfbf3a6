import CantoCore
import CantoDomain
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The server's activity as it happens (streams, transcodes, bytes, cache hits, plays, slow
/// requests), counted in memory per UTC hour and written to the database once a minute and at
/// shutdown, so a request pays a lock and an addition, not a write.
final class ServerActivity: Sendable {
    let store: any ServerActivityStore
    let clock: any WallClock
    /// A request at least this slow is kept for the admin page.
    static let slowThreshold = 1_000.0

    private struct Pending {
        var counts: [ActivityKey: Int] = [:]
        var slow: [SlowRequest] = []
    }

    private let pending = Mutex(Pending())

    init(store: any ServerActivityStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    func count(_ name: String, _ label: String = "", by amount: Int = 1) {
        guard amount > 0 else { return }
        let key = ActivityKey(hour: ActivityKey.hour(of: clock.now), name: name, label: label)
        pending.withLock { $0.counts[key, default: 0] += amount }
    }

    /// Keeps the request when it was slow (`path` is only built then).
    func request(method: String, path: @autoclosure () -> String, status: Int, milliseconds: Double) {
        guard milliseconds >= Self.slowThreshold else { return }
        let slow = SlowRequest(at: clock.now, method: method, path: path(), status: status, milliseconds: milliseconds)
        pending.withLock { pending in
            // At most a few hundred kept between writes.
            if pending.slow.count < 200 { pending.slow.append(slow) }
        }
    }

    /// Writes what was counted since the last write.
    func flush() async throws {
        let taken = pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
        do {
            try await store.add(taken.counts, slow: taken.slow)
        } catch {
            // Kept for the next try.
            pending.withLock { pending in
                for (key, value) in taken.counts { pending.counts[key, default: 0] += value }
                pending.slow = Array((taken.slow + pending.slow).prefix(200))
            }
            throw error
        }
    }
}

/// Counts plays and keeps every scan, from the domain events.
struct ServerActivityRecorder: EventSubscriber {
    let activity: ServerActivity
    var id: String { "server-activity" }
    var isInline: Bool { true }
    var startsFromNow: Bool { true }

    func handle(_ event: StoredEvent) async throws {
        switch event.event {
        case .trackPlayed(_, _, _, _, _, let counted, _):
            activity.count(counted ? "plays" : "skips")
        case .scanFinished(let summary):
            try await activity.store.record(
                ScanRun(
                    finishedAt: event.at, seconds: summary.duration, added: summary.added,
                    updated: summary.updated + summary.moved, removed: summary.removed, errors: summary.errors,
                    cancelled: summary.cancelled))
        default:
            break
        }
    }
}

/// Writes the activity counters once a minute, and once more at shutdown.
struct ServerActivityService: Service {
    let activity: ServerActivity
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                // Shutdown: the write below, outside the cancelled task, is the last one (here the
                // database would refuse it as cancelled, and the log would say counters were lost).
                if Task.isCancelled { break }
                do { try await activity.flush() } catch {
                    logger.warning("activity counters not written", metadata: ["error": "\(error)"])
                }
            }
        }
        try? await activity.flush()
    }
}
