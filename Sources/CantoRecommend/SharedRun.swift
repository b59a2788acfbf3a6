import Synchronization

/// One run of a piece of work at a time, shared: a caller that asks while a run is under way waits
/// for that run instead of starting its own. The sonic index of a million tracks takes 120 MB and
/// about 15 s of CPU to build; three requests that found it missing built three at once. The run
/// is a task of its own, so a caller that gives up (a request past its deadline) leaves it to
/// finish for the next.
public final class SharedRun: Sendable {
    private struct State {
        var running: Task<Void, any Error>?
        var joined = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// How many calls so far waited for a run another call had started.
    public var joined: Int { state.withLock { $0.joined } }

    /// Runs `work`, or waits for the run under way; throws what the run threw.
    public func run(_ work: @escaping @Sendable () async throws -> Void) async throws {
        let task = state.withLock { state -> Task<Void, any Error> in
            if let running = state.running {
                state.joined += 1
                return running
            }
            // The task cannot finish before it is stored: its last step waits for this lock.
            let task = Task {
                defer { self.state.withLock { $0.running = nil } }
                try await work()
            }
            state.running = task
            return task
        }
        try await task.value
    }
}
