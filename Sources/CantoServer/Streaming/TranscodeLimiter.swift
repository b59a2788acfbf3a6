import Foundation
import Metrics
import Synchronization

/// Too many transcodes at once: the caller waited its turn and gave up.
struct TranscodersBusy: Error, Sendable {
    /// Seconds after which a retry may find a free slot.
    var retryAfter: Int
}

/// At most `limit` transcodes run at once; later requests wait in order for a slot, up to
/// `timeout`, then fail with `TranscodersBusy`.
actor TranscodeLimiter {
    let limit: Int
    let timeout: Duration
    private var running = 0 {
        didSet { Self.active.record(running) }
    }
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = [] {
        didSet { Self.waiting.record(waiters.count) }
    }
    private static let active = Gauge(label: "canto_transcodes_active")
    private static let waiting = Gauge(label: "canto_transcodes_waiting")
    private var nextID: UInt64 = 0

    /// Whether a transcode runs or waits now (background work steps aside).
    var isBusy: Bool { running > 0 || !waiters.isEmpty }

    init(limit: Int, timeout: Duration) {
        self.limit = max(1, limit)
        self.timeout = timeout
        // Both gauges show from the start (an alert on waiting transcodes needs the series).
        Self.active.record(0)
        Self.waiting.record(0)
    }

    /// A slot, once one is free; release it through the permit (or let the permit go).
    func acquire() async throws -> TranscodePermit {
        if running < limit {
            running += 1
            return TranscodePermit(limiter: self)
        }
        nextID += 1
        let id = nextID
        let timeout = timeout
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    await self?.expire(id, with: TranscodersBusy(retryAfter: Int(timeout.components.seconds) + 1))
                }
            }
        } onCancel: {
            Task { await self.expire(id, with: CancellationError()) }
        }
        return TranscodePermit(limiter: self)
    }

    /// Slots in use and requests waiting.
    var load: (running: Int, waiting: Int) { (running, waiters.count) }

    fileprivate func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            // The slot passes straight to the longest waiter.
            waiters.removeFirst().continuation.resume()
        }
    }

    private func expire(_ id: UInt64, with error: any Error) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: error)
    }
}

/// One transcode slot. Released once, explicitly or when the permit is dropped (a response
/// body that never ran still frees its slot).
final class TranscodePermit: Sendable {
    private let limiter: TranscodeLimiter
    private let released = Mutex(false)

    fileprivate init(limiter: TranscodeLimiter) { self.limiter = limiter }

    func release() {
        guard
            released.withLock({ done in
                defer { done = true }; return !done
            })
        else { return }
        let limiter = limiter
        Task { await limiter.release() }
    }

    deinit { release() }
}
