public import CantoCore
public import CantoMedia
import CantoPluginKit
public import CantoRecommend
public import Foundation
import Logging

extension CantoConfiguration {
    public var host: String { string("server.host") }
    public var port: Int { integer("server.port") }
    public var webDirectory: URL { resolve(string("server.web_dir")) }
    /// The TLS certificate and key (PEM) when built-in TLS is on.
    public var tls: (certificate: String, key: String)? {
        let certificate = string("server.tls_certificate")
        let key = string("server.tls_key")
        guard !certificate.isEmpty else { return nil }
        return (resolve(certificate).path, resolve(key).path)
    }
    /// Peers whose X-Forwarded-For and X-Forwarded-Proto are believed.
    public var trustedProxies: [String] {
        guard case .strings(let proxies) = values["server.trusted_proxies"] else { return [] }
        return proxies
    }
    /// Seconds a connection may sit with no request in progress before the server closes it.
    public var idleTimeoutSeconds: Int { integer("server.idle_timeout_seconds") }
    /// Requests one client address may have in progress at once; 0 means no limit.
    public var maxRequestsPerAddress: Int { integer("server.max_requests_per_address") }
    public var sessionLifetime: TimeInterval { Double(integer("auth.session_days")) * 86_400 }
    public var sessionIdleTimeout: TimeInterval { Double(integer("auth.idle_days")) * 86_400 }
    public var bcryptCost: Int { integer("auth.bcrypt_cost") }
    /// How long a failed renewal keeps a paid plan before the free plan takes over.
    public var paymentGraceDays: Int { integer("payments.grace_days") }
    public var dataDirectory: URL { resolve(string("data.dir")) }
    /// The disk caches' folder (`cache.folder`; `cache` in the data folder when empty): on another
    /// disk, a full cache cannot fill the disk the database is on.
    public var cacheDirectory: URL {
        let folder = string("cache.folder")
        return folder.isEmpty ? dataDirectory.appendingPathComponent("cache") : resolve(folder)
    }
    /// Absolute paths of the music folders.
    public var musicFolders: [String] {
        guard case .strings(let folders) = values["library.music_folders"] else { return [] }
        return folders.map { resolve($0).path }
    }

    /// `[backup]`: the schedule, how many copies to keep, where, and the passphrase that seals the
    /// server's key into each copy (none: the key is left out).
    public var backup: BackupSettings {
        let folder = string("backup.folder")
        let passphrase = string("backup.passphrase_file")
        let hours = integer("backup.every_hours")
        return BackupSettings(
            interval: hours > 0 ? .seconds(hours * 3600) : nil, keep: integer("backup.keep"),
            folder: folder.isEmpty ? dataDirectory.appendingPathComponent("backups") : resolve(folder),
            passphraseFile: passphrase.isEmpty ? nil : resolve(passphrase))
    }

    private func resolve(_ path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
            .standardizedFileURL
    }
    public var scanOnStart: Bool { bool("scanner.on_start") }
    /// Minutes between scheduled scans; 0 turns the schedule off.
    public var scanIntervalMinutes: Int { integer("scanner.interval_minutes") }
    public var logFormat: String { string("log.format") }
    public var logLevel: String { string("log.level") }
    /// The levels at start: `log.level`, and `log.levels` by subsystem (checked when the file was read).
    public var logLevels: LogLevels.Snapshot {
        let entries: [String] = if case .strings(let entries) = values["log.levels"] { entries } else { [] }
        let subsystems = (try? LogLevels.parse(entries).get()) ?? [:]
        return LogLevels.Snapshot(level: Logger.Level(rawValue: logLevel) ?? .info, subsystems: subsystems)
    }
    /// Where the Combined Log Format access log goes: a file, "-" for standard output, nil for none.
    public var accessLogPath: String? {
        let path = string("log.access_log")
        return path.isEmpty ? nil : path == "-" ? "-" : resolve(path).path
    }
    public var busyTimeout: TimeInterval { Double(integer("database.busy_timeout_ms")) / 1000 }
    /// How much of the database file the readers map (`CantoDatabase.defaultMappedBytes`).
    public var databaseMappedBytes: Int64 { Int64(integer("database.map_mb")) * 1_048_576 }
    public var maxConcurrentTranscodes: Int { integer("transcoding.max_concurrent") }
    public var transcodeQueueTimeout: Duration { .seconds(integer("transcoding.queue_timeout_seconds")) }
    public var defaultTranscodeFormat: TranscodeFormat {
        TranscodeFormat(rawValue: string("transcoding.default_format")) ?? .mp3
    }
    /// Per-client stream defaults by lower-cased client name (checked when the file was read).
    var clientStreamDefaults: [String: (format: String, bitrate: Int?)] {
        guard case .strings(let entries) = values["transcoding.client_formats"] else { return [:] }
        return (try? StreamPlanner.parseClientDefaults(entries)) ?? [:]
    }
    public var transcodeCacheBytes: Int64 { Int64(integer("cache.transcode_mb")) * 1_048_576 }
    public var coverCacheBytes: Int64 { Int64(integer("cache.covers_mb")) * 1_048_576 }
    /// What the in-memory caches may hold together (`cache.memory_mb`).
    public var memoryBudget: MemoryBudget { .megabytes(integer("cache.memory_mb")) }
    /// `[recommendations]`: the blend's weights and the made-for-you playlists.
    public var recommendations: RecommendationSettings {
        var sources: [String: Double] = [:]
        if case .strings(let entries) = values["recommendations.sources"] {
            sources = RecommendationSettings.parseSources(entries) ?? [:]
        }
        return RecommendationSettings(
            weights: Blend.Weights(
                sources: sources, taste: number("recommendations.taste"),
                popularity: number("recommendations.popularity"), diversity: number("recommendations.diversity"),
                recentlyPlayed: number("recommendations.recently_played")),
            dailyMixes: integer("recommendations.daily_mixes"), mixTracks: integer("recommendations.mix_tracks"),
            rediscoverAfterDays: integer("recommendations.rediscover_after_days"),
            adapt: bool("recommendations.adapt"), analyse: bool("recommendations.analyse"))
    }

    /// The effective configuration as TOML, secrets masked, with where each value came from.
    public func rendered(secretPluginKeys: [String: [String]] = [:]) -> String {
        var out = "# effective configuration\(file.map { " (file: \($0))" } ?? " (no file)")\n"
        let sections = Dictionary(grouping: ConfigKey.all, by: \.section)
        for section in ConfigKey.all.map(\.section).uniqued() {
            out += "\n[\(section)]\n"
            for key in sections[section] ?? [] {
                let value = key.secret ? "\"********\"" : (values[key.path]?.description ?? "")
                out += "\(key.name) = \(value)  # \(origins[key.path] ?? "default")\n"
            }
        }
        for (id, section) in plugins.sorted(by: { $0.key < $1.key }) {
            out += "\n[plugins.\(id)]\n"
            let secrets = secretPluginKeys[id] ?? []
            for (key, value) in section.values.sorted(by: { $0.key < $1.key }) {
                let origin = origins["plugins.\(id).\(key)"].map { "  # \($0)" } ?? ""
                out += "\(key) = \(secrets.contains(key) ? "\"********\"" : value.description)\(origin)\n"
            }
        }
        return out
    }

    private func string(_ path: String) -> String {
        if case .string(let value) = values[path] { return value }
        return ""
    }
    private func integer(_ path: String) -> Int {
        if case .integer(let value) = values[path] { return value }
        return 0
    }
    private func number(_ path: String) -> Double {
        if case .number(let value) = values[path] { return value }
        return 0
    }
    private func bool(_ path: String) -> Bool {
        if case .bool(let value) = values[path] { return value }
        return false
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
