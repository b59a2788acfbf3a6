import ArgumentParser
import CantoServer
import Foundation

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the listening statistics.", subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll the statistics up again from the listening history (the same figures, from scratch).")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let configuration = try common.load()
            let started = ContinuousClock.now
            let plays = try await StatsMaintenance.rebuild(configuration: configuration)
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            print(String(format: "rebuilt the statistics from %d plays in %.1f s", plays, seconds))
        }
    }
}
