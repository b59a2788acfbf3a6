import Synchronization

/// Builds of one key asked for at once share one: the first caller's build runs and every caller
/// who asks meanwhile waits for its value (or its error). Nothing is kept once it ends: keep values
/// elsewhere (a `VersionedCache`), and use this where a build is dear enough that a burst of misses
/// must not run it once per caller (the compressed artist index of a million tracks: 0.3 s of CPU).
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Flight {
        var task: Task<Value, any Error>
        var callers: Int
    }

    private let flights = Mutex<[Key: Flight]>([:])

    public init() {}

    /// The value `build` makes for `key`, from the build already running for it if there is one.
    public func value(for key: Key, build: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = flights.withLock { flights in
            if var flight = flights[key] {
                flight.callers += 1
                flights[key] = flight
                return flight.task
            }
            let task = Task { try await build() }
            flights[key] = Flight(task: task, callers: 1)
            return task
        }
        defer {
            flights.withLock { flights in
                if flights[key]?.task == task { flights[key] = nil }
            }
        }
        return try await task.value
    }

    /// How many callers wait for `key`'s running build (0 when none runs).
    public func callers(of key: Key) -> Int {
        flights.withLock { $0[key]?.callers ?? 0 }
    }
}
