import CantoMedia
import Foundation

/// A configuration value, typed.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case strings([String])
    case number(Double)

    public var description: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .strings(let values): "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}

/// One documented key: its section, type, default and check. `config.example.toml` lists them all.
struct ConfigKey: Sendable {
    enum Kind: String, Sendable { case string, integer, bool, strings, number }
    var section: String
    var name: String
    var kind: Kind
    var defaultValue: ConfigValue
    var secret = false
    /// Returns an error message when the value is not allowed.
    var check: @Sendable (ConfigValue) -> String? = { _ in nil }

    var path: String { "\(section).\(name)" }
    /// `CANTO_SERVER_PORT` for `server.port`.
    var environmentName: String { "CANTO_\(section.uppercased())_\(name.uppercased())" }

    /// Parses text from the environment or the command line into this key's type.
    func parse(_ text: String) -> ConfigValue? {
        switch kind {
        case .string: return .string(text)
        case .integer: return Int(text).map(ConfigValue.integer)
        case .number: return Double(text).flatMap { $0.isFinite ? ConfigValue.number($0) : nil }
        case .bool:
            switch text.lowercased() {
            case "true", "1", "yes", "on": return .bool(true)
            case "false", "0", "no", "off": return .bool(false)
            default: return nil
            }
        case .strings:
            return .strings(
                text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }
}

extension ConfigKey {
    /// Every core key. Plugin sections are checked by the plugins themselves.
    static let all: [ConfigKey] =
        [
            ConfigKey(section: "server", name: "host", kind: .string, defaultValue: .string("0.0.0.0")),
            ConfigKey(
                section: "server", name: "port", kind: .integer, defaultValue: .integer(4533),
                check: { value in
                    guard case .integer(let port) = value, (0...65535).contains(port) else {
                        return "must be a port number between 1 and 65535 (0 picks a free one)"
                    }
                    return nil
                }),
            ConfigKey(section: "server", name: "web_dir", kind: .string, defaultValue: .string("./web")),
            ConfigKey(section: "server", name: "tls_certificate", kind: .string, defaultValue: .string("")),
            ConfigKey(section: "server", name: "tls_key", kind: .string, defaultValue: .string("")),
            ConfigKey(section: "server", name: "trusted_proxies", kind: .strings, defaultValue: .strings([])),
            ConfigKey(
                section: "server", name: "idle_timeout_seconds", kind: .integer, defaultValue: .integer(60),
                check: { value in
                    guard case .integer(let seconds) = value, (1...86_400).contains(seconds) else {
                        return "must be 1 to 86400"
                    }
                    return nil
                }),
            ConfigKey(
                section: "server", name: "max_requests_per_address", kind: .integer, defaultValue: .integer(64),
                check: { value in
                    guard case .integer(let count) = value, count >= 0 else { return "must be 0 (no limit) or more" }
                    return nil
                }),
            ConfigKey(
                section: "auth", name: "session_days", kind: .integer, defaultValue: .integer(30),
                check: { value in
                    guard case .integer(let days) = value, (1...365).contains(days) else { return "must be 1 to 365" }
                    return nil
                }),
            ConfigKey(
                section: "payments", name: "grace_days", kind: .integer, defaultValue: .integer(7),
                check: { value in
                    guard case .integer(let days) = value, (0...60).contains(days) else { return "must be 0 to 60" }
                    return nil
                }),
            ConfigKey(
                section: "auth", name: "idle_days", kind: .integer, defaultValue: .integer(14),
                check: { value in
                    guard case .integer(let days) = value, (1...365).contains(days) else { return "must be 1 to 365" }
                    return nil
                }),
            ConfigKey(
                section: "auth", name: "bcrypt_cost", kind: .integer, defaultValue: .integer(12),
                check: { value in
                    guard case .integer(let cost) = value, (12...16).contains(cost) else { return "must be 12 to 16" }
                    return nil
                }),
            ConfigKey(section: "data", name: "dir", kind: .string, defaultValue: .string("./data")),
            ConfigKey(section: "library", name: "music_folders", kind: .strings, defaultValue: .strings(["./music"])),
            ConfigKey(section: "scanner", name: "on_start", kind: .bool, defaultValue: .bool(true)),
            ConfigKey(
                section: "scanner", name: "interval_minutes", kind: .integer, defaultValue: .integer(0),
                check: { value in
                    guard case .integer(let minutes) = value, minutes >= 0 else { return "must be 0 (off) or more" }
                    return nil
                }),
            ConfigKey(
                section: "log", name: "format", kind: .string, defaultValue: .string("text"),
                check: { value in
                    guard case .string(let format) = value, ["text", "json"].contains(format) else {
                        return "must be \"text\" or \"json\""
                    }
                    return nil
                }),
            ConfigKey(
                section: "log", name: "level", kind: .string, defaultValue: .string("info"),
                check: { value in
                    let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                    guard case .string(let level) = value, levels.contains(level) else {
                        return "must be one of \(levels.joined(separator: ", "))"
                    }
                    return nil
                }),
            ConfigKey(
                section: "log", name: "levels", kind: .strings, defaultValue: .strings([]),
                check: { value in
                    guard case .strings(let entries) = value else { return "must be a list" }
                    if case .failure(let error) = LogLevels.parse(entries) {
                        return "\"\(error.entry)\" is not subsystem=level (subsystems: "
                            + "\(LogLevels.subsystems.joined(separator: ", ")))"
                    }
                    return nil
                }),
            ConfigKey(section: "log", name: "access_log", kind: .string, defaultValue: .string("")),
            ConfigKey(
                section: "database", name: "busy_timeout_ms", kind: .integer, defaultValue: .integer(5000),
                check: { value in
                    guard case .integer(let ms) = value, ms >= 0 else { return "must be 0 or more" }
                    return nil
                }),
            ConfigKey(
                section: "database", name: "map_mb", kind: .integer,
                defaultValue: .integer(2_048),  // CantoDatabase.defaultMappedBytes
                check: { value in
                    guard case .integer(let mb) = value, (0...2_048).contains(mb) else { return "must be 0 to 2048" }
                    return nil
                }),
            ConfigKey(
                section: "transcoding", name: "max_concurrent", kind: .integer, defaultValue: .integer(64),
                check: { value in
                    guard case .integer(let count) = value, (1...1024).contains(count) else {
                        return "must be 1 to 1024"
                    }
                    return nil
                }),
            ConfigKey(
                section: "transcoding", name: "queue_timeout_seconds", kind: .integer, defaultValue: .integer(10),
                check: { value in
                    guard case .integer(let seconds) = value, (0...600).contains(seconds) else {
                        return "must be 0 to 600"
                    }
                    return nil
                }),
            ConfigKey(
                section: "transcoding", name: "default_format", kind: .string, defaultValue: .string("mp3"),
                check: { value in
                    guard case .string(let format) = value, TranscodeFormat(rawValue: format) != nil else {
                        return "must be mp3, opus, aac or flac"
                    }
                    return nil
                }),
            ConfigKey(
                section: "transcoding", name: "client_formats", kind: .strings, defaultValue: .strings([]),
                check: { value in
                    guard case .strings(let entries) = value else { return nil }
                    do throws(StreamPlannerError) {
                        _ = try StreamPlanner.parseClientDefaults(entries)
                        return nil
                    } catch {
                        return
                            "has \"\(error.entry)\": use client=format[:bitrate] (format raw, mp3, opus, aac or flac)"
                    }
                }),
            ConfigKey(
                section: "cache", name: "transcode_mb", kind: .integer, defaultValue: .integer(2048),
                check: { value in
                    guard case .integer(let mb) = value, mb >= 0 else { return "must be 0 or more" }
                    return nil
                }),
            ConfigKey(
                section: "cache", name: "covers_mb", kind: .integer, defaultValue: .integer(256),
                check: { value in
                    guard case .integer(let mb) = value, mb >= 0 else { return "must be 0 or more" }
                    return nil
                }),
            ConfigKey(section: "cache", name: "folder", kind: .string, defaultValue: .string("")),
            ConfigKey(
                section: "cache", name: "memory_mb", kind: .integer, defaultValue: .integer(128),
                check: { value in
                    guard case .integer(let mb) = value, (0...1_048_576).contains(mb) else {
                        return "must be between 0 and 1048576"
                    }
                    return nil
                }),
        ] + recommendationKeys + backupKeys

    /// `[backup]`: the server's own scheduled copies of the database.
    static let backupKeys: [ConfigKey] = [
        ConfigKey(
            section: "backup", name: "every_hours", kind: .integer, defaultValue: .integer(24),
            check: { value in
                guard case .integer(let hours) = value, (0...8760).contains(hours) else {
                    return "must be 0 (off) to 8760"
                }
                return nil
            }),
        ConfigKey(
            section: "backup", name: "keep", kind: .integer, defaultValue: .integer(7),
            check: { value in
                guard case .integer(let count) = value, (1...1000).contains(count) else { return "must be 1 to 1000" }
                return nil
            }),
        ConfigKey(section: "backup", name: "folder", kind: .string, defaultValue: .string("")),
        ConfigKey(section: "backup", name: "passphrase_file", kind: .string, defaultValue: .string("")),
    ]

    /// `[recommendations]`: how the blend weighs its sources, and the made-for-you playlists.
    static let recommendationKeys: [ConfigKey] = [
        ConfigKey(
            section: "recommendations", name: "sources", kind: .strings,
            defaultValue: .strings(["sonic=0.1", "colisten=2"]),
            check: { value in
                guard case .strings(let entries) = value else { return nil }
                return RecommendationSettings.parseSources(entries) == nil
                    ? "must be entries plugin=weight, a weight 0 to 100" : nil
            }),
        number("taste", 5, 0...100),
        number("popularity", 1, 0...100),
        number("diversity", 0.2, 0...1),
        number("recently_played", 0.5, 0...1),
        integer("daily_mixes", 4, 0...10),
        integer("mix_tracks", 30, 5...200),
        integer("rediscover_after_days", 90, 7...3650),
        ConfigKey(section: "recommendations", name: "adapt", kind: .bool, defaultValue: .bool(true)),
        ConfigKey(section: "recommendations", name: "analyse", kind: .bool, defaultValue: .bool(true)),
    ]

    private static func number(_ name: String, _ value: Double, _ range: ClosedRange<Double>) -> ConfigKey {
        ConfigKey(
            section: "recommendations", name: name, kind: .number, defaultValue: .number(value),
            check: { value in
                guard case .number(let number) = value, range.contains(number) else {
                    return "must be \(range.lowerBound) to \(range.upperBound)"
                }
                return nil
            })
    }

    private static func integer(_ name: String, _ value: Int, _ range: ClosedRange<Int>) -> ConfigKey {
        ConfigKey(
            section: "recommendations", name: name, kind: .integer, defaultValue: .integer(value),
            check: { value in
                guard case .integer(let number) = value, range.contains(number) else {
                    return "must be \(range.lowerBound) to \(range.upperBound)"
                }
                return nil
            })
    }
}
