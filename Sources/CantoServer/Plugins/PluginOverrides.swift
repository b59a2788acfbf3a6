import CantoCore
public import CantoPluginKit
import CantoSecurity
import CantoStore
import Foundation

/// Plugin settings an admin changed on the admin page, kept in the database (secret values sealed
/// with the server's key). The configuration file and the environment still win where they set a key.
struct PluginOverrides: Sendable {
    static let settingKey = "plugins.overrides"

    /// One plugin's changes: `enabled`, and values by key (secrets sealed, base64).
    struct Entry: Codable, Equatable {
        var enabled: Bool?
        var values: [String: String] = [:]
        var sealed: [String: String] = [:]
    }

    let settings: any SettingsStore
    let secrets: SecretBox

    func load() async throws -> [String: Entry] {
        guard let text = try await settings.setting(Self.settingKey) else { return [:] }
        return (try? JSONDecoder().decode([String: Entry].self, from: Data(text.utf8))) ?? [:]
    }

    func save(_ entries: [String: Entry]) async throws {
        let data = try JSONEncoder().encode(entries)
        try await settings.setSetting(Self.settingKey, to: String(decoding: data, as: UTF8.self))
    }

    /// Every plugin's section as the server runs it: `file`'s (the configuration file and the
    /// environment) over the admin page's, for each of `types` that either names.
    func effective(_ file: [String: PluginConfiguration], types: [any CantoPlugin.Type]) async throws
        -> [String: PluginConfiguration]
    {
        let entries = try await load()
        var effective = file
        for type in types {
            let id = type.descriptor.id
            guard file[id] != nil || entries[id] != nil else { continue }
            effective[id] = merged(file[id], entries[id], pluginID: id)
        }
        return effective
    }

    /// `file` (the configuration file and environment's section) over `entry` (the admin's).
    func merged(_ file: PluginConfiguration?, _ entry: Entry?, pluginID: String) -> PluginConfiguration {
        var configuration = PluginConfiguration(pluginID: pluginID)
        if let enabled = entry?.enabled { configuration.values["enabled"] = .bool(enabled) }
        for (key, value) in entry?.values ?? [:] {
            configuration.values[key] = CantoConfiguration.pluginValue(parsing: value)
        }
        for (key, value) in entry?.sealed ?? [:] {
            guard let data = Data(base64Encoded: value), let opened = try? secrets.open(data) else { continue }
            configuration.values[key] = .string(String(decoding: opened, as: UTF8.self))
        }
        for (key, value) in file?.values ?? [:] { configuration.values[key] = value }
        return configuration
    }

    /// `entry` with `value` for `key` (nil removes it); a secret key's value is sealed.
    func setting(_ key: String, to value: String?, secret: Bool, in entry: Entry) throws -> Entry {
        var entry = entry
        entry.values[key] = nil
        entry.sealed[key] = nil
        guard let value else { return entry }
        if secret {
            entry.sealed[key] = try secrets.seal(Data(value.utf8)).base64EncodedString()
        } else {
            entry.values[key] = value
        }
        return entry
    }
}

extension CantoConfiguration {
    /// This configuration with the plugin settings an admin made on the admin page (kept in the
    /// database) under the file's and the environment's: what `canto serve` would run, for
    /// `canto plugins` and `canto config check`. Before the server has ever run (no database yet),
    /// the file's alone.
    public func includingAdminPluginSettings(types: [any CantoPlugin.Type] = BuiltinPlugins.all) async throws
        -> CantoConfiguration
    {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("canto.db").path) else {
            return self
        }
        let database = try CantoDatabase(dataDirectory: dataDirectory, busyTimeout: busyTimeout)
        let overrides = PluginOverrides(
            settings: AccountRepository(database: database), secrets: try SecretBox(dataDirectory: dataDirectory))
        var copy = self
        copy.replacePlugins(try await overrides.effective(plugins, types: types))
        return copy
    }
}
