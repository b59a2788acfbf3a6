import ArgumentParser
import CantoServer
import Foundation

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration, folders, database, disk space, backups, FFmpeg, TagLib and the clock.",
        discussion: "Prints ok, warn or fail for each check with what to fix; exits 1 when a check fails.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration: CantoConfiguration
        do {
            configuration = try CantoConfiguration.load(
                file: common.config, flags: common.flags(), checkingFiles: false)
        } catch {
            print(Self.line(DoctorCheck("configuration", .fail, "\(error)", fix: "correct the key named")))
            throw ExitCode(1)
        }
        print(Self.line(DoctorCheck("configuration", .ok, configuration.file ?? "no file: built-in defaults")))
        let checks = CantoServer.Doctor.checks(configuration)
        for check in checks { print(Self.line(check)) }
        let worst = checks.map(\.status).max() ?? .ok
        if worst == .fail { throw ExitCode(1) }
    }

    static func line(_ check: DoctorCheck) -> String {
        let status = check.status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
        let name = check.name.padding(toLength: 18, withPad: " ", startingAt: 0)
        return "\(status) \(name) \(check.detail)" + (check.fix.map { "\n      fix: \($0)" } ?? "")
    }
}
