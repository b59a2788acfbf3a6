import Synchronization

/// Values built from the database, kept until its version moves on (the catalog version, or the
/// store's generation). Every entry belongs to one version; asking with a newer version empties
/// the cache. Two callers racing on a miss both build; the values are equal.
///
/// Bounded by entries and, when given a `cost`, by bytes: when either is passed the least recently
/// used entries go first. Recency is a doubly linked list threaded through the entry array by
/// index, so a hit costs a few index writes under the lock it already takes.
public final class VersionedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node {
        var key: Key
        var value: Value
        var cost: Int
        /// The more recently used neighbour, or -1 at the head.
        var newer: Int
        /// The less recently used neighbour, or -1 at the tail.
        var older: Int
    }

    private struct State {
        var version: Int?
        var slots: [Key: Int] = [:]
        var nodes: [Node] = []
        /// The most recently used node, or -1 when empty.
        var head = -1
        /// The least recently used node, or -1 when empty.
        var tail = -1
        var bytes = 0
        /// Entries this cache dropped (its name's counters add up every cache of that name).
        var evictions = 0

        mutating func unlink(_ index: Int) {
            let node = nodes[index]
            if node.newer >= 0 { nodes[node.newer].older = node.older } else { head = node.older }
            if node.older >= 0 { nodes[node.older].newer = node.newer } else { tail = node.newer }
        }

        mutating func pushFront(_ index: Int) {
            nodes[index].newer = -1
            nodes[index].older = head
            if head >= 0 { nodes[head].newer = index }
            head = index
            if tail < 0 { tail = index }
        }

        mutating func touch(_ index: Int) {
            guard head != index else { return }
            unlink(index)
            pushFront(index)
        }

        /// Drops the node at `index`; the last node moves into its slot so the array stays dense.
        mutating func remove(_ index: Int) {
            unlink(index)
            let removed = nodes[index]
            slots[removed.key] = nil
            bytes -= removed.cost
            let last = nodes.count - 1
            if index != last {
                let moved = nodes[last]
                nodes[index] = moved
                slots[moved.key] = index
                if moved.newer >= 0 { nodes[moved.newer].older = index } else { head = index }
                if moved.older >= 0 { nodes[moved.older].newer = index } else { tail = index }
            }
            nodes.removeLast()
        }

        mutating func empty() {
            slots = [:]
            nodes = []
            head = -1
            tail = -1
            bytes = 0
        }
    }

    private let state = Mutex(State())
    /// Entries kept per version.
    private let capacity: Int
    /// Bytes kept per version, as `cost` estimates them.
    private let capacityBytes: Int
    /// An estimate of an entry's size in bytes; nil leaves the cache bounded by entries only.
    private let cost: (@Sendable (Value) -> Int)?
    /// Where hits, misses, evictions, entries and bytes are counted for `/metrics`; nil for an
    /// unnamed cache.
    private let counters: CacheCounters?

    /// A cache of at most `capacity` entries and, when `cost` estimates each value's size, at most
    /// `capacityBytes` bytes; a `name` makes its counts appear on `/metrics`.
    public init(
        name: String? = nil, capacity: Int = 64, capacityBytes: Int = .max,
        cost: (@Sendable (Value) -> Int)? = nil
    ) {
        self.capacity = max(0, capacity)
        self.capacityBytes = max(0, capacityBytes)
        self.cost = cost
        counters = name.map(CacheCounters.named)
    }

    /// A cache called `name` holding at most `capacity` entries and its share of `budget`.
    public convenience init(
        name: String, capacity: Int, budget: MemoryBudget, cost: @escaping @Sendable (Value) -> Int
    ) {
        self.init(name: name, capacity: capacity, capacityBytes: budget.bytes(for: name), cost: cost)
    }

    /// What this one cache holds now (the `/metrics` counts add up every cache of its name).
    public var usage: CacheUsage {
        state.withLock {
            CacheUsage(entries: $0.nodes.count, bytes: $0.bytes, evictions: $0.evictions, capacityBytes: capacityBytes)
        }
    }

    deinit {
        let (entries, bytes) = state.withLock { ($0.nodes.count, $0.bytes) }
        counters?.entriesChanged(by: -entries)
        counters?.bytesChanged(by: -bytes)
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

    /// The cached value for `key` at `version`, if there is one (nothing is built or kept).
    public func value(for key: Key, version: Int) -> Value? { cached(key, version) }

    /// The values of `keys` at `version`: those cached, and the rest made by one call of `build`
    /// with the keys it lacks (then cached). A key `build` leaves out is left out of the answer.
    public func values(for keys: [Key], version: Int, build: ([Key]) throws -> [Key: Value]) rethrows -> [Key: Value] {
        var found: [Key: Value] = [:]
        found.reserveCapacity(keys.count)
        var missing: [Key] = []
        state.withLock { state in
            for key in keys {
                if state.version == version, let index = state.slots[key] {
                    state.touch(index)
                    found[key] = state.nodes[index].value
                } else {
                    missing.append(key)
                }
            }
        }
        counters?.hit(keys.count - missing.count)
        counters?.miss(missing.count)
        guard !missing.isEmpty else { return found }
        for (key, value) in try build(missing) { found[key] = keep(value, for: key, version: version) }
        return found
    }

    private func cached(_ key: Key, _ version: Int) -> Value? {
        let found = state.withLock { state -> Value? in
            guard state.version == version, let index = state.slots[key] else { return nil }
            state.touch(index)
            return state.nodes[index].value
        }
        if found == nil { counters?.miss() } else { counters?.hit() }
        return found
    }

    /// Keeps `value` for `key` at `version` (after a `value(for:version:)` that missed, for a value
    /// not always worth keeping) and returns it.
    @discardableResult
    public func keep(_ value: Value, for key: Key, version: Int) -> Value {
        let size = max(0, cost?(value) ?? 0)
        state.withLock { state in
            // A slow builder of an older version never replaces a newer version's entries.
            if let kept = state.version, kept > version { return }
            let before = (entries: state.nodes.count, bytes: state.bytes)
            var dropped = 0
            if state.version != version {
                state.version = version
                dropped = state.nodes.count
                state.empty()
            }
            if let index = state.slots[key] {
                state.bytes += size - state.nodes[index].cost
                state.nodes[index].value = value
                state.nodes[index].cost = size
                state.touch(index)
            } else {
                state.nodes.append(Node(key: key, value: value, cost: size, newer: -1, older: -1))
                state.slots[key] = state.nodes.count - 1
                state.pushFront(state.nodes.count - 1)
                state.bytes += size
            }
            // Over a bound: the least recently used go first (the new entry too, if alone it is
            // bigger than the whole budget).
            while state.tail >= 0, state.nodes.count > capacity || state.bytes > capacityBytes {
                state.remove(state.tail)
                dropped += 1
            }
            state.evictions += dropped
            counters?.evicted(dropped)
            counters?.entriesChanged(by: state.nodes.count - before.entries)
            counters?.bytesChanged(by: state.bytes - before.bytes)
        }
        return value
    }
}

/// What one in-memory cache holds now and what it dropped so far.
public struct CacheUsage: Sendable, Equatable {
    /// Entries held.
    public var entries: Int
    /// Their estimated bytes (0 without a `cost`).
    public var bytes: Int
    /// Entries dropped for room or because the version moved on.
    public var evictions: Int
    /// The byte bound.
    public var capacityBytes: Int

    /// The figures as given.
    public init(entries: Int, bytes: Int, evictions: Int, capacityBytes: Int) {
        self.entries = entries
        self.bytes = bytes
        self.evictions = evictions
        self.capacityBytes = capacityBytes
    }
}
