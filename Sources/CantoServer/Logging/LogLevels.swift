import Foundation
public import Logging
import Synchronization

/// The log levels in force: one for everything, and one per subsystem where set. Every log
/// handler made at bootstrap reads it on each call, so an admin's change applies at once to
/// loggers already handed out. A read is one uncontended lock and a small dictionary lookup.
public final class LogLevels: Sendable {
    /// The subsystems a level can be set for; each logger carries one as `subsystem` metadata.
    public static let subsystems = [
        "http", "scanner", "plugins", "accounts", "analysis", "recommendations", "backup", "activity",
    ]

    /// The levels as the admin page and the configuration name them.
    public struct Snapshot: Sendable, Equatable, Codable {
        /// The level of lines from a logger with no subsystem or no level of its own.
        public var level: Logger.Level
        /// Levels by subsystem, where set.
        public var subsystems: [String: Logger.Level]

        /// A snapshot of the given levels.
        public init(level: Logger.Level, subsystems: [String: Logger.Level]) {
            self.level = level
            self.subsystems = subsystems
        }
    }

    private let state: Mutex<Snapshot>
    /// No line quieter than this gets out whatever is set (the quiet commands' floor).
    private let floor: Logger.Level

    /// Levels with `level` for everything and `subsystems` where set; `floor` is the quietest
    /// any of them may be made.
    public init(level: Logger.Level = .info, subsystems: [String: Logger.Level] = [:], floor: Logger.Level = .trace) {
        self.floor = floor
        state = Mutex(Snapshot(level: max(level, floor), subsystems: subsystems.mapValues { max($0, floor) }))
    }

    /// The level for lines of `subsystem` (nil: the general level).
    public func level(for subsystem: String?) -> Logger.Level {
        state.withLock { snapshot in
            guard let subsystem, let level = snapshot.subsystems[subsystem] else { return snapshot.level }
            return level
        }
    }

    /// The levels as they are now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Replaces every level at once (a subsystem not named goes back to the general level).
    public func replace(with snapshot: Snapshot) {
        let clamped = Snapshot(
            level: max(snapshot.level, floor), subsystems: snapshot.subsystems.mapValues { max($0, floor) })
        state.withLock { $0 = clamped }
    }

    /// Parses `["scanner=debug", "plugins=warning"]` (the `log.levels` key), or names the first
    /// entry that is not `subsystem=level` with a known subsystem and level.
    public static func parse(_ entries: [String]) -> Result<[String: Logger.Level], ParseError> {
        var levels: [String: Logger.Level] = [:]
        for entry in entries {
            let pair = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, subsystems.contains(pair[0]), let level = Logger.Level(rawValue: pair[1]) else {
                return .failure(ParseError(entry: entry))
            }
            levels[pair[0]] = level
        }
        return .success(levels)
    }

    /// An entry of `log.levels` that is not `subsystem=level`.
    public struct ParseError: Error, Sendable, Equatable {
        /// The entry as written.
        public var entry: String
    }
}

/// Wraps a log handler so its level is read from `LogLevels` by the `subsystem` metadata of the
/// logger it belongs to (set with `Logger.subsystem(_:)`).
public struct LevelledLogHandler: LogHandler {
    var inner: any LogHandler
    let levels: LogLevels

    /// `inner` writes the lines; `levels` decides which get out.
    public init(_ inner: any LogHandler, levels: LogLevels) {
        self.inner = inner
        self.levels = levels
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    /// The registry's level for this logger's subsystem; setting it has no effect (the registry rules).
    public var logLevel: Logger.Level {
        get {
            switch inner[metadataKey: Logger.subsystemKey] {
            case .string(let subsystem): levels.level(for: subsystem)
            case .some(let other): levels.level(for: other.description)
            case nil: levels.level(for: nil)
            }
        }
        set {}
    }

    public func log(event: LogEvent) { inner.log(event: event) }
}

extension Logger {
    /// The metadata key naming a logger's subsystem (see `LogLevels.subsystems`).
    public static let subsystemKey = "subsystem"

    /// This logger, its lines tagged with `subsystem` and levelled by that subsystem's level.
    public func subsystem(_ name: String) -> Logger {
        var logger = self
        logger[metadataKey: Self.subsystemKey] = .string(name)
        return logger
    }
}
