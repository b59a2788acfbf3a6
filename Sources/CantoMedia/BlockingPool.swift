import Dispatch

/// Runs blocking C calls (TagLib, FFmpeg, file reads) off Swift's cooperative thread pool.
/// Callers bound how many jobs they have in flight; the pool only moves them to its threads.
public struct BlockingPool: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .utility, attributes: .concurrent)
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
