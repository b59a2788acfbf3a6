import CantoCore
import Foundation
import Testing

@testable import CantoSecurity

@Suite struct PasswordVerificationCacheTests {
    let clock = ManualClock()
    let alice = UserID("u-alice")
    let bob = UserID("u-bob")
    let hash = "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
    let otherHash = "$2b$12$zyxwvutsrqponmlkjihgfeZYXWVUTSRQPONMLKJIHGFEDCBA98765"

    @Test func aVerifiedPasswordIsRememberedForItsUserAndHashOnly() {
        let cache = PasswordVerificationCache(clock: clock)
        #expect(!cache.contains(user: alice, password: "correct horse", hash: hash))
        cache.insert(user: alice, password: "correct horse", hash: hash)
        #expect(cache.contains(user: alice, password: "correct horse", hash: hash))
        #expect(!cache.contains(user: alice, password: "correct horse ", hash: hash))
        #expect(!cache.contains(user: alice, password: "Correct horse", hash: hash))
        #expect(!cache.contains(user: bob, password: "correct horse", hash: hash))
    }

    @Test func entriesExpireOnTheClock() {
        let cache = PasswordVerificationCache(lifetime: .seconds(600), clock: clock)
        cache.insert(user: alice, password: "correct horse", hash: hash)
        clock.advance(by: 599.9)
        #expect(cache.contains(user: alice, password: "correct horse", hash: hash))
        clock.advance(by: 0.1)
        #expect(!cache.contains(user: alice, password: "correct horse", hash: hash))
        #expect(cache.count == 0)
        // A clock set back does not stretch an entry either.
        cache.insert(user: alice, password: "correct horse", hash: hash)
        clock.advance(by: -1)
        #expect(!cache.contains(user: alice, password: "correct horse", hash: hash))
    }

    @Test func aNewHashEndsTheEntry() {
        let cache = PasswordVerificationCache(clock: clock)
        cache.insert(user: alice, password: "correct horse", hash: hash)
        #expect(!cache.contains(user: alice, password: "correct horse", hash: otherHash))
        // The stale entry is dropped, not kept for the old hash to come back.
        #expect(cache.count == 0)
        #expect(!cache.contains(user: alice, password: "correct horse", hash: hash))
    }

    @Test func invalidateForgetsOneUser() {
        let cache = PasswordVerificationCache(clock: clock)
        cache.insert(user: alice, password: "one password", hash: hash)
        cache.insert(user: alice, password: "two password", hash: hash)
        cache.insert(user: bob, password: "one password", hash: otherHash)
        cache.invalidate(user: alice)
        #expect(cache.count == 1)
        #expect(!cache.contains(user: alice, password: "one password", hash: hash))
        #expect(cache.contains(user: bob, password: "one password", hash: otherHash))
        cache.removeAll()
        #expect(cache.count == 0)
    }

    @Test func aFullCacheDropsTheOldest() {
        let cache = PasswordVerificationCache(capacity: 3, clock: clock)
        for index in 0..<3 {
            cache.insert(user: UserID("u\(index)"), password: "password \(index)", hash: hash)
            clock.advance(by: 1)
        }
        cache.insert(user: UserID("u3"), password: "password 3", hash: hash)
        #expect(cache.count == 3)
        #expect(!cache.contains(user: UserID("u0"), password: "password 0", hash: hash))
        for index in 1...3 {
            #expect(cache.contains(user: UserID("u\(index)"), password: "password \(index)", hash: hash))
        }
        // Replacing an entry does not evict another.
        cache.insert(user: UserID("u3"), password: "password 3", hash: hash)
        #expect(cache.count == 3)
    }

    @Test func theKeysAreMACsAndHoldNoPassword() {
        let password = "correct horse battery"
        let cache = PasswordVerificationCache(clock: clock)
        cache.insert(user: alice, password: password, hash: hash)
        cache.insert(user: bob, password: password, hash: hash)
        let keys = cache.storedKeys
        #expect(keys.count == 2)
        #expect(keys.allSatisfy { $0.count == 32 })
        // Not the password, nor its plain SHA-256, and the same password gives each user another key.
        let passwordBytes = Data(password.utf8)
        #expect(keys.allSatisfy { $0.range(of: passwordBytes) == nil })
        #expect(!keys.contains(Data(Hex.decode(Tokens.hash(password)) ?? [])))
        #expect(Set(keys).count == 2)
        // Each cache has its own random key: the same input gives another MAC.
        let other = PasswordVerificationCache(clock: clock)
        other.insert(user: alice, password: password, hash: hash)
        #expect(Set(keys).isDisjoint(with: other.storedKeys))
    }

    @Test func userIDsAndPasswordsCannotRunIntoEachOther() {
        let cache = PasswordVerificationCache(clock: clock)
        for (user, password) in [("ab", "cdefghij"), ("abc", "defghij"), ("a", "bcdefghij")] {
            cache.insert(user: UserID(user), password: password, hash: hash)
        }
        #expect(Set(cache.storedKeys).count == 3)
    }
}
