import ArgumentParser
import CantoDomain
import CantoServer
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (scans at start by default).")

    @OptionGroup var common: CommonOptions

    @Option(help: "The address to listen on.")
    var host: String?

    @Option(help: "The port to listen on.")
    var port: String?

    func run() async throws {
        AllocatorArenas.limit()
        var extra: [String: String] = [:]
        if let host { extra["server.host"] = host }
        if let port { extra["server.port"] = port }
        let configuration = try common.load(extra: extra)
        let lock = try DataFolderLock.holdShared(configuration)
        defer { withExtendedLifetime(lock) {} }
        let levels = Bootstrap.levels(configuration)
        let logger = Bootstrap.logging(configuration, levels: levels)
        let metrics = Bootstrap.metrics()
        // The admin page's log-level control changes the levels the handlers read.
        let services = try await startServices(configuration, logger: logger, logLevels: levels)
        logger.info(
            "starting Canto",
            metadata: [
                "server.address": "\(configuration.host):\(configuration.port)",
                "data.dir": "\(configuration.dataDirectory.path)",
                "library.folders": "\(configuration.musicFolders.joined(separator: ", "))",
            ])
        // SIGHUP asks for a scan, like a reload in other daemons.
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler { Task { await services.scans.requestScan() } }
        hangup.resume()
        if let token = try await services.accounts.prepareSetup() {
            // The one secret that is meant for the log: it can only create the first admin, once.
            let scheme = configuration.tls == nil ? "http" : "https"
            let host = configuration.host == "0.0.0.0" ? "localhost" : configuration.host
            let link = "\(scheme)://\(host):\(configuration.port)/setup.html#\(token)"
            logger.notice(
                "no users yet: create the first admin at \(link) (or: canto user add NAME --role admin --password-stdin)"
            )
        }
        let app = try buildApplication(services: services, metrics: metrics, logger: logger)
        try await app.runService()
        hangup.cancel()
    }
}
