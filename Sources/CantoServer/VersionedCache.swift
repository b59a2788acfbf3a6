import Synchronization

/// Values built from the whole catalog, kept until the catalog's version moves on. Every
/// entry belongs to one version; asking with a newer version empties the cache.
final class VersionedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var version: Int?
        var entries: [Key: Value] = [:]
    }

    private let state = Mutex(State())
    /// Entries kept per version.
    private let capacity: Int

    init(capacity: Int = 64) { self.capacity = capacity }

    /// The cached value for `key` at `version`, or the one `build` makes (then cached). Two
    /// callers racing on a miss both build; the values are equal.
    func value(for key: Key, version: Int, build: () async throws -> Value) async rethrows -> Value {
        let cached = state.withLock { state -> Value? in
            guard state.version == version else { return nil }
            return state.entries[key]
        }
        if let cached { return cached }
        let value = try await build()
        state.withLock { state in
            if state.version != version {
                state.version = version
                state.entries = [:]
            }
            // Full: make room by dropping an arbitrary entry (a hash table has no cheaper order).
            if state.entries.count >= capacity, state.entries[key] == nil {
                state.entries.remove(at: state.entries.startIndex)
            }
            state.entries[key] = value
        }
        return value
    }
}
