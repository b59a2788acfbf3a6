import ArgumentParser
import CantoServer
import Foundation

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the configuration.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print the effective values, secrets masked.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let configuration = try await common.load().includingAdminPluginSettings()
            do {
                try configuration.validatePlugins()
            } catch {
                FileHandle.standardError.write(Data("canto: configuration error: \(error)\n".utf8))
                throw ExitCode(2)
            }
            print(configuration.rendered(secretPluginKeys: BuiltinPlugins.secretKeys), terminator: "")
        }
    }
}
