import Synchronization

/// Hits, misses, evictions, entries and bytes of one named cache, for `/metrics`. Caches of the
/// same name (one per server when tests build several in one process) share one set of counts,
/// kept with atomics so counting costs a few nanoseconds on the hot path.
public final class CacheCounters: Sendable {
    /// The cache's name, the `cache` label of its series.
    public let name: String
    private let hitCount = Atomic<Int>(0)
    private let missCount = Atomic<Int>(0)
    private let evictionCount = Atomic<Int>(0)
    private let entryCount = Atomic<Int>(0)
    private let byteCount = Atomic<Int>(0)
    private let writeFailureCount = Atomic<Int>(0)

    private init(name: String) { self.name = name }

    /// The counts of the cache called `name`, made on first use.
    public static func named(_ name: String) -> CacheCounters {
        census.withLock { known in
            if let counters = known[name] { return counters }
            let counters = CacheCounters(name: name)
            known[name] = counters
            return counters
        }
    }

    /// Every named cache so far, by name.
    public static var all: [CacheCounters] {
        census.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    private static let census = Mutex<[String: CacheCounters]>([:])

    /// A lookup that found its entry.
    public func hit(_ count: Int = 1) { hitCount.add(count, ordering: .relaxed) }
    /// A lookup that did not.
    public func miss(_ count: Int = 1) { missCount.add(count, ordering: .relaxed) }
    /// Entries dropped to make room or because what they were built from changed.
    public func evicted(_ count: Int) {
        guard count > 0 else { return }
        evictionCount.add(count, ordering: .relaxed)
    }
    /// The number of entries moved by `delta`.
    public func entriesChanged(by delta: Int) { entryCount.add(delta, ordering: .relaxed) }
    /// The bytes held moved by `delta`.
    public func bytesChanged(by delta: Int) { byteCount.add(delta, ordering: .relaxed) }
    /// An entry that could not be written (a full disk): served without being kept.
    public func writeFailed() { writeFailureCount.add(1, ordering: .relaxed) }

    /// The counts now.
    public var snapshot: Snapshot {
        Snapshot(
            hits: hitCount.load(ordering: .relaxed), misses: missCount.load(ordering: .relaxed),
            evictions: evictionCount.load(ordering: .relaxed), entries: entryCount.load(ordering: .relaxed),
            bytes: byteCount.load(ordering: .relaxed), writeFailures: writeFailureCount.load(ordering: .relaxed))
    }

    /// Counts read at one moment.
    public struct Snapshot: Sendable, Equatable {
        public var hits: Int
        public var misses: Int
        public var evictions: Int
        public var entries: Int
        public var bytes: Int
        public var writeFailures: Int

        public init(hits: Int, misses: Int, evictions: Int, entries: Int, bytes: Int, writeFailures: Int = 0) {
            self.hits = hits
            self.misses = misses
            self.evictions = evictions
            self.entries = entries
            self.bytes = bytes
            self.writeFailures = writeFailures
        }
    }
}
