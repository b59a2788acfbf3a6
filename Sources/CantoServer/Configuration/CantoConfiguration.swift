public import CantoPluginKit
public import Foundation
import TOMLKit

/// A configuration that cannot be used. Start-up stops with exit code 2 and this message.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key, as `section.key`.
    public var key: String
    /// The line in the configuration file, where known.
    public var line: Int?
    public var message: String

    public var description: String {
        "configuration error: \(key)\(line.map { " (line \($0))" } ?? ""): \(message)"
    }
}

/// Canto's effective configuration: built-in defaults, then the TOML file, then
/// `CANTO_<SECTION>_<KEY>` environment variables, then command-line flags.
public struct CantoConfiguration: Sendable {
    /// Every core key by `section.key`.
    public private(set) var values: [String: ConfigValue]
    /// Where each value came from: "default", the file's path, "environment" or "command line".
    public private(set) var origins: [String: String]
    /// Each `[plugins.<id>]` section.
    public private(set) var plugins: [String: PluginConfiguration]

    /// Sets the plugin sections (with what an admin set on the admin page merged in); the keys
    /// not set by the file or the environment are shown as the admin page's.
    mutating func replacePlugins(_ sections: [String: PluginConfiguration]) {
        for (id, section) in sections {
            for key in section.values.keys where plugins[id]?.values[key] == nil {
                origins["plugins.\(id).\(key)"] = "admin page"
            }
        }
        plugins = sections
    }
    /// The file read, if any.
    public private(set) var file: String?
    /// Relative paths in the configuration are relative to this folder.
    public private(set) var workingDirectory: String

    /// Loads the configuration. `file` is `--config`; `flags` maps `section.key` to the text
    /// of a command-line flag (lists comma-separated). `checkingFiles: false` skips the checks
    /// that look at the file system (music folders, TLS files), for `canto doctor`, which
    /// reports each of them itself.
    public static func load(
        file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        flags: [String: String] = [:], workingDirectory: String = FileManager.default.currentDirectoryPath,
        checkingFiles: Bool = true
    ) throws -> CantoConfiguration {
        var configuration = CantoConfiguration(
            values: [:], origins: [:], plugins: [:], file: nil, workingDirectory: workingDirectory)
        for key in ConfigKey.all {
            configuration.values[key.path] = key.defaultValue
            configuration.origins[key.path] = "default"
        }
        let path = file ?? environment["CANTO_CONFIG"] ?? Self.defaultFile(in: workingDirectory)
        if let path {
            try configuration.read(file: path)
        }
        try configuration.apply(environment: environment)
        for (path, text) in flags.sorted(by: { $0.key < $1.key }) {
            guard let key = ConfigKey.all.first(where: { $0.path == path }) else {
                throw ConfigError(key: path, message: "unknown key")
            }
            try configuration.set(key, text: text, origin: "command line")
        }
        if checkingFiles { try configuration.validate() }
        return configuration
    }

    private static func defaultFile(in directory: String) -> String? {
        let path = directory + "/canto.toml"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    private mutating func read(file path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(key: "--config", message: "cannot read \(path)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(key: "(syntax)", line: error.source.begin.line, message: error.description)
        }
        file = path
        let lines = SourceLines(text: text)
        for section in table.keys.sorted() {
            guard let sectionTable = table[section]?.table else {
                throw ConfigError(key: section, line: lines.line(of: section), message: "must be a [section]")
            }
            if section == "plugins" {
                try readPlugins(sectionTable, lines: lines)
                continue
            }
            for name in sectionTable.keys.sorted() {
                let path = "\(section).\(name)"
                guard let key = ConfigKey.all.first(where: { $0.path == path }) else {
                    throw ConfigError(key: path, line: lines.line(of: name, in: section), message: "unknown key")
                }
                guard let value = sectionTable[name].flatMap({ Self.value($0.tomlValue, as: key.kind) }) else {
                    throw ConfigError(
                        key: path, line: lines.line(of: name, in: section), message: "must be \(key.kind.phrase)")
                }
                if let problem = key.check(value) {
                    throw ConfigError(key: path, line: lines.line(of: name, in: section), message: problem)
                }
                values[path] = value
                origins[path] = file
            }
        }
    }

    private mutating func readPlugins(_ table: TOMLTable, lines: SourceLines) throws {
        for id in table.keys.sorted() {
            guard let section = table[id]?.table else {
                throw ConfigError(
                    key: "plugins.\(id)", line: lines.line(of: id), message: "must be a [plugins.\(id)] section")
            }
            var pluginValues: [String: PluginConfigValue] = [:]
            for name in section.keys {
                guard let value = section[name].flatMap({ Self.pluginValue($0.tomlValue) }) else {
                    throw ConfigError(
                        key: "plugins.\(id).\(name)", line: lines.line(of: name, in: "plugins.\(id)"),
                        message: "unsupported value type")
                }
                pluginValues[name] = value
            }
            plugins[id] = PluginConfiguration(pluginID: id, values: pluginValues)
        }
    }

    private mutating func apply(environment: [String: String]) throws {
        for key in ConfigKey.all {
            if let text = environment[key.environmentName] { try set(key, text: text, origin: "environment") }
        }
        // CANTO_PLUGINS_<ID>_<KEY> for the plugin sections.
        for (name, text) in environment where name.hasPrefix("CANTO_PLUGINS_") {
            let rest = name.dropFirst("CANTO_PLUGINS_".count).lowercased()
            guard let separator = rest.firstIndex(of: "_") else { continue }
            let id = String(rest[..<separator])
            let key = String(rest[rest.index(after: separator)...])
            var section = plugins[id] ?? PluginConfiguration(pluginID: id)
            section.values[key] = Self.pluginValue(parsing: text)
            plugins[id] = section
        }
    }

    private mutating func set(_ key: ConfigKey, text: String, origin: String) throws {
        guard let value = key.parse(text) else {
            throw ConfigError(key: key.path, message: "must be \(key.kind.phrase) (from \(origin): \(text))")
        }
        if let problem = key.check(value) { throw ConfigError(key: key.path, message: "\(problem) (from \(origin))") }
        values[key.path] = value
        origins[key.path] = origin
    }

    /// Checks that need the file system: music folders must exist. The built-in default
    /// folder is created, so a first `canto serve` works with no configuration at all.
    private func validate() throws {
        let certificate = values["server.tls_certificate"] ?? .string("")
        let key = values["server.tls_key"] ?? .string("")
        if (certificate == .string("")) != (key == .string("")) {
            throw ConfigError(key: "server.tls_key", message: "tls_certificate and tls_key go together")
        }
        if let tls {
            for (name, path) in [("server.tls_certificate", tls.certificate), ("server.tls_key", tls.key)]
            where !FileManager.default.isReadableFile(atPath: path) {
                throw ConfigError(key: name, message: "\(path) cannot be read")
            }
        }
        let defaultFolders = ConfigKey.all.first { $0.path == "library.music_folders" }?.defaultValue
        let usingDefault = values["library.music_folders"] == defaultFolders
        for folder in musicFolders {
            var isDirectory: ObjCBool = false
            if usingDefault, !FileManager.default.fileExists(atPath: folder) {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw ConfigError(key: "library.music_folders", message: "\(folder) does not exist or is not a folder")
            }
        }
    }

    static func value(_ toml: TOMLValue, as kind: ConfigKey.Kind) -> ConfigValue? {
        switch kind {
        case .string: toml.string.map(ConfigValue.string)
        case .integer: toml.int.map(ConfigValue.integer)
        case .number: (toml.double ?? toml.int.map(Double.init)).flatMap { $0.isFinite ? ConfigValue.number($0) : nil }
        case .bool: toml.bool.map(ConfigValue.bool)
        case .strings:
            toml.array.flatMap { array in
                let strings = array.compactMap { $0.tomlValue.string }
                return strings.count == array.count ? ConfigValue.strings(strings) : nil
            }
        }
    }

    static func pluginValue(_ toml: TOMLValue) -> PluginConfigValue? {
        switch toml.type {
        case .string: toml.string.map(PluginConfigValue.string)
        case .int: toml.int.map(PluginConfigValue.integer)
        case .double: toml.double.map(PluginConfigValue.double)
        case .bool: toml.bool.map(PluginConfigValue.bool)
        case .array:
            toml.array.flatMap { array in
                let items = array.compactMap { pluginValue($0.tomlValue) }
                return items.count == array.count ? PluginConfigValue.array(items) : nil
            }
        default: nil
        }
    }

    /// Environment text for a plugin key: a number, a boolean, a comma list, else a string.
    static func pluginValue(parsing text: String) -> PluginConfigValue {
        if let number = Int(text) { return .integer(number) }
        if text == "true" || text == "false" { return .bool(text == "true") }
        if text.contains(",") {
            return .array(text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
        }
        return .string(text)
    }
}

extension ConfigKey.Kind {
    var phrase: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .bool: "true or false"
        case .strings: "a list of strings"
        }
    }
}

/// Finds the line a key stands on, so an error can name it (TOMLKit reports lines only for
/// syntax errors).
struct SourceLines {
    let lines: [Substring]
    init(text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    func line(of key: String, in section: String? = nil) -> Int? {
        var current = ""
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                if section == nil, current == key || current.hasPrefix(key + ".") { return index + 1 }
                continue
            }
            if current == (section ?? ""), line.hasPrefix(key),
                line.dropFirst(key.count).trimmingCharacters(in: .whitespaces).hasPrefix("=")
            {
                return index + 1
            }
        }
        return nil
    }
}
