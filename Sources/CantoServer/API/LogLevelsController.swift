import Foundation
import Hummingbird
import Logging

extension Wire {
    /// The log levels: the general one, those set per subsystem, and every subsystem there is.
    struct LogLevelSettings: ResponseEncodable, Decodable {
        var level: String
        /// Levels by subsystem where one is set; the others follow `level`.
        var subsystems: [String: String]
        /// Every subsystem a level can be set for (ignored in a change).
        var available: [String]?
    }
}

/// Admin-only: reads and changes the log levels while the server runs. A change lasts until the
/// restart, when `log.level` and `log.levels` apply again.
struct LogLevelsController {
    let levels: LogLevels

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("log-levels", use: current)
        group.put("log-levels", use: change)
    }

    @Sendable func current(_ request: Request, context: CantoRequestContext) async throws -> Wire.LogLevelSettings {
        Self.wire(levels.snapshot)
    }

    /// Replaces every level: a subsystem left out goes back to the general level.
    @Sendable func change(_ request: Request, context: CantoRequestContext) async throws -> Wire.LogLevelSettings {
        let change = try await request.decode(as: Wire.LogLevelSettings.self, context: context)
        guard let level = Logger.Level(rawValue: change.level) else {
            throw APIError.badRequest("level must be one of \(Self.levelNames).")
        }
        var subsystems: [String: Logger.Level] = [:]
        for (name, value) in change.subsystems {
            guard LogLevels.subsystems.contains(name) else {
                throw APIError.badRequest("Unknown subsystem \(name).")
            }
            guard let subsystemLevel = Logger.Level(rawValue: value) else {
                throw APIError.badRequest("The level of \(name) must be one of \(Self.levelNames).")
            }
            subsystems[name] = subsystemLevel
        }
        levels.replace(with: LogLevels.Snapshot(level: level, subsystems: subsystems))
        context.logger.notice(
            "log levels changed",
            metadata: [
                "log.level": "\(level.rawValue)",
                "log.levels": "\(subsystems.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" })",
            ])
        return Self.wire(levels.snapshot)
    }

    private static var levelNames: String { Logger.Level.allCases.map(\.rawValue).joined(separator: ", ") }

    private static func wire(_ snapshot: LogLevels.Snapshot) -> Wire.LogLevelSettings {
        Wire.LogLevelSettings(
            level: snapshot.level.rawValue, subsystems: snapshot.subsystems.mapValues(\.rawValue),
            available: LogLevels.subsystems)
    }
}
