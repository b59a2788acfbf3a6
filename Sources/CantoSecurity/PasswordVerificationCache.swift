public import CantoCore
import Crypto
import Foundation
import Synchronization

/// Remembers, for a few minutes, that a user's login password matched their bcrypt hash, so a
/// Subsonic client that sends the password with every request (`p=`) costs one bcrypt per
/// `lifetime` instead of one per call.
///
/// The password itself is never kept: an entry's key is an HMAC-SHA256 of the user id and the
/// password under a random key made for this cache (so for this process), and its value a
/// SHA-256 fingerprint of the hash that matched. A hit needs the user's current hash to have
/// the same fingerprint, so a password change (a new hash) ends every entry of the old one
/// without being told. Only successes are stored. At most `capacity` entries are kept; a full
/// cache drops expired entries, then the oldest.
public final class PasswordVerificationCache: Sendable {
    private struct Entry {
        var user: UserID
        var hashFingerprint: Data
        var verifiedAt: Date
    }

    /// How long a verification is trusted.
    public let lifetime: Duration
    /// The most entries kept.
    public let capacity: Int
    private let key: SymmetricKey
    private let clock: any WallClock
    private let entries = Mutex<[Data: Entry]>([:])

    /// An empty cache with a fresh random key.
    ///
    /// - Parameters:
    ///   - lifetime: how long a successful verification is reused; 5 minutes by default.
    ///   - capacity: the most entries kept, at least 1.
    ///   - clock: where the time comes from.
    public init(lifetime: Duration = .seconds(5 * 60), capacity: Int = 1024, clock: any WallClock = SystemClock()) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
        self.clock = clock
        key = SymmetricKey(size: .bits256)
    }

    /// Whether `password` was verified against `hash` for `user` within `lifetime`, and `hash`
    /// is still the one it was verified against.
    public func contains(user: UserID, password: String, hash: String) -> Bool {
        let key = entryKey(user: user, password: password)
        let fingerprint = Self.fingerprint(hash)
        let now = clock.now
        return entries.withLock { entries in
            guard let entry = entries[key] else { return false }
            // Expired, or verified against a hash the user no longer has: of no more use.
            guard isFresh(entry, now: now), entry.user == user, entry.hashFingerprint == fingerprint else {
                entries[key] = nil
                return false
            }
            return true
        }
    }

    /// Records that `password` matched `hash` for `user`, just now. Call only after a
    /// successful verification.
    public func insert(user: UserID, password: String, hash: String) {
        let key = entryKey(user: user, password: password)
        let entry = Entry(user: user, hashFingerprint: Self.fingerprint(hash), verifiedAt: clock.now)
        entries.withLock { entries in
            if entries[key] == nil, entries.count >= capacity { makeRoom(in: &entries, now: entry.verifiedAt) }
            entries[key] = entry
        }
    }

    /// Forgets every verification of `user` (after a password reset, say; a changed hash
    /// already stops them matching).
    public func invalidate(user: UserID) {
        entries.withLock { entries in entries = entries.filter { $0.value.user != user } }
    }

    /// Forgets every verification.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// How many verifications are kept.
    public var count: Int { entries.withLock { $0.count } }

    /// The stored keys, for tests to check that they are MACs and not passwords.
    var storedKeys: [Data] { entries.withLock { Array($0.keys) } }

    private func isFresh(_ entry: Entry, now: Date) -> Bool {
        let age = now.timeIntervalSince(entry.verifiedAt)
        return age >= 0 && age < lifetime.seconds
    }

    /// Drops the expired entries; when none were, the oldest one.
    private func makeRoom(in entries: inout [Data: Entry], now: Date) {
        entries = entries.filter { isFresh($0.value, now: now) }
        guard entries.count >= capacity,
            let oldest = entries.min(by: { $0.value.verifiedAt < $1.value.verifiedAt })?.key
        else { return }
        entries[oldest] = nil
    }

    /// HMAC-SHA256 of the user id's length (8 bytes, big-endian), the id and the password: the
    /// length keeps ("ab", "c…") and ("a", "bc…") apart.
    private func entryKey(user: UserID, password: String) -> Data {
        let id = Array(user.rawValue.utf8)
        var message = withUnsafeBytes(of: UInt64(id.count).bigEndian) { Array($0) }
        message += id
        message += Array(password.utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    private static func fingerprint(_ hash: String) -> Data {
        Data(SHA256.hash(data: Data(hash.utf8)))
    }
}
