import CantoCore
import Synchronization
import Testing

/// Callers of one key at once share one build; its error reaches each; nothing is kept after it.
@Suite("Single flight")
struct SingleFlightTests {
    struct Refused: Error {}

    /// How many builds ran.
    final class Builds: Sendable {
        let count = Mutex(0)
        func next() -> Int {
            count.withLock { count in
                count += 1
                return count
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func callersAtOnceShareOneBuild() async throws {
        let flights = SingleFlight<String, Int>()
        let builds = Builds()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await flights.value(for: "index") {
                        let number = builds.next()
                        for await _ in gate {}
                        return 100 + number
                    }
                }
            }
            // The build runs until every caller has joined it.
            while flights.callers(of: "index") < 20 { await Task.yield() }
            open.finish()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: 101, count: 20))
        #expect(builds.count.withLock { $0 } == 1)
        #expect(flights.callers(of: "index") == 0)
        // Nothing kept: the next call builds again.
        #expect(try await flights.value(for: "index") { 7 } == 7)
    }

    @Test(.timeLimit(.minutes(1))) func aFailedBuildFailsEveryCallerAndTheNextOneBuildsAgain() async throws {
        let flights = SingleFlight<Int, Int>()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        _ = try await flights.value(for: 1) {
                            for await _ in gate {}
                            throw Refused()
                        }
                        return false
                    } catch {
                        return error is Refused
                    }
                }
            }
            while flights.callers(of: 1) < 5 { await Task.yield() }
            open.finish()
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(failures == 5)
        #expect(try await flights.value(for: 1) { 2 } == 2)
    }
}
