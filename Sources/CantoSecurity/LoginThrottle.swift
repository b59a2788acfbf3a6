import Foundation

/// Slows down password guessing: after a few failures, a username or a client address must
/// wait before the next attempt, twice as long after each further failure.
///
/// The two are tracked apart, so guessing one account from many addresses and many accounts
/// from one address are both slowed. Nothing here sleeps: callers pass the time and get back
/// how long to wait, for a `Retry-After` header. Entries are forgotten once `maximumDelay` has
/// passed since their last failure, and the table never holds more than `maximumEntries` of each.
public actor LoginThrottle {
    /// How quickly the wait grows.
    public struct Policy: Sendable, Equatable {
        /// Failures allowed before any wait.
        public var freeFailures: Int
        /// The wait after the first failure beyond the free ones; it doubles with each further one.
        public var firstDelay: Duration
        /// The longest wait, and how long a quiet entry is remembered.
        public var maximumDelay: Duration
        /// The most usernames (and, apart, addresses) remembered; the oldest go first.
        public var maximumEntries: Int

        /// Three free failures, then 1 s, 2 s, 4 s … up to 15 minutes.
        public init(
            freeFailures: Int = 3, firstDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(15 * 60),
            maximumEntries: Int = 50_000
        ) {
            self.freeFailures = freeFailures
            self.firstDelay = firstDelay
            self.maximumDelay = maximumDelay
            self.maximumEntries = maximumEntries
        }

        /// The wait after `failures` failures in a row.
        public func delay(afterFailures failures: Int) -> Duration {
            guard failures > freeFailures else { return .zero }
            let doublings = min(failures - freeFailures - 1, 62)
            let seconds = min(firstDelay.seconds * pow(2, Double(doublings)), maximumDelay.seconds)
            return .seconds(seconds)
        }
    }

    private struct Entry {
        var failures: Int
        var lastFailure: Date
    }

    /// How quickly the wait grows.
    public let policy: Policy
    private var usernames: [String: Entry] = [:]
    private var addresses: [String: Entry] = [:]
    private var lastSweep = Date.distantPast

    /// A throttle with nothing counted yet.
    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// How long the caller must still wait, or nil when an attempt may go ahead now. The longer
    /// of the username's and the address's waits; either may be nil (an API key has no username).
    public func check(username: String?, address: String?, now: Date = Date()) -> Duration? {
        let byName = username.flatMap { wait(usernames[Self.key($0)], now: now) }
        let byAddress = address.flatMap { wait(addresses[Self.key(address: $0)], now: now) }
        return [byName, byAddress].compactMap { $0 }.max()
    }

    /// `check` in whole seconds, rounded up, as a `Retry-After` header wants it.
    public func retryAfter(username: String?, address: String?, now: Date = Date()) -> Int? {
        check(username: username, address: address, now: now).map { Int($0.seconds.rounded(.up)) }
    }

    /// Counts a failed attempt against the username and the address.
    public func recordFailure(username: String?, address: String?, now: Date = Date()) {
        sweep(now: now)
        if let username { Self.count(&usernames[Self.key(username)], now: now, policy: policy) }
        if let address { Self.count(&addresses[Self.key(address: address)], now: now, policy: policy) }
    }

    /// Forgets the failures of the username and the address after a successful sign-in.
    public func recordSuccess(username: String?, address: String?) {
        if let username { usernames[Self.key(username)] = nil }
        if let address { addresses[Self.key(address: address)] = nil }
    }

    /// How many usernames and addresses are remembered.
    public var entryCount: (usernames: Int, addresses: Int) {
        (usernames.count, addresses.count)
    }

    private func wait(_ entry: Entry?, now: Date) -> Duration? {
        guard let entry, !isExpired(entry, now: now) else { return nil }
        let remaining = entry.lastFailure.timeIntervalSince(now) + policy.delay(afterFailures: entry.failures).seconds
        return remaining > 0 ? .seconds(remaining) : nil
    }

    private func isExpired(_ entry: Entry, now: Date) -> Bool {
        now.timeIntervalSince(entry.lastFailure) >= policy.maximumDelay.seconds
    }

    private static func count(_ entry: inout Entry?, now: Date, policy: Policy) {
        if let last = entry, now.timeIntervalSince(last.lastFailure) < policy.maximumDelay.seconds {
            entry = Entry(failures: last.failures + 1, lastFailure: now)
        } else {
            entry = Entry(failures: 1, lastFailure: now)
        }
    }

    /// Usernames are matched without regard to case, as the user store matches them; keys are
    /// cut short so a huge username cannot take much memory.
    private static func key(_ username: String) -> String {
        String(username.lowercased().prefix(256))
    }

    private static func key(address: String) -> String {
        String(address.prefix(256))
    }

    /// Drops expired entries at most once a minute, or at once when a table is full; then,
    /// if one is still full (a flood of fresh names), the oldest tenth, so the sort is rare.
    private func sweep(now: Date) {
        let full = usernames.count >= policy.maximumEntries || addresses.count >= policy.maximumEntries
        guard full || now.timeIntervalSince(lastSweep) >= 60 else { return }
        lastSweep = now
        usernames = usernames.filter { !isExpired($0.value, now: now) }
        addresses = addresses.filter { !isExpired($0.value, now: now) }
        Self.trim(&usernames, capacity: policy.maximumEntries)
        Self.trim(&addresses, capacity: policy.maximumEntries)
    }

    private static func trim(_ table: inout [String: Entry], capacity: Int) {
        guard table.count >= capacity else { return }
        let keep = max(0, capacity - max(1, capacity / 10))
        let oldest = table.sorted { $0.value.lastFailure < $1.value.lastFailure }.prefix(table.count - keep)
        for (key, _) in oldest { table[key] = nil }
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
