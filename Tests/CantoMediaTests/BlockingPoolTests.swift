import CantoMedia
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The pool never runs more jobs at once than it has threads, and runs every job it is given.
@Suite struct BlockingPoolTests {
    /// Counts the jobs inside the pool and the most seen at once; jobs wait at a gate.
    final class Probe: @unchecked Sendable {
        private let lock = NSLock()
        private var inside = 0
        private(set) var most = 0
        private var finished = 0
        let gate = DispatchSemaphore(value: 0)

        func enter() {
            lock.withLock {
                inside += 1
                most = max(most, inside)
            }
        }
        func leave() {
            lock.withLock {
                inside -= 1; finished += 1
            }
        }
        var counts: (inside: Int, finished: Int) { lock.withLock { (inside, finished) } }
    }

    @Test(arguments: [false, true]) func neverRunsMoreJobsThanItHasThreads(lowPriority: Bool) async throws {
        let pool = BlockingPool(label: "test", threads: 3, lowPriority: lowPriority)
        let probe = Probe()
        let jobs = 10
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<jobs {
                group.addTask {
                    try await pool.run {
                        probe.enter()
                        probe.gate.wait()
                        probe.leave()
                        return index
                    }
                }
            }
            // Let the jobs through one at a time, each once the pool is full again.
            for released in 0..<jobs {
                let expectedInside = min(3, jobs - released)
                // One reading of both counts: two readings could straddle a job leaving.
                var counts = probe.counts
                while counts.inside < expectedInside || counts.finished < released {
                    await Task.yield()
                    counts = probe.counts
                }
                #expect(counts.inside == expectedInside)
                probe.gate.signal()
            }
            var seen = Set<Int>()
            for try await index in group { seen.insert(index) }
            #expect(seen == Set(0..<jobs))
        }
        #expect(probe.most == 3)
    }

    /// A low-priority pool runs its jobs on threads the kernel serves after the others (a higher
    /// nice value than an ordinary pool's and the caller's), and leaves the caller as it was.
    @Test func aLowPriorityPoolsJobsRunBelowTheRest() async throws {
        @Sendable func nice() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        let before = nice()
        let low = BlockingPool(label: "test", threads: 2, lowPriority: true)
        let values = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<6 { group.addTask { try await low.run { nice() } } }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        let ordinary = try await BlockingPool(label: "test", threads: 1).run { nice() }
        #expect(values.count == 6)
        #expect(values.allSatisfy { $0 > ordinary && $0 > before } || before == 19, "\(values), \(ordinary)")
        #expect(nice() == before)
    }

    @Test func anErrorComesBackToTheCaller() async throws {
        struct Failure: Error {}
        let pool = BlockingPool(label: "test", threads: 1)
        await #expect(throws: Failure.self) { try await pool.run { () throws -> Int in throw Failure() } }
        #expect(try await pool.run { 7 } == 7)
    }
}
