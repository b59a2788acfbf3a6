/// A value from a plugin's TOML section.
public enum PluginConfigValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case array([PluginConfigValue])

    public var description: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .integer(let value): "\(value)"
        case .double(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// A plugin's `[plugins.<id>]` section, with typed accessors that name the key on error.
public struct PluginConfiguration: Sendable, Equatable {
    public var pluginID: String
    public var values: [String: PluginConfigValue]

    public init(pluginID: String, values: [String: PluginConfigValue] = [:]) {
        self.pluginID = pluginID
        self.values = values
    }

    public func string(_ key: String) throws -> String? {
        switch values[key] {
        case nil: return nil
        case .string(let value): return value
        default: throw PluginConfigurationError(pluginID: pluginID, key: key, message: "must be a string")
        }
    }

    public func integer(_ key: String) throws -> Int? {
        switch values[key] {
        case nil: return nil
        case .integer(let value): return value
        default: throw PluginConfigurationError(pluginID: pluginID, key: key, message: "must be an integer")
        }
    }

    public func bool(_ key: String) throws -> Bool? {
        switch values[key] {
        case nil: return nil
        case .bool(let value): return value
        default: throw PluginConfigurationError(pluginID: pluginID, key: key, message: "must be true or false")
        }
    }

    public func strings(_ key: String) throws -> [String]? {
        switch values[key] {
        case nil: return nil
        case .array(let items):
            return try items.map {
                guard case .string(let value) = $0 else {
                    throw PluginConfigurationError(pluginID: pluginID, key: key, message: "must be a list of strings")
                }
                return value
            }
        default: throw PluginConfigurationError(pluginID: pluginID, key: key, message: "must be a list of strings")
        }
    }
}

/// A plugin's configuration is wrong; start-up stops and names the key.
public struct PluginConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var pluginID: String
    public var key: String
    public var message: String
    public init(pluginID: String, key: String, message: String) {
        self.pluginID = pluginID
        self.key = key
        self.message = message
    }
    public var description: String { "plugins.\(pluginID)\(key.isEmpty ? "" : "." + key): \(message)" }
}
