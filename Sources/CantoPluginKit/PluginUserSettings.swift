public import CantoCore

/// A setting each listener chooses for a plugin, declared in ``PluginDescriptor/userSettings`` and
/// shown on their profile with its label and help.
public struct PluginUserSetting: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case bool, integer, string, choice
    }

    public var key: String
    public var label: String
    public var help: String?
    public var kind: Kind
    /// The values a `choice` takes.
    public var choices: [String]
    /// The value until the listener picks one ("true"/"false" for a bool).
    public var defaultValue: String

    public init(
        key: String, label: String, help: String? = nil, kind: Kind, choices: [String] = [], defaultValue: String
    ) {
        self.key = key
        self.label = label
        self.help = help
        self.kind = kind
        self.choices = choices
        self.defaultValue = defaultValue
    }

    /// Whether `value` is one this setting takes.
    public func accepts(_ value: String) -> Bool {
        switch kind {
        case .bool: value == "true" || value == "false"
        case .integer: Int(value) != nil
        case .string: value.count <= 500
        case .choice: choices.contains(value)
        }
    }
}

/// A listener's values of the plugin's ``PluginUserSetting``s (the default where they chose none).
public protocol PluginUserSettings: Sendable {
    func value(_ key: String, for user: UserID) async throws -> String?
}

extension PluginUserSettings {
    public func bool(_ key: String, for user: UserID) async throws -> Bool? {
        try await value(key, for: user).map { $0 == "true" }
    }

    public func integer(_ key: String, for user: UserID) async throws -> Int? {
        try await value(key, for: user).flatMap(Int.init)
    }
}
