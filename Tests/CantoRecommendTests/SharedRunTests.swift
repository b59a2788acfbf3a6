import CantoRecommend
import Synchronization
import Testing

/// Calls made while a run is under way wait for it rather than start their own; a call after it
/// ends starts a new one.
@Suite struct SharedRunTests {
    @Test func callsDuringARunShareIt() async throws {
        let shared = SharedRun()
        let starts = Atomic<Int>(0)
        let open = Atomic<Bool>(false)
        let work: @Sendable () async throws -> Void = {
            starts.add(1, ordering: .relaxed)
            while !open.load(ordering: .relaxed) { await Task.yield() }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await shared.run(work) }
            // Wait for the run to start, then for four more calls to join it (or, when they
            // start runs of their own instead, give up after a while and let the counts say so).
            let deadline = ContinuousClock.now + .seconds(10)
            while starts.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline { await Task.yield() }
            for _ in 0..<4 { group.addTask { try await shared.run(work) } }
            while shared.joined < 4, starts.load(ordering: .relaxed) == 1, ContinuousClock.now < deadline {
                await Task.yield()
            }
            open.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        let once = starts.load(ordering: .relaxed)
        #expect(once == 1)
        #expect(shared.joined == 4)
        // Over: the next call runs the work again (the gate is open, so it returns at once).
        try await shared.run(work)
        let twice = starts.load(ordering: .relaxed)
        #expect(twice == 2)
    }

    @Test func aFailedRunFailsEveryCallerAndTheNextCallRunsAgain() async throws {
        struct Broken: Error {}
        let shared = SharedRun()
        await #expect(throws: Broken.self) { try await shared.run { throw Broken() } }
        let ran = Atomic<Bool>(false)
        try await shared.run { ran.store(true, ordering: .relaxed) }
        let didRun = ran.load(ordering: .relaxed)
        #expect(didRun)
    }
}
