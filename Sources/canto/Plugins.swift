import ArgumentParser
import CantoPluginKit
import CantoServer
import Foundation

struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in plugins as configured (enabled or not), without starting any.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try await common.load().includingAdminPluginSettings()
        let statuses: [PluginStatus]
        do {
            statuses = try configuration.describePlugins()
        } catch let error as PluginConfigurationError {
            FileHandle.standardError.write(Data("canto: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print("ID        STATE     VERSION  CAPABILITIES      NAME")
        for status in statuses {
            let columns = [
                status.descriptor.id.padding(toLength: 9, withPad: " ", startingAt: 0),
                (status.enabled ? "enabled" : "disabled").padding(toLength: 9, withPad: " ", startingAt: 0),
                status.descriptor.version.padding(toLength: 8, withPad: " ", startingAt: 0),
                status.capabilities.joined(separator: ",").padding(toLength: 17, withPad: " ", startingAt: 0),
                status.descriptor.name,
            ]
            print(columns.joined(separator: " ") + (status.message.map { "  (\($0))" } ?? ""))
        }
    }
}
