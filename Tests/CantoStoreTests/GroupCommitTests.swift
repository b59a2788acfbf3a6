import Foundation
import Synchronization
import Testing

@testable import CantoStore

/// Group commit: callers that arrive while a batch is written wait for the next, and each gets
/// its own answer, whatever the others' were.
@Suite struct GroupCommitTests {
    struct Odd: Error, Equatable { var value: Int }

    /// Doubles each input, fails for odd ones (only those), and remembers each batch's size.
    final class Writer: Sendable {
        let sizes = Mutex<[Int]>([])

        func write(_ inputs: [Int]) async -> [Result<Int, any Error>] {
            sizes.withLock { $0.append(inputs.count) }
            // Let other callers arrive while this batch is "written".
            await Task.yield()
            return inputs.map { $0.isMultiple(of: 2) ? .success($0 * 2) : .failure(Odd(value: $0)) }
        }
    }

    @Test func aCallerAloneIsWrittenAlone() async throws {
        let writer = Writer()
        let group = GroupCommit<Int, Int> { await writer.write($0) }
        for value in [2, 4, 6] { #expect(try await group.submit(value) == value * 2) }
        #expect(writer.sizes.withLock { $0 } == [1, 1, 1])
        #expect(group.figures == (3, 3) && group.queued == 0)
    }

    @Test func everyCallerOfManyAtOnceGetsItsOwnAnswer() async throws {
        let writer = Writer()
        let group = GroupCommit<Int, Int> { await writer.write($0) }
        let count = 2_000
        let answers = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { tasks in
            for value in 0..<count {
                tasks.addTask {
                    do { return (value, .success(try await group.submit(value))) } catch {
                        return (value, .failure(error))
                    }
                }
            }
            var answers: [Int: Result<Int, any Error>] = [:]
            for await (value, answer) in tasks { answers[value] = answer }
            return answers
        }
        #expect(answers.count == count)
        for value in 0..<count {
            if value.isMultiple(of: 2) {
                #expect(try answers[value]?.get() == value * 2)
            } else {
                #expect(throws: Odd(value: value)) { try answers[value]?.get() }
            }
        }
        let sizes = writer.sizes.withLock { $0 }
        #expect(sizes.reduce(0, +) == count && group.figures.inputs == count && group.figures.batches == sizes.count)
        // Nothing is left waiting, and the callers did share batches.
        #expect(group.queued == 0)
        #expect(sizes.count < count)
    }

    /// A caller cancelled while its batch is written (a client gone) does not fail the others in it.
    @Test func aCancelledLeaderDoesNotFailTheOthersInItsBatch() async throws {
        let calls = Mutex(0)
        let opened = Mutex(0)
        let group = GroupCommit<Int, Int> { inputs in
            let call = calls.withLock { calls in
                calls += 1
                return calls
            }
            while opened.withLock({ $0 }) < call { try? await Task.sleep(for: .milliseconds(1)) }
            return inputs.map { Task.isCancelled ? .failure(CancellationError()) : .success($0 * 2) }
        }
        func until(_ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
            #expect(condition())
        }
        let first = Task { try await group.submit(1) }
        try await until { calls.withLock { $0 } == 1 }
        let second = Task { try await group.submit(2) }
        try await until { group.queued == 2 }
        let third = Task { try await group.submit(3) }
        try await until { group.queued == 3 }
        // The first batch ends; the second caller leads the next, with the third in it.
        opened.withLock { $0 += 1 }
        try await until { calls.withLock { $0 } == 2 }
        second.cancel()
        opened.withLock { $0 += 1 }
        #expect(try await first.value == 2)
        #expect(try await third.value == 6)
        #expect(try await second.value == 4)
        #expect(group.figures == (2, 3))
    }
}
