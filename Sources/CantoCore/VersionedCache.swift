import Synchronization

/// Values built from the database, kept until its version moves on (the catalog version, or the
/// store's generation). Every entry belongs to one version; asking with a newer version empties
/// the cache. Two callers racing on a miss both build; the values are equal.
public final class VersionedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var version: Int?
        var entries: [Key: Value] = [:]
    }

    private let state = Mutex(State())
    /// Entries kept per version.
    private let capacity: Int
    /// Where hits, misses and evictions are counted for `/metrics`; nil for an unnamed cache.
    private let counters: CacheCounters?

    /// A cache of at most `capacity` entries; a `name` makes its counts appear on `/metrics`.
    public init(name: String? = nil, capacity: Int = 64) {
        self.capacity = capacity
        counters = name.map(CacheCounters.named)
    }

    deinit {
        let held = state.withLock { $0.entries.count }
        counters?.entriesChanged(by: -held)
    }

    /// The cached value for `key` at `version`, or the one `build` makes (then cached).
    public func value(for key: Key, version: Int, build: () async throws -> Value) async rethrows -> Value {
        if let cached = cached(key, version) { return cached }
        return keep(try await build(), for: key, version: version)
    }

    /// `value(for:version:build:)` for a `build` that does not wait.
    public func value(for key: Key, version: Int, build: () throws -> Value) rethrows -> Value {
        if let cached = cached(key, version) { return cached }
        return keep(try build(), for: key, version: version)
    }

    private func cached(_ key: Key, _ version: Int) -> Value? {
        let found = state.withLock { $0.version == version ? $0.entries[key] : nil }
        if found == nil { counters?.miss() } else { counters?.hit() }
        return found
    }

    private func keep(_ value: Value, for key: Key, version: Int) -> Value {
        state.withLock { state in
            // A slow builder of an older version never replaces a newer version's entries.
            if let kept = state.version, kept > version { return }
            let before = state.entries.count
            var dropped = 0
            if state.version != version {
                state.version = version
                dropped = state.entries.count
                state.entries = [:]
            }
            // Full: make room by dropping an arbitrary entry (a hash table has no cheaper order).
            if state.entries.count >= capacity, state.entries[key] == nil {
                state.entries.remove(at: state.entries.startIndex)
                dropped += 1
            }
            state.entries[key] = value
            counters?.evicted(dropped)
            counters?.entriesChanged(by: state.entries.count - before)
        }
        return value
    }
}
