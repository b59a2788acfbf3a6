import CantoCore
public import CantoDomain
public import CantoPluginKit
import Foundation
public import Logging
import Synchronization

/// The state of one plugin, for `canto plugins` and the admin API.
public struct PluginStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable { case disabled, stopped, running, failed }
    public var descriptor: PluginDescriptor
    public var enabled: Bool
    public var state: State
    /// The capabilities the plugin provides ("mediaSource", "scrobbler", ...).
    public var capabilities: [String]
    /// Why it failed, when it did.
    public var message: String?
    /// What it declares it needs (shown before an admin enables it).
    public var permissions: PluginPermissions
    /// Calls that failed in a row lately (its work waits with backoff meanwhile), and the last error.
    public var failures: Int = 0
    public var lastError: String?
    /// Each configuration key with its value now (secrets masked) and whether the configuration
    /// file or the environment sets it (then the admin page cannot change it).
    public var settings: [Setting] = []

    public struct Setting: Sendable, Equatable, Codable {
        public var key: String
        public var value: String?
        public var secret: Bool
        public var locked: Bool
    }
}

/// The built-in plugins, host side: creates the enabled ones from configuration, starts and
/// stops them, and hands them out by capability.
///
/// Start-up runs once, whoever asks first (the server's plugin service, a scan, `canto scan`);
/// everyone else waits for it, so no caller sees a plugin that is still starting as missing.
public actor PluginRegistry {
    private let types: [any CantoPlugin.Type]
    /// The enabled plugins and every plugin's configuration now: replaced when an admin changes
    /// one at run time, read without waiting for the actor.
    private let current = Mutex(Current())
    struct Current {
        var instances: [String: any CantoPlugin] = [:]
        var configurations: [String: PluginConfiguration] = [:]
    }
    /// The enabled plugins now.
    public nonisolated var instances: [String: any CantoPlugin] { current.withLock { $0.instances } }
    /// Each plugin's configuration now.
    nonisolated func configuration(of id: String) -> PluginConfiguration {
        current.withLock { $0.configurations[id] } ?? PluginConfiguration(pluginID: id)
    }
    /// The keys the configuration file or the environment sets, by plugin (an admin cannot change them).
    private let locked: [String: Set<String>]
    private let makeContext: @Sendable (PluginDescriptor, PluginConfiguration) -> PluginContext
    /// Runs before a plugin starts: its migrations.
    private let prepare: @Sendable (PluginDescriptor) async throws -> Void
    private var statuses: [String: PluginStatus] = [:]
    private let logger: Logger
    private var startup: Task<Void, Never>?
    /// How the plugins' calls have gone (deliveries report here).
    nonisolated let health = PluginHealth()

    /// Creates every enabled plugin. `configurations` holds each `[plugins.<id>]` section.
    /// Throws ``PluginConfigurationError`` for a section naming no plugin, an unknown key, or a
    /// plugin that rejects its configuration.
    /// `locked` names, by plugin, the keys the configuration file or the environment set (the
    /// rest of `configurations` came from the admin page).
    public init(
        types: [any CantoPlugin.Type], configurations: [String: PluginConfiguration],
        context: @escaping @Sendable (PluginDescriptor, PluginConfiguration) -> PluginContext, logger: Logger,
        locked: [String: Set<String>]? = nil,
        prepare: @escaping @Sendable (PluginDescriptor) async throws -> Void = { _ in }
    ) throws {
        self.prepare = prepare
        self.types = types
        self.logger = logger
        makeContext = context
        self.locked = locked ?? configurations.mapValues { Set($0.values.keys) }
        try Self.validate(types: types, configurations: configurations)
        var instances: [String: any CantoPlugin] = [:]
        for type in types {
            let descriptor = type.descriptor
            let configuration = configurations[descriptor.id] ?? PluginConfiguration(pluginID: descriptor.id)
            let enabled = try configuration.bool("enabled") ?? descriptor.enabledByDefault
            var status = PluginStatus(
                descriptor: descriptor, enabled: enabled, state: enabled ? .stopped : .disabled,
                capabilities: Self.capabilities(of: type), permissions: descriptor.permissions)
            if enabled {
                instances[descriptor.id] = try type.init(
                    configuration: configuration, context: context(descriptor, configuration))
            } else {
                status.state = .disabled
            }
            statuses[descriptor.id] = status
        }
        current.withLock {
            $0.instances = instances
            $0.configurations = configurations
        }
    }

    /// Applies `configuration` to plugin `id` now (an admin's change): the new instance is created
    /// first (a configuration it refuses changes nothing), then the old one stops and the new one
    /// starts; disabled, the plugin stops and is removed. Returns its status.
    public func replace(_ id: String, with configuration: PluginConfiguration) async throws -> PluginStatus {
        guard let type = types.first(where: { $0.descriptor.id == id }) else { throw DomainError.notFound }
        if let startup { await startup.value }
        try Self.validate(types: [type], configurations: [id: configuration])
        let enabled = try configuration.bool("enabled") ?? type.descriptor.enabledByDefault
        let created =
            enabled
            ? try type.init(configuration: configuration, context: makeContext(type.descriptor, configuration)) : nil
        if statuses[id]?.state == .running, let old = instances[id] { await old.stop() }
        current.withLock {
            $0.instances[id] = created
            $0.configurations[id] = configuration
        }
        statuses[id]?.enabled = enabled
        statuses[id]?.message = nil
        statuses[id]?.state = enabled ? .stopped : .disabled
        if let created {
            do {
                try await prepare(type.descriptor)
                try await created.start()
                statuses[id]?.state = .running
            } catch {
                statuses[id]?.state = .failed
                statuses[id]?.message = String(describing: error)
            }
        }
        logger.notice("plugin reconfigured", metadata: ["plugin.id": "\(id)", "plugin.enabled": "\(enabled)"])
        guard let status = await status().first(where: { $0.descriptor.id == id }) else { throw DomainError.notFound }
        return status
    }

    /// A value as the admin page shows and takes it (no TOML quoting; a list comma-separated).
    static func plainText(_ value: PluginConfigValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .array(let items): items.map(plainText).joined(separator: ",")
        }
    }

    /// The keys of plugin `id` that the configuration file or the environment sets.
    public nonisolated func lockedKeys(of id: String) -> Set<String> { locked[id] ?? [] }

    /// Checks sections and keys without creating anything (`canto config check`).
    public static func validate(types: [any CantoPlugin.Type], configurations: [String: PluginConfiguration]) throws {
        let known = Dictionary(uniqueKeysWithValues: types.map { ($0.descriptor.id, $0.descriptor) })
        for (id, configuration) in configurations.sorted(by: { $0.key < $1.key }) {
            guard let descriptor = known[id] else {
                throw PluginConfigurationError(
                    pluginID: id, key: "",
                    message: "no such plugin (known: \(known.keys.sorted().joined(separator: ", ")))")
            }
            for key in configuration.values.keys.sorted()
            where key != "enabled" && !descriptor.configurationKeys.contains(key) {
                throw PluginConfigurationError(pluginID: id, key: key, message: "unknown key")
            }
        }
    }

    /// Starts every enabled plugin, one after another in id order; returns when all have
    /// started or failed. Later calls wait for the same start-up.
    public func startAll() async {
        if let startup { return await startup.value }
        let task = Task { await self.startEach() }
        startup = task
        await task.value
    }

    private func startEach() async {
        for id in instances.keys.sorted() {
            guard let plugin = instances[id] else { continue }
            do {
                try await prepare(type(of: plugin).descriptor)
                try await plugin.start()
                statuses[id]?.state = .running
                logger.info("plugin started", metadata: ["plugin.id": "\(id)"])
            } catch {
                statuses[id]?.state = .failed
                statuses[id]?.message = String(describing: error)
                logger.error("plugin failed to start", metadata: ["plugin.id": "\(id)", "error": "\(error)"])
            }
        }
    }

    public func stopAll() async {
        if let startup { await startup.value }
        for id in instances.keys.sorted() where statuses[id]?.state == .running {
            await instances[id]?.stop()
            statuses[id]?.state = .stopped
        }
    }

    /// Every built-in plugin with its state and recent failures, in id order.
    public func status() async -> [PluginStatus] {
        var list = statuses.values.sorted { $0.descriptor.id < $1.descriptor.id }
        for index in list.indices {
            let descriptor = list[index].descriptor
            let health = await health.state(of: descriptor.id)
            list[index].failures = health.consecutiveFailures
            list[index].lastError = health.consecutiveFailures > 0 ? health.lastError : nil
            let configuration = configuration(of: descriptor.id)
            let locked = lockedKeys(of: descriptor.id)
            list[index].settings = descriptor.configurationKeys.map { key in
                let secret = descriptor.secretKeys.contains(key)
                let value = configuration.values[key].map { secret ? "********" : Self.plainText($0) }
                return PluginStatus.Setting(key: key, value: value, secret: secret, locked: locked.contains(key))
            }
        }
        return list
    }

    /// Whether the plugin `id` is running now.
    public func isRunning(_ id: String) -> Bool { statuses[id]?.state == .running }

    /// The enabled listen sinks (running or not yet), in id order: the server subscribes each to
    /// the plays once, and their deliveries wait while one is not running.
    public nonisolated var listenSinks: [any ListenSinkPlugin] {
        instances.keys.sorted().compactMap { instances[$0] as? any ListenSinkPlugin }
    }

    /// The enabled plugins a listener can link an account to (they declare linked accounts and
    /// link by a token, a web page or OAuth): scrobblers, and services like Spotify.
    public nonisolated var linkables: [any CantoPlugin] {
        instances.keys.sorted().compactMap { id -> (any CantoPlugin)? in
            guard let plugin = instances[id], type(of: plugin).descriptor.permissions.linkedAccounts,
                plugin is any TokenLinking || plugin is any WebLinking || plugin is any OAuthLinking
            else { return nil }
            return plugin
        }
    }

    /// What `canto plugins` prints: each built-in plugin, enabled or not by `configurations`,
    /// without creating or starting any (and without opening the database).
    public static func describe(types: [any CantoPlugin.Type], configurations: [String: PluginConfiguration]) throws
        -> [PluginStatus]
    {
        try validate(types: types, configurations: configurations)
        return try types.map { type in
            let descriptor = type.descriptor
            let enabled =
                try configurations[descriptor.id]?.bool("enabled") ?? descriptor.enabledByDefault
            return PluginStatus(
                descriptor: descriptor, enabled: enabled, state: enabled ? .stopped : .disabled,
                capabilities: capabilities(of: type), permissions: descriptor.permissions)
        }.sorted { $0.descriptor.id < $1.descriptor.id }
    }

    /// The running plugins that provide `capability`, e.g. `plugins(MediaSourcePlugin.self)`,
    /// once start-up (when it has begun) has ended.
    public func plugins<P>(_ capability: P.Type) async -> [P] {
        if let startup { await startup.value }
        return instances.keys.sorted().compactMap { id in
            statuses[id]?.state == .running ? instances[id] as? P : nil
        }
    }

    static func capabilities(of type: any CantoPlugin.Type) -> [String] {
        var names: [String] = []
        if type is any MediaSourcePlugin.Type { names.append("mediaSource") }
        if type is any ListenSinkPlugin.Type { names.append("scrobbler") }
        if type is any RecommenderPlugin.Type { names.append("recommender") }
        if type is any MetadataPlugin.Type { names.append("metadata") }
        if type is any PlaybackTargetPlugin.Type { names.append("playbackTarget") }
        if type is any PaymentProviderPlugin.Type { names.append("payments") }
        return names
    }
}

extension PluginRegistry: MediaSources {
    /// The running media sources, after starting the plugins if nobody has yet: the first scan
    /// never runs before the sources are up.
    public func mediaSources() async -> [any MediaSourcePlugin] {
        await startAll()
        return await plugins((any MediaSourcePlugin).self)
    }
}
