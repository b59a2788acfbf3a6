public import CantoCore
import Foundation

/// Slows down password guessing without letting one person's mistakes lock out the others who
/// share their address (a household behind one NAT or reverse proxy).
///
/// Failures are counted in three tables:
///
/// - per **account** (username, without regard to case), from any address: guessing one
///   account, from one address or many, waits after `policy.freeFailures` failures;
/// - per **address and account**: the same count, kept for that address alone. A success
///   clears the account's count and this pair's, but not the pairs of other addresses, so a
///   guesser elsewhere stays slowed while the real owner keeps signing in;
/// - per **address**, with the far higher `addressPolicy` (100 free failures): spraying many
///   names, or unknown ones, from one address, and bad API keys.
///
/// `check` consults the account and the pair, and the address only when that account has not
/// signed in successfully from that address within `trustPeriod`. So Alice's valid credentials
/// are never refused because Bob failed from their shared address: Bob's failures count against
/// Bob and against the address, and the address wait spares accounts known at that address.
/// (A household's own mistakes cannot reach the address limit anyway: each account is paced by
/// its own wait.) API keys carry no username and are checked against the address alone.
///
/// With the default policy three failures are free: the fourth attempt waits 1 s, and each
/// further failure doubles the wait up to 15 minutes. Nothing here sleeps: callers get back how
/// long to wait, for `Retry-After`. Time comes from the injected `WallClock`. Failure entries are
/// forgotten once their policy's `maximumDelay` has passed since their last failure, successes
/// after `trustPeriod`, and no table holds more than `maximumEntries`.
public actor LoginThrottle {
    /// How quickly the wait grows.
    public struct Policy: Sendable, Equatable {
        /// Failed attempts that may be made in a row without waiting; the attempt after them
        /// waits `firstDelay`. 0 and 1 both mean every failure is followed by a wait.
        public var freeFailures: Int
        /// The wait after the last free failure; it doubles with each further one.
        public var firstDelay: Duration
        /// The longest wait, and how long a quiet entry is remembered.
        public var maximumDelay: Duration
        /// The most entries a table keeps; the oldest go first.
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

        /// The default address-wide policy: 100 free failures, then the same growth.
        public static let addressWide = Policy(freeFailures: 100)

        /// The wait after `failures` failures in a row.
        public func delay(afterFailures failures: Int) -> Duration {
            let base = max(freeFailures, 1)
            guard failures >= base else { return .zero }
            let doublings = min(failures - base, 62)
            let seconds = min(firstDelay.seconds * pow(2, Double(doublings)), maximumDelay.seconds)
            return .seconds(seconds)
        }
    }

    private struct Entry {
        var failures: Int
        var lastFailure: Date
    }

    /// An account as seen from one address.
    private struct Pair: Hashable {
        var address: String
        var account: String
    }

    /// The policy for accounts and for address-and-account pairs.
    public let policy: Policy
    /// The policy for addresses as a whole.
    public let addressPolicy: Policy
    /// How long a successful sign-in spares that account, from that address, the address wait.
    public let trustPeriod: Duration
    private let clock: any WallClock
    private var accounts: [String: Entry] = [:]
    private var pairs: [Pair: Entry] = [:]
    private var addresses: [String: Entry] = [:]
    private var trusted: [Pair: Date] = [:]
    private var lastSweep = Date.distantPast

    /// A throttle with nothing counted yet.
    ///
    /// - Parameters:
    ///   - policy: for each account, and each account at each address.
    ///   - addressPolicy: for each address as a whole; keep it far more lenient than `policy`.
    ///   - trustPeriod: how long a success exempts the account at that address from the address wait.
    ///   - clock: where the time comes from.
    public init(
        policy: Policy = Policy(), addressPolicy: Policy = .addressWide, trustPeriod: Duration = .seconds(30 * 86_400),
        clock: any WallClock = SystemClock()
    ) {
        self.policy = policy
        self.addressPolicy = addressPolicy
        self.trustPeriod = trustPeriod
        self.clock = clock
    }

    /// How long the caller must still wait, or nil when an attempt may go ahead now: the longest
    /// of the account's, the pair's and (unless the account is trusted at the address) the
    /// address's waits. Without a username (an API key) only the address counts.
    public func check(username: String?, address: String?) -> Duration? {
        let now = clock.now
        var waits: [Duration?] = []
        if let username {
            let account = Self.key(username)
            waits.append(wait(accounts[account], policy: policy, now: now))
            if let address {
                let pair = Pair(address: Self.key(address: address), account: account)
                waits.append(wait(pairs[pair], policy: policy, now: now))
                if !isTrusted(pair, now: now) {
                    waits.append(wait(addresses[pair.address], policy: addressPolicy, now: now))
                }
            }
        } else if let address {
            waits.append(wait(addresses[Self.key(address: address)], policy: addressPolicy, now: now))
        }
        return waits.compactMap { $0 }.max()
    }

    /// `check` in whole seconds, as `Retry-After` and the messages give it (see `wholeSeconds`).
    public func retryAfter(username: String?, address: String?) -> Int? {
        check(username: username, address: address).map(Self.wholeSeconds)
    }

    /// A wait in whole seconds, rounded up: never 0 while any wait remains.
    public static func wholeSeconds(_ wait: Duration) -> Int {
        let seconds = wait.seconds
        guard seconds > 0 else { return 0 }
        guard seconds < Double(Int.max) else { return .max }
        return max(1, Int(seconds.rounded(.up)))
    }

    /// The Subsonic message for a throttled request: "… try again in N seconds".
    public static func message(retryAfter seconds: Int) -> String {
        "Too many failed sign-ins; try again in \(seconds) \(seconds == 1 ? "second" : "seconds")"
    }

    /// Counts a failed attempt against the account, the pair and the address.
    public func recordFailure(username: String?, address: String?) {
        let now = clock.now
        sweep(now: now)
        let address = address.map(Self.key(address:))
        if let username {
            let account = Self.key(username)
            Self.count(&accounts[account], now: now, policy: policy)
            if let address { Self.count(&pairs[Pair(address: address, account: account)], now: now, policy: policy) }
        }
        if let address { Self.count(&addresses[address], now: now, policy: addressPolicy) }
    }

    /// After a successful sign-in: forgets the account's failures and the pair's, and trusts the
    /// account at that address. The address's own count stays (it may be someone else's), and so
    /// do the account's failures from other addresses.
    public func recordSuccess(username: String?, address: String?) {
        guard let username else { return }
        let account = Self.key(username)
        accounts[account] = nil
        guard let address else { return }
        let pair = Pair(address: Self.key(address: address), account: account)
        pairs[pair] = nil
        let now = clock.now
        if trusted[pair] == nil { sweep(now: now) }
        trusted[pair] = now
    }

    /// How many entries each table holds.
    public var entryCount: (accounts: Int, pairs: Int, addresses: Int, trusted: Int) {
        (accounts.count, pairs.count, addresses.count, trusted.count)
    }

    private func wait(_ entry: Entry?, policy: Policy, now: Date) -> Duration? {
        guard let entry, !Self.isExpired(entry, now: now, policy: policy) else { return nil }
        let remaining = entry.lastFailure.timeIntervalSince(now) + policy.delay(afterFailures: entry.failures).seconds
        return remaining > 0 ? .seconds(remaining) : nil
    }

    private func isTrusted(_ pair: Pair, now: Date) -> Bool {
        guard let since = trusted[pair] else { return false }
        return now.timeIntervalSince(since) < trustPeriod.seconds
    }

    private static func isExpired(_ entry: Entry, now: Date, policy: Policy) -> Bool {
        now.timeIntervalSince(entry.lastFailure) >= policy.maximumDelay.seconds
    }

    private static func count(_ entry: inout Entry?, now: Date, policy: Policy) {
        if let last = entry, !isExpired(last, now: now, policy: policy) {
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
    /// if one is still full (a flood of fresh names), its oldest tenth, so the sort is rare.
    private func sweep(now: Date) {
        let capacity = policy.maximumEntries
        let addressCapacity = addressPolicy.maximumEntries
        let full =
            accounts.count >= capacity || pairs.count >= capacity || trusted.count >= capacity
            || addresses.count >= addressCapacity
        guard full || now.timeIntervalSince(lastSweep) >= 60 else { return }
        lastSweep = now
        let policy = policy
        let addressPolicy = addressPolicy
        let trustSeconds = trustPeriod.seconds
        accounts = accounts.filter { !Self.isExpired($0.value, now: now, policy: policy) }
        pairs = pairs.filter { !Self.isExpired($0.value, now: now, policy: policy) }
        addresses = addresses.filter { !Self.isExpired($0.value, now: now, policy: addressPolicy) }
        trusted = trusted.filter { now.timeIntervalSince($0.value) < trustSeconds }
        Self.trim(&accounts, capacity: capacity) { $0.lastFailure }
        Self.trim(&pairs, capacity: capacity) { $0.lastFailure }
        Self.trim(&addresses, capacity: addressCapacity) { $0.lastFailure }
        Self.trim(&trusted, capacity: capacity) { $0 }
    }

    private static func trim<Key: Hashable, Value>(
        _ table: inout [Key: Value], capacity: Int, date: (Value) -> Date
    ) {
        guard table.count >= capacity else { return }
        let keep = max(0, capacity - max(1, capacity / 10))
        let oldest = table.sorted { date($0.value) < date($1.value) }.prefix(table.count - keep)
        for (key, _) in oldest { table[key] = nil }
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
