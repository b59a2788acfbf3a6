import Dispatch
import Foundation

/// Runs `body` for each index on all cores and rethrows the first error. Fixture building is
/// blocking work (processes, TagLib), so it runs on Dispatch threads, not Swift's pool.
func parallelForEach(_ count: Int, _ body: @Sendable (Int) throws -> Void) throws {
    let firstError = LockedValue<(any Error)?>(nil)
    DispatchQueue.concurrentPerform(iterations: count) { index in
        do {
            try body(index)
        } catch {
            firstError.withLock { if $0 == nil { $0 = error } }
        }
    }
    if let error = firstError.withLock({ $0 }) { throw error }
}

/// Moves blocking work off Swift's cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// A value behind a lock (Synchronization's `Mutex` needs macOS 15).
final class LockedValue<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
