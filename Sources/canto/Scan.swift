import ArgumentParser
import CantoCore
import CantoServer
import Foundation

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Scan the music folders once and print a summary.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try common.load()
        let lock = try DataFolderLock.holdShared(configuration)
        defer { withExtendedLifetime(lock) {} }
        let logger = Bootstrap.logging(configuration)
        _ = Bootstrap.metrics()
        let scanning = try await withConfigurationErrors {
            try await LibraryScanning(configuration: configuration, logger: logger)
        }
        let display = ProgressDisplay(terminal: isatty(STDERR_FILENO) == 1)
        let summary = try await scanning.scan(progress: display.show)
        display.finish()
        print(ProgressDisplay.summary(summary))
        if summary.errors > 0 {
            print("problems (all are in the log):")
            for problem in summary.problems { print("  \(problem.kind.rawValue): \(problem.path): \(problem.reason)") }
        }
    }
}
