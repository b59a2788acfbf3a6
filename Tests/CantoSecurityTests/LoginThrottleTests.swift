import CantoCore
import CantoSecurity
import Foundation
import Testing

@Suite struct LoginThrottleTests {
    let clock = ManualClock()

    func throttle(
        policy: LoginThrottle.Policy = .init(), addressPolicy: LoginThrottle.Policy = .addressWide,
        trustPeriod: Duration = .seconds(30 * 86_400)
    ) -> LoginThrottle {
        LoginThrottle(policy: policy, addressPolicy: addressPolicy, trustPeriod: trustPeriod, clock: clock)
    }

    // MARK: The wait

    @Test func threeFailuresAreFreeThenTheWaitDoubles() async {
        let throttle = throttle()
        for _ in 0..<3 {
            #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
            await throttle.recordFailure(username: "alice", address: "10.0.0.1")
        }
        // The fourth attempt waits 1 s; each further failure, made as soon as allowed, doubles it.
        var wait = 1
        for _ in 0..<6 {
            #expect(await throttle.check(username: "alice", address: "10.0.0.1") == .seconds(wait))
            #expect(await throttle.retryAfter(username: "alice", address: "10.0.0.1") == wait)
            clock.advance(by: Double(wait))
            #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
            await throttle.recordFailure(username: "alice", address: "10.0.0.1")
            wait *= 2
        }
        #expect(wait == 64)
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == .seconds(64))
    }

    @Test func theFourthAttemptAfterThreeFailuresWaitsWithTheSecondsRoundedUp() async {
        let throttle = throttle()
        let start = clock.now
        for _ in 0..<2 { await throttle.recordFailure(username: "alice", address: "10.0.0.1") }
        #expect(await throttle.retryAfter(username: "alice", address: "10.0.0.1") == nil)
        await throttle.recordFailure(username: "alice", address: "10.0.0.1")
        #expect(await throttle.retryAfter(username: "alice", address: "10.0.0.1") == 1)

        // Nearly all of the second is gone: still 1, never 0 while a wait remains.
        clock.set(to: start.addingTimeInterval(0.999))
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") != nil)
        #expect(await throttle.retryAfter(username: "alice", address: "10.0.0.1") == 1)
        clock.set(to: start.addingTimeInterval(1))
        #expect(await throttle.retryAfter(username: "alice", address: "10.0.0.1") == nil)

        // A fourth failure: 2 s; half a second later, 1.5 s are left, said as 2.
        await throttle.recordFailure(username: "alice", address: "10.0.0.1")
        clock.set(to: start.addingTimeInterval(1.5))
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == .seconds(1.5))
        #expect(await throttle.retryAfter(username: "alice", address: "10.0.0.1") == 2)
        #expect(LoginThrottle.message(retryAfter: 2) == "Too many failed sign-ins; try again in 2 seconds")
        #expect(LoginThrottle.message(retryAfter: 1) == "Too many failed sign-ins; try again in 1 second")
    }

    @Test func wholeSecondsRoundUpAndAreNeverZeroForAWait() {
        #expect(LoginThrottle.wholeSeconds(.zero) == 0)
        #expect(LoginThrottle.wholeSeconds(.nanoseconds(1)) == 1)
        #expect(LoginThrottle.wholeSeconds(.milliseconds(500)) == 1)
        #expect(LoginThrottle.wholeSeconds(.seconds(1)) == 1)
        #expect(LoginThrottle.wholeSeconds(.seconds(2)) == 2)
        #expect(LoginThrottle.wholeSeconds(.milliseconds(2_001)) == 3)
        #expect(LoginThrottle.wholeSeconds(.seconds(900)) == 900)
    }

    @Test func theWaitIsCappedAtFifteenMinutes() {
        let policy = LoginThrottle.Policy()
        #expect(policy.delay(afterFailures: 0) == .zero)
        #expect(policy.delay(afterFailures: 2) == .zero)
        #expect(policy.delay(afterFailures: 3) == .seconds(1))
        #expect(policy.delay(afterFailures: 4) == .seconds(2))
        #expect(policy.delay(afterFailures: 12) == .seconds(512))
        #expect(policy.delay(afterFailures: 13) == .seconds(900))
        #expect(policy.delay(afterFailures: 1_000) == .seconds(900))
        #expect(policy.delay(afterFailures: .max) == .seconds(900))
        let address = LoginThrottle.Policy.addressWide
        #expect(address.delay(afterFailures: 99) == .zero)
        #expect(address.delay(afterFailures: 100) == .seconds(1))
    }

    @Test func theBlockLiftsOnceTheWaitHasPassed() async {
        let throttle = throttle()
        let start = clock.now
        for _ in 0..<4 { await throttle.recordFailure(username: "alice", address: nil) }
        #expect(await throttle.check(username: "alice", address: nil) == .seconds(2))
        clock.set(to: start.addingTimeInterval(0.5))
        #expect(await throttle.check(username: "alice", address: nil) == .seconds(1.5))
        #expect(await throttle.retryAfter(username: "alice", address: nil) == 2)
        clock.set(to: start.addingTimeInterval(1.999))
        #expect(await throttle.check(username: "alice", address: nil) != nil)
        clock.set(to: start.addingTimeInterval(2))
        #expect(await throttle.check(username: "alice", address: nil) == nil)
        #expect(await throttle.retryAfter(username: "alice", address: nil) == nil)
    }

    @Test func aCustomPolicyApplies() async {
        let throttle = throttle(
            policy: .init(freeFailures: 0, firstDelay: .milliseconds(500), maximumDelay: .seconds(3)))
        await throttle.recordFailure(username: "alice", address: nil)
        #expect(await throttle.check(username: "alice", address: nil) == .milliseconds(500))
        #expect(await throttle.retryAfter(username: "alice", address: nil) == 1)
        for _ in 0..<10 { await throttle.recordFailure(username: "alice", address: nil) }
        #expect(await throttle.check(username: "alice", address: nil) == .seconds(3))
    }

    // MARK: Accounts, pairs and addresses

    @Test func oneAccountsFailuresDoNotRefuseAnotherAccountAtTheSameAddress() async {
        let throttle = throttle()
        for _ in 0..<3 { await throttle.recordFailure(username: "bob", address: "10.0.0.1") }
        #expect(await throttle.check(username: "bob", address: "10.0.0.1") == .seconds(1))
        // Alice shares the address and has never signed in: she may try at once.
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
        // Bob is slowed by account from everywhere, and without any address.
        #expect(await throttle.check(username: "bob", address: "192.168.0.7") == .seconds(1))
        #expect(await throttle.check(username: "BOB", address: nil) == .seconds(1))
    }

    @Test func guessingOneAccountFromManyAddressesIsSlowedByAccount() async {
        let throttle = throttle()
        for index in 1...3 { await throttle.recordFailure(username: "carol", address: "192.168.0.\(index)") }
        #expect(await throttle.check(username: "carol", address: "192.168.0.99") == .seconds(1))
        #expect(await throttle.check(username: "dave", address: "192.168.0.1") == nil)
        #expect(await throttle.check(username: nil, address: "192.168.0.1") == nil)
    }

    @Test func successClearsTheAccountAndItsPairButNotAGuesserElsewhere() async {
        let throttle = throttle()
        for _ in 0..<6 { await throttle.recordFailure(username: "alice", address: "203.0.113.9") }
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") != nil)

        // Alice signs in from home after her wait: her account is clear there…
        clock.advance(by: 32)
        await throttle.recordSuccess(username: "alice", address: "10.0.0.1")
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
        #expect(await throttle.check(username: "alice", address: nil) == nil)
        // …but the guesser's address still waits, by its pair: the next guess there waits 16 s.
        #expect(await throttle.retryAfter(username: "alice", address: "203.0.113.9") == nil)
        await throttle.recordFailure(username: "alice", address: "203.0.113.9")
        #expect(await throttle.check(username: "alice", address: "203.0.113.9") == .seconds(16))
        // At home Alice's account holds that one failure only: her next attempt goes ahead.
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
    }

    @Test func theAddressWideLimitComesFarLaterAndSparesAccountsKnownThere() async {
        let throttle = throttle()
        await throttle.recordSuccess(username: "alice", address: "10.0.0.1")
        // A flood of names, one guess each, from the household's address.
        for index in 0..<99 { await throttle.recordFailure(username: "guess\(index)", address: "10.0.0.1") }
        #expect(await throttle.check(username: "carol", address: "10.0.0.1") == nil)
        #expect(await throttle.check(username: nil, address: "10.0.0.1") == nil)
        await throttle.recordFailure(username: "guess99", address: "10.0.0.1")
        // 100 failures: names new at this address, and API keys, now wait …
        #expect(await throttle.check(username: "carol", address: "10.0.0.1") == .seconds(1))
        #expect(await throttle.check(username: nil, address: "10.0.0.1") == .seconds(1))
        // … but Alice, who signed in from here, does not; nor does anyone from elsewhere.
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
        #expect(await throttle.check(username: "ALICE", address: "10.0.0.1") == nil)
        #expect(await throttle.check(username: "carol", address: "10.0.0.2") == nil)
        // A success does not clear the address (the failures may be someone else's).
        await throttle.recordSuccess(username: "alice", address: "10.0.0.1")
        #expect(await throttle.check(username: "carol", address: "10.0.0.1") == .seconds(1))
    }

    @Test func trustAtAnAddressLapses() async {
        let throttle = throttle(trustPeriod: .seconds(3_600))
        await throttle.recordSuccess(username: "alice", address: "10.0.0.1")
        clock.advance(by: 3_600)
        for index in 0..<100 { await throttle.recordFailure(username: "guess\(index)", address: "10.0.0.1") }
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == .seconds(1))
    }

    @Test func theLongestWaitApplies() async {
        let throttle = throttle()
        for index in 0..<103 { await throttle.recordFailure(username: "guess\(index)", address: "10.0.0.1") }
        for _ in 0..<4 { await throttle.recordFailure(username: "alice", address: nil) }
        // The address's 8 s beat Alice's own 2 s; elsewhere only her 2 s count.
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == .seconds(8))
        #expect(await throttle.check(username: "alice", address: "10.0.0.2") == .seconds(2))
        #expect(await throttle.check(username: "bob", address: "10.0.0.1") == .seconds(8))
    }

    @Test func usernamesMatchWithoutRegardToCase() async {
        let throttle = throttle()
        for name in ["Alice", "ALICE", "aLiCe"] { await throttle.recordFailure(username: name, address: "10.0.0.1") }
        #expect(await throttle.check(username: "alice", address: nil) == .seconds(1))
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == .seconds(1))
    }

    // MARK: Memory

    @Test func quietEntriesAreForgottenAfterTheCap() async {
        let throttle = throttle()
        let start = clock.now
        for _ in 0..<20 { await throttle.recordFailure(username: "alice", address: "10.0.0.1") }
        clock.set(to: start.addingTimeInterval(899))
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") != nil)
        clock.set(to: start.addingTimeInterval(900))
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
        // The next failure counts as the first again.
        clock.set(to: start.addingTimeInterval(901))
        await throttle.recordFailure(username: "alice", address: "10.0.0.1")
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)
        // And the periodic sweep drops entries nobody touched.
        clock.set(to: start.addingTimeInterval(2_000))
        await throttle.recordFailure(username: "bob", address: "10.0.0.9")
        #expect(await throttle.entryCount == (accounts: 1, pairs: 1, addresses: 1, trusted: 0))
    }

    @Test func memoryStaysBoundedUnderAFlood() async {
        let throttle = throttle(
            policy: .init(maximumEntries: 100), addressPolicy: .init(freeFailures: 100, maximumEntries: 100))
        for index in 0..<1_000 {
            clock.advance(by: 0.001)
            let address = "10.0.\(index / 256).\(index % 256)"
            await throttle.recordFailure(username: "user\(index)", address: address)
            await throttle.recordSuccess(username: "other\(index)", address: address)
        }
        let count = await throttle.entryCount
        #expect(count.accounts <= 100)
        #expect(count.pairs <= 100)
        #expect(count.addresses <= 100)
        #expect(count.trusted <= 100)
        // The newest entries are the ones kept.
        for _ in 0..<2 { await throttle.recordFailure(username: "user999", address: nil) }
        #expect(await throttle.check(username: "user999", address: nil) == .seconds(1))
    }
}
