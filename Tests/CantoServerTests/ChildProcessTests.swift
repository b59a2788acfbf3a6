import CantoTestSupport
import Foundation
import Testing

/// The tests' own launcher of programs (ffmpeg for fixtures, curl, `canto`), started from many
/// threads at once as fixtures are built in parallel.
@Suite("Child processes")
struct ChildProcessTests {
    enum Outcome: Sendable {
        case sleeping(ChildProcess)
        case ended(index: Int, status: Int32, text: String, inTime: Bool)
    }

    @Test func manyLaunchesAtOnceEachGetTheirOwnOutputAndEnd() async throws {
        // Long-lived children started among the short ones, at the same time: one that inherited
        // a short one's pipe would keep it open, and that pipe's reader would wait 30 seconds.
        let outcomes = await withTaskGroup(of: Outcome.self) { group in
            for index in 0..<96 {
                group.addTask {
                    do {
                        if index % 4 == 0 { return .sleeping(try ChildProcess("sleep", ["30"])) }
                        let child = try ChildProcess(
                            "/bin/sh", ["-c", "echo out $0; echo err $0 >&2; exit $1", "\(index)", "\(index % 3)"])
                        let inTime = await child.waitForExit(timeout: .seconds(20))
                        return .ended(index: index, status: child.terminationStatus, text: child.text, inTime: inTime)
                    } catch {
                        return .ended(index: index, status: -1, text: "\(error)", inTime: false)
                    }
                }
            }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        var sleepers: [ChildProcess] = []
        var ended = 0
        for outcome in outcomes {
            switch outcome {
            case .sleeping(let sleeper): sleepers.append(sleeper)
            case .ended(let index, let status, let text, let inTime):
                ended += 1
                #expect(inTime, "child \(index) did not end: \(text)")
                #expect(status == Int32(index % 3))
                #expect(text.split(separator: "\n").sorted() == ["err \(index)", "out \(index)"])
            }
        }
        #expect(ended == 72)
        #expect(sleepers.count == 24)
        #expect(sleepers.allSatisfy { $0.isRunning })
        for sleeper in sleepers { sleeper.signal(SIGKILL) }
    }

    @Test func inputArrivesAndSignalsEndIt() async throws {
        let echo = try ChildProcess("cat", [], input: Data("fed through standard input".utf8))
        // Its standard input ends once fed: a write end left open (in it, or in another child)
        // would keep it waiting.
        #expect(await echo.waitForExit(timeout: .seconds(20)))
        echo.signal(SIGKILL)
        #expect(echo.terminationReason == .exit)
        #expect(echo.text == "fed through standard input")

        let sleeper = try ChildProcess("sleep", ["30"])
        #expect(sleeper.isRunning)
        sleeper.signal(SIGKILL)
        #expect(await sleeper.waitForExit(timeout: .seconds(20)))
        #expect(sleeper.terminationReason == .uncaughtSignal)
        #expect(sleeper.terminationStatus == SIGKILL)

        #expect(throws: ChildProcess.LaunchError.self) { try ChildProcess("/no/such/program", []) }
    }
}
