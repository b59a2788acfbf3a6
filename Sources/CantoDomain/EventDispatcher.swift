public import CantoCore
import Foundation

/// A subscriber of domain events, with a durable cursor kept under its `id`: it receives every
/// committed event after the last one it finished, in order, at least once (again after a
/// failure or a restart before its cursor moved).
public protocol EventSubscriber: Sendable {
    /// Names the subscriber's cursor; keep it stable across versions.
    var id: String { get }
    /// Handles one event. Throwing leaves the cursor before it: the event comes again later.
    func handle(_ event: StoredEvent) async throws
    /// An inline subscriber is quick and in memory (now playing): the service that published an
    /// event catches it up before answering, so the caller's next request sees the effect.
    var isInline: Bool { get }
    /// A subscriber that starts from now (a plugin enabled today) begins after the newest event
    /// when it has no cursor yet, instead of at the outbox's start.
    var startsFromNow: Bool { get }
    /// The most events handed over at once (a backlog after an outage); 1 hands them one by one.
    var batchLimit: Int { get }
    /// Handles events in order (up to `batchLimit`), and says how far it got: the cursor moves to
    /// `finishedThrough`, and an error waits (with backoff) before the rest come again. The
    /// default calls `handle(_:)` for each.
    func handle(batch events: [StoredEvent]) async -> BatchOutcome
}

/// How far a subscriber got with a batch: the last event it finished (nil for none) and the
/// error that stopped it (nil when it finished them all).
public struct BatchOutcome: Sendable {
    public var finishedThrough: Int64?
    public var error: (any Error)?
    public init(finishedThrough: Int64?, error: (any Error)?) {
        self.finishedThrough = finishedThrough
        self.error = error
    }
}

extension EventSubscriber {
    public var isInline: Bool { false }
    public var startsFromNow: Bool { false }
    public var batchLimit: Int { 1 }

    public func handle(batch events: [StoredEvent]) async -> BatchOutcome {
        var through: Int64?
        for event in events {
            do {
                try await handle(event)
            } catch {
                return BatchOutcome(finishedThrough: through, error: error)
            }
            through = event.id
        }
        return BatchOutcome(finishedThrough: through, error: nil)
    }
}

/// Delivers the outbox's events to each subscriber from its cursor. `deliverPending()` does one
/// round; `run()` repeats it whenever an event may have been committed (`wake()`) and at least
/// every `interval` (another process may write too).
public actor EventDispatcher {
    private let log: any EventLog
    private var subscribers: [any EventSubscriber] = []
    /// A failing subscriber waits before its next try: 1 s, 2 s, 4 s … up to a minute.
    private var retryAt: [String: (attempts: Int, at: ContinuousClock.Instant)] = [:]
    /// How far each subscriber got in this process (its stored cursor may lag by a round).
    private var delivered: [String: Int64] = [:]
    /// Each subscriber's cursor as last read from or written to the log by this process.
    private var persisted: [String: Int64] = [:]
    private let clock = ContinuousClock()
    private let batch: Int
    private var wakeups: AsyncStream<Void>.Continuation?
    private let interval: Duration
    private let gap: Duration

    /// `gap`: the least time from the end of one round of `run()` to the start of the next. Under
    /// load a play commits many times a second, each waking the dispatcher; the wake-ups in a gap
    /// make one round, and each round costs a cursor write per subscriber on the one writer.
    public init(
        log: any EventLog, batch: Int = 200, interval: Duration = .seconds(1), gap: Duration = .milliseconds(100)
    ) {
        self.log = log
        self.batch = batch
        self.interval = interval
        self.gap = gap
    }

    /// Adds a subscriber; it starts from its stored cursor. One that has none starts from the
    /// beginning, or (`startsFromNow`) after the newest event at the time it is subscribed.
    public func subscribe(_ subscriber: any EventSubscriber) async throws {
        subscribers.append(subscriber)
        if subscriber.startsFromNow, try await log.storedCursor(of: subscriber.id) == nil {
            try await log.advance(subscriber.id, to: try await log.lastEventID())
        }
    }

    /// Asks `run()` for a round soon (after a commit that wrote an event).
    public nonisolated func wake() {
        Task { await self.signal() }
    }

    private func signal() { wakeups?.yield() }

    /// One round: each subscriber gets what it has not finished, in order, up to the first failure.
    /// Returns how many events were handled.
    @discardableResult
    public func deliverPending(inlineOnly: Bool = false) async throws -> Int {
        // The stored cursors move once a round, every subscriber's in one write, and at each
        // full page of a backlog; not after each event. A backlog (a scan's events, handed one
        // by one to a subscriber that ignores most) was a write transaction an event, and then a
        // round a transaction per subscriber, taking the one writer from everyone's plays.
        // An inline catch-up (one a play, for now playing) stores nothing: the next round does.
        // After a crash, at most that round's or page's events come again: the contract is at
        // least once. In memory (`delivered`) the position is exact at once.
        var moved: [String: Int64] = [:]
        do {
            let handled = try await deliverRound(inlineOnly: inlineOnly, moved: &moved)
            if !inlineOnly { try await store(moved) }
            return handled
        } catch {
            if !inlineOnly { try? await store(moved) }
            throw error
        }
    }

    /// The inline round that has not started reading yet: every catch-up asked for meanwhile joins it.
    private var queuedInline: Task<Void, any Error>?
    /// The inline round reading or delivering now.
    private var runningInline: Task<Void, any Error>?
    /// Callers of `catchUpInline()` not yet answered.
    public private(set) var catchUpsWaiting = 0

    /// Catches the inline subscribers up with every event committed before the call (a play's,
    /// before its request is answered). Catch-ups asked for at once share rounds: one runs at a
    /// time, and all that arrive while it runs join the single round queued after it, which
    /// starts after their commits and so sees their events. Before, each of 200 clients' plays
    /// read the outbox on its own, a few times over as their rounds interleaved.
    public func catchUpInline() async throws {
        catchUpsWaiting += 1
        defer { catchUpsWaiting -= 1 }
        if let queued = queuedInline { return try await queued.value }
        let before = runningInline
        let round = Task {
            _ = try? await before?.value
            self.runningInline = self.queuedInline
            self.queuedInline = nil
            try await self.deliverPending(inlineOnly: true)
        }
        queuedInline = round
        try await round.value
    }

    private func store(_ cursors: [String: Int64]) async throws {
        try await log.advance(cursors)
        persisted.merge(cursors) { max($0, $1) }
    }

    private func deliverRound(inlineOnly: Bool, moved: inout [String: Int64]) async throws -> Int {
        var handled = 0
        // Subscribers that are caught up wait at the same cursor: one read of the outbox serves them all.
        var pages: [Int64: [StoredEvent]] = [:]
        for subscriber in subscribers where !inlineOnly || subscriber.isInline {
            if let retry = retryAt[subscriber.id], retry.at > clock.now { continue }
            let stored: Int64
            if let known = persisted[subscriber.id] {
                stored = known
            } else {
                stored = try await log.cursor(of: subscriber.id)
                persisted[subscriber.id] = stored
            }
            var cursor = max(stored, delivered[subscriber.id] ?? 0)
            deliver: while true {
                let events: [StoredEvent]
                if let page = pages[cursor] {
                    events = page
                } else {
                    events = try await log.events(after: cursor, limit: batch)
                    pages[cursor] = events
                }
                var start = 0
                while start < events.count {
                    // A subscriber's limit (a plugin's) is taken at its word only within the page.
                    let size = min(events.count - start, max(1, subscriber.batchLimit))
                    let chunk = Array(events[start..<start + size])
                    let outcome = await subscriber.handle(batch: chunk)
                    if let through = outcome.finishedThrough, through > cursor {
                        handled += chunk.filter { $0.id > cursor && $0.id <= through }.count
                        cursor = through
                        // In memory at once: a round started meanwhile (an inline catch-up) goes on from here.
                        delivered[subscriber.id] = cursor
                    }
                    if let error = outcome.error {
                        if cursor > stored { moved[subscriber.id] = cursor }
                        let attempts = (retryAt[subscriber.id]?.attempts ?? 0) + 1
                        let wait =
                            (error as? any RetryAfterError).map { min(3600, max(0, $0.retryAfterSeconds)) }
                            ?? min(60.0, pow(2, Double(attempts - 1)))
                        retryAt[subscriber.id] = (attempts, clock.now + .seconds(wait))
                        break deliver
                    }
                    retryAt[subscriber.id] = nil
                    start += chunk.count
                }
                if cursor > stored { moved[subscriber.id] = cursor }
                if events.count < batch { break }
                // A full page: more follow (a backlog); what is done so far is stored first.
                if !inlineOnly {
                    try await store(moved)
                    moved = [:]
                }
            }
        }
        return handled
    }

    /// Delivers until cancelled: at each `wake()` (at most a round a `gap`) and every `interval`.
    public func run() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeups = continuation
        let interval = self.interval
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        defer { ticker.cancel() }
        let gap = self.gap
        _ = try? await deliverPending()
        for await _ in stream {
            if Task.isCancelled { break }
            _ = try? await deliverPending()
            try? await Task.sleep(for: gap)
        }
    }
}
