import CantoSecurity
import Foundation
import Testing

@Suite struct LoginThrottleTests {
    let start = Date(timeIntervalSinceReferenceDate: 800_000_000)

    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    @Test func threeFailuresAreFreeThenTheWaitDoubles() async {
        let throttle = LoginThrottle()
        for _ in 0..<3 {
            #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: start) == nil)
            await throttle.recordFailure(username: "alice", address: "10.0.0.1", now: start)
        }
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: start) == nil)

        // Each further failure, made as soon as allowed, doubles the wait: 1 s, 2 s, 4 s, 8 s …
        var now = start
        for expected in [1, 2, 4, 8, 16, 32] {
            await throttle.recordFailure(username: "alice", address: "10.0.0.1", now: now)
            #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: now) == .seconds(expected))
            #expect(await throttle.retryAfter(username: "alice", address: "10.0.0.1", now: now) == expected)
            now = now.addingTimeInterval(Double(expected))
        }
    }

    @Test func theWaitIsCappedAtFifteenMinutes() {
        let policy = LoginThrottle.Policy()
        #expect(policy.delay(afterFailures: 3) == .zero)
        #expect(policy.delay(afterFailures: 4) == .seconds(1))
        #expect(policy.delay(afterFailures: 13) == .seconds(512))
        #expect(policy.delay(afterFailures: 14) == .seconds(900))
        #expect(policy.delay(afterFailures: 1_000) == .seconds(900))
        #expect(policy.delay(afterFailures: .max) == .seconds(900))
    }

    @Test func theBlockLiftsOnceTheWaitHasPassed() async {
        let throttle = LoginThrottle()
        for _ in 0..<5 { await throttle.recordFailure(username: "alice", address: nil, now: start) }
        #expect(await throttle.check(username: "alice", address: nil, now: start) == .seconds(2))
        #expect(await throttle.check(username: "alice", address: nil, now: at(0.5)) == .seconds(1.5))
        #expect(await throttle.retryAfter(username: "alice", address: nil, now: at(0.5)) == 2)
        #expect(await throttle.check(username: "alice", address: nil, now: at(1.999)) != nil)
        #expect(await throttle.check(username: "alice", address: nil, now: at(2)) == nil)
        #expect(await throttle.retryAfter(username: "alice", address: nil, now: at(2)) == nil)
    }

    @Test func successForgetsTheUsernameAndTheAddress() async {
        let throttle = LoginThrottle()
        for _ in 0..<6 { await throttle.recordFailure(username: "alice", address: "10.0.0.1", now: start) }
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: start) != nil)

        await throttle.recordSuccess(username: "alice", address: "10.0.0.1")
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: start) == nil)
        // Counting starts again from zero: three more failures are free.
        for _ in 0..<3 { await throttle.recordFailure(username: "alice", address: "10.0.0.1", now: start) }
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: start) == nil)
    }

    @Test func usernamesAndAddressesAreTrackedApart() async {
        let throttle = LoginThrottle()
        // One address guessing many accounts, one guess each.
        for name in ["a", "b", "c", "d"] {
            await throttle.recordFailure(username: name, address: "10.0.0.1", now: start)
        }
        #expect(await throttle.check(username: "e", address: "10.0.0.1", now: start) == .seconds(1))
        #expect(await throttle.check(username: "a", address: "10.0.0.2", now: start) == nil)
        #expect(await throttle.check(username: "a", address: nil, now: start) == nil)

        // Many addresses guessing one account.
        for index in 1...4 {
            await throttle.recordFailure(username: "carol", address: "192.168.0.\(index)", now: start)
        }
        #expect(await throttle.check(username: "carol", address: "192.168.0.99", now: start) == .seconds(1))
        #expect(await throttle.check(username: nil, address: "192.168.0.1", now: start) == nil)
        #expect(await throttle.check(username: "dave", address: "192.168.0.1", now: start) == nil)

        // Success for one user from the busy address clears the address, not the other names.
        await throttle.recordSuccess(username: "e", address: "10.0.0.1")
        #expect(await throttle.check(username: "f", address: "10.0.0.1", now: start) == nil)
        #expect(await throttle.check(username: "carol", address: "10.0.0.1", now: start) == .seconds(1))
    }

    @Test func theLongerOfTheTwoWaitsApplies() async {
        let throttle = LoginThrottle()
        for _ in 0..<6 { await throttle.recordFailure(username: "alice", address: nil, now: start) }
        for _ in 0..<4 { await throttle.recordFailure(username: nil, address: "10.0.0.1", now: start) }
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: start) == .seconds(4))
        #expect(await throttle.check(username: "bob", address: "10.0.0.1", now: start) == .seconds(1))
    }

    @Test func usernamesMatchWithoutRegardToCase() async {
        let throttle = LoginThrottle()
        for name in ["Alice", "ALICE", "alice", "aLiCe"] {
            await throttle.recordFailure(username: name, address: nil, now: start)
        }
        #expect(await throttle.check(username: "alice", address: nil, now: start) == .seconds(1))
    }

    @Test func quietEntriesAreForgottenAfterTheCap() async {
        let throttle = LoginThrottle()
        for _ in 0..<20 { await throttle.recordFailure(username: "alice", address: "10.0.0.1", now: start) }
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: at(899)) != nil)
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: at(900)) == nil)
        // The next failure counts as the first again.
        await throttle.recordFailure(username: "alice", address: "10.0.0.1", now: at(901))
        #expect(await throttle.check(username: "alice", address: "10.0.0.1", now: at(901)) == nil)
        // And the periodic sweep drops entries nobody touched.
        await throttle.recordFailure(username: "bob", address: "10.0.0.9", now: at(2_000))
        #expect(await throttle.entryCount == (usernames: 1, addresses: 1))
    }

    @Test func memoryStaysBoundedUnderAFlood() async {
        let throttle = LoginThrottle(policy: .init(maximumEntries: 100))
        for index in 0..<1_000 {
            await throttle.recordFailure(
                username: "user\(index)", address: "10.0.\(index / 256).\(index % 256)", now: at(Double(index) / 1000))
        }
        let count = await throttle.entryCount
        #expect(count.usernames <= 100)
        #expect(count.addresses <= 100)
        // The newest entries are the ones kept.
        for _ in 0..<3 { await throttle.recordFailure(username: "user999", address: nil, now: at(1)) }
        #expect(await throttle.check(username: "user999", address: nil, now: at(1)) == .seconds(1))
    }

    @Test func aCustomPolicyApplies() async {
        let throttle = LoginThrottle(
            policy: .init(freeFailures: 0, firstDelay: .milliseconds(500), maximumDelay: .seconds(3)))
        await throttle.recordFailure(username: "alice", address: nil, now: start)
        #expect(await throttle.check(username: "alice", address: nil, now: start) == .milliseconds(500))
        #expect(await throttle.retryAfter(username: "alice", address: nil, now: start) == 1)
        for _ in 0..<10 { await throttle.recordFailure(username: "alice", address: nil, now: start) }
        #expect(await throttle.check(username: "alice", address: nil, now: start) == .seconds(3))
    }
}
