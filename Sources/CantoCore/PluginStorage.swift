public import Foundation

/// A plugin's own key-value store, in the server's database (so it is backed up, and consistent,
/// with everything else), seen only by that plugin. Keys are at most 200 characters, values at
/// most 1 MiB; a plugin keeps at most 10,000 keys.
public protocol PluginStorage: Sendable {
    /// The value under `key`, or nil.
    func value(for key: String) async throws -> Data?
    /// Stores `value` under `key` (nil deletes it).
    func setValue(_ value: Data?, for key: String) async throws
    /// The keys that start with `prefix`, in order.
    func keys(prefix: String) async throws -> [String]
}

extension PluginStorage {
    /// A `Codable` value under `key`, as JSON.
    public func decoded<Value: Decodable>(_ type: Value.Type, for key: String) async throws -> Value? {
        guard let data = try await value(for: key) else { return nil }
        return try JSONDecoder().decode(Value.self, from: data)
    }

    /// Stores a `Codable` value under `key`, as JSON.
    public func encode<Value: Encodable>(_ value: Value, for key: String) async throws {
        try await setValue(try JSONEncoder().encode(value), for: key)
    }
}

/// A storage call the host refused: a key or value too large, or too many keys.
public struct PluginStorageLimit: Error, Sendable, Equatable, CustomStringConvertible {
    public var pluginID: String
    public var reason: String
    public init(pluginID: String, reason: String) {
        self.pluginID = pluginID
        self.reason = reason
    }
    public var description: String { "plugin \(pluginID) storage: \(reason)" }
}
