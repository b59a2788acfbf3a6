import ArgumentParser
import CantoServer
import Foundation

struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the built-in plugins and their state.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try common.load()
        let logger = Bootstrap.logging(configuration)
        let services = try await startServices(configuration, logger: logger)
        await services.registry.startAll()
        print("ID        STATE     VERSION  CAPABILITIES      NAME")
        for status in await services.registry.status() {
            let columns = [
                status.descriptor.id.padding(toLength: 9, withPad: " ", startingAt: 0),
                status.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
                status.descriptor.version.padding(toLength: 8, withPad: " ", startingAt: 0),
                status.capabilities.joined(separator: ",").padding(toLength: 17, withPad: " ", startingAt: 0),
                status.descriptor.name,
            ]
            print(columns.joined(separator: " ") + (status.message.map { "  (\($0))" } ?? ""))
        }
        await services.registry.stopAll()
    }
}
