import Dispatch
import Foundation

/// Runs blocking C calls (TagLib, FFmpeg, file reads) off Swift's cooperative thread pool, at
/// most `threads` at a time; the rest wait their turn in order.
///
/// The server makes one for all its blocking media work (transcoding and covers share it, so a
/// burst of cover requests cannot start dozens of decoders beside the transcodes); the scanner
/// makes one as wide as its configured concurrency. Threads are taken only while there is work.
public final class BlockingPool: Sendable {
    /// The most jobs that run at once.
    public let threads: Int
    /// Whether its threads run below the process's others (see `init`).
    public let lowPriority: Bool
    private let queue: DispatchQueue
    private let state = Mutex()

    /// How wide the server's media pool is: twice the cores (at least 4). Its jobs are CPU work
    /// (a transcode's next chunk, a cover), so more threads than that only interleave them and
    /// thrash the caches, while jobs queued in arrival order take turns fairly: 150 paced streams
    /// keep up through a pool this wide where a thread for each fell behind. Twice the cores, so a
    /// transcode of a remote source waiting on the network does not hold the only thread.
    public static var mediaThreads: Int { max(4, 2 * ProcessInfo.processInfo.activeProcessorCount) }

    /// A pool of `threads` threads (at least one); `label` names them in a debugger. A
    /// `lowPriority` pool's threads run below the process's other threads: Linux's libdispatch
    /// gives a background queue's threads nice 10 (a utility queue's, the default, nice 2), so
    /// the kernel gives a core to the rest first. A scan's tag readers yield so to the one
    /// database writer they feed (four readers at nice 2 took its core, and the writer bounded
    /// the scan) and to the requests of a server that scans.
    public init(label: String, threads: Int, lowPriority: Bool = false) {
        self.threads = max(1, threads)
        self.lowPriority = lowPriority
        queue = DispatchQueue(label: label, qos: lowPriority ? .background : .utility, attributes: .concurrent)
    }

    /// Runs `body` on one of the pool's threads and returns what it returned or threw.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        let startsWorker = state.withLock { state -> Bool in
            state.waiting.append(job)
            guard state.running < threads else { return false }
            state.running += 1
            return true
        }
        if startsWorker { queue.async { self.drain() } }
    }

    /// A worker: takes jobs until none wait, then ends.
    private func drain() {
        while let job = state.withLock({ state -> (@Sendable () -> Void)? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }) {
            job()
        }
    }

    /// The queue and the count of working threads, behind one lock.
    private final class Mutex: @unchecked Sendable {
        struct State {
            var running = 0
            var waiting: [@Sendable () -> Void] = []
        }
        private let lock = NSLock()
        private var state = State()

        func withLock<R>(_ body: (inout State) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&state)
        }
    }
}
