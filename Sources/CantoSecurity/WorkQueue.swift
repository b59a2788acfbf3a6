import Dispatch
import Foundation

/// Runs slow CPU work (bcrypt) off Swift's cooperative thread pool, at most `width` jobs at a
/// time: a burst of sign-ins then waits in line instead of taking every thread the server has.
/// `counter` is only touched under `lock`.
final class WorkQueue: @unchecked Sendable {
    private let queues: [DispatchQueue]
    private let lock = NSLock()
    private var counter = 0

    init(label: String, width: Int = ProcessInfo.processInfo.activeProcessorCount) {
        queues = (0..<max(1, width)).map { DispatchQueue(label: "\(label).\($0)", qos: .userInitiated) }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        let queue = nextQueue()
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// Round robin over serial queues: each runs one job at a time.
    private func nextQueue() -> DispatchQueue {
        lock.lock()
        defer { lock.unlock() }
        counter = (counter + 1) % queues.count
        return queues[counter]
    }
}
