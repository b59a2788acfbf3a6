import ArgumentParser
import CantoCore
import CantoPluginKit
import CantoServer
import CantoStore
import Foundation
import Logging
import Metrics
import Prometheus

@main
struct Canto: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canto", abstract: "A self-hosted music server.",
        subcommands: [
            Serve.self, Scan.self, UserCommand.self, Plugins.self, Config.self, Stats.self, Backup.self, Restore.self,
            Doctor.self,
        ],
        defaultSubcommand: Serve.self
    )

    /// SQLite's process-wide settings go first: they only apply before any database is opened.
    static func main() async {
        _ = SQLiteProcess.heapUncounted
        await main(nil)
    }
}

/// Options every command shares: where the configuration, the data and the music are.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The TOML configuration file (else $CANTO_CONFIG, else ./canto.toml).")
    var config: String?

    @Option(name: .long, help: "The data folder (database, caches).")
    var dataDir: String?

    @Option(name: .long, help: "A music folder; repeat for several.")
    var musicFolder: [String] = []

    func flags(extra: [String: String] = [:]) -> [String: String] {
        var flags = extra
        if let dataDir { flags["data.dir"] = dataDir }
        if !musicFolder.isEmpty { flags["library.music_folders"] = musicFolder.joined(separator: ",") }
        return flags
    }

    /// Loads the configuration, or exits with code 2 and a message naming the key.
    func load(extra: [String: String] = [:]) throws -> CantoConfiguration {
        do {
            return try CantoConfiguration.load(file: config, flags: flags(extra: extra))
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("canto: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Logging and metrics are bootstrapped here, once, and nowhere else.
enum Bootstrap {
    static func logging(_ configuration: CantoConfiguration, level minimum: Logger.Level? = nil) -> Logger {
        logging(configuration, levels: levels(configuration, minimum: minimum))
    }

    /// The levels from `log.level` and `log.levels`, none quieter than `minimum`.
    static func levels(_ configuration: CantoConfiguration, minimum: Logger.Level? = nil) -> LogLevels {
        let configured = configuration.logLevels
        return LogLevels(level: configured.level, subsystems: configured.subsystems, floor: minimum ?? .trace)
    }

    /// Every handler reads its level from `levels` on each line, by its logger's subsystem.
    static func logging(_ configuration: CantoConfiguration, levels: LogLevels) -> Logger {
        let json = configuration.logFormat == "json"
        // Lines written while a request is handled carry its ID, route and user, whoever writes them.
        LoggingSystem.bootstrap(
            { label, provider in
                let handler: any LogHandler =
                    json
                    ? JSONLogHandler(label: label, metadataProvider: provider)
                    : StreamLogHandler.standardError(label: label, metadataProvider: provider)
                return LevelledLogHandler(handler, levels: levels)
            }, metadataProvider: RequestLogScope.metadataProvider)
        return Logger(label: "canto")
    }

    static func metrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}

/// Exit code 2 for configuration mistakes that surface while services start (plugin sections).
func withConfigurationErrors<Value>(_ body: () async throws -> Value) async throws -> Value {
    do {
        return try await body()
    } catch let error as PluginConfigurationError {
        FileHandle.standardError.write(Data("canto: configuration error: \(error)\n".utf8))
        throw ExitCode(2)
    }
}

func startServices(
    _ configuration: CantoConfiguration, logger: Logger, logLevels: LogLevels? = nil
) async throws -> CantoServices {
    try await withConfigurationErrors {
        try await CantoServices(configuration: configuration, logger: logger, logLevels: logLevels)
    }
}

extension DataFolderLock {
    /// The data folder held shared for the process's life (`canto restore` waits for none), or
    /// exit code 1 while a restore holds it.
    static func holdShared(_ configuration: CantoConfiguration) throws -> DataFolderLock {
        guard let lock = try DataFolderLock(dataDirectory: configuration.dataDirectory, mode: .shared) else {
            FileHandle.standardError.write(
                Data("canto: \(configuration.dataDirectory.path) is being restored; try again when it is done\n".utf8))
            throw ExitCode(1)
        }
        return lock
    }
}
