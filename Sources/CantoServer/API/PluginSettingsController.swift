import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Hummingbird

/// A listener's settings for the plugins that declare some (`PluginDescriptor.userSettings`).
struct PluginSettingsController {
    let plugins: PluginRegistry
    let store: any PluginUserSettingStore

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("me/plugin-settings", use: list)
        group.put("me/plugin-settings/:plugin", use: save)
    }

    /// The enabled plugins with settings, in id order.
    private var descriptors: [PluginDescriptor] {
        plugins.instances.keys.sorted().compactMap { id in
            plugins.instances[id].map { type(of: $0).descriptor }
        }.filter { !$0.userSettings.isEmpty }
    }

    private func entry(_ descriptor: PluginDescriptor, user: UserID) async throws -> Wire.PluginSettings {
        let values = try await store.pluginUserSettings(plugin: descriptor.id, user: user)
        return Wire.PluginSettings(
            plugin: descriptor.id, name: descriptor.name,
            settings: descriptor.userSettings.map { setting in
                Wire.PluginSetting(
                    key: setting.key, label: setting.label, help: setting.help, kind: setting.kind.rawValue,
                    choices: setting.choices, value: values[setting.key] ?? setting.defaultValue)
            })
    }

    @Sendable func list(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.PluginSettings>
    {
        let user = try context.requireUser()
        var entries: [Wire.PluginSettings] = []
        for descriptor in descriptors { entries.append(try await entry(descriptor, user: user.id)) }
        return Wire.Page(all: entries)
    }

    @Sendable func save(_ request: Request, context: CantoRequestContext) async throws -> Wire.PluginSettings {
        let user = try context.requireUser()
        let id = try context.parameters.require("plugin")
        guard let descriptor = descriptors.first(where: { $0.id == id }) else { throw APIError.notFound }
        let body = try await request.decode(as: Wire.PluginSettingValues.self, context: context)
        for (key, value) in body.values {
            guard let setting = descriptor.userSettings.first(where: { $0.key == key }) else {
                throw APIError.badRequest("\(descriptor.name) has no setting \(key).")
            }
            guard setting.accepts(value) else {
                let expected =
                    switch setting.kind {
                    case .bool: "true or false"
                    case .integer: "a whole number"
                    case .string: "at most 500 characters"
                    case .choice: "one of \(setting.choices.joined(separator: ", "))"
                    }
                throw APIError.badRequest("\(setting.label) must be \(expected).")
            }
        }
        try await store.savePluginUserSettings(body.values, plugin: id, user: user.id)
        return try await entry(descriptor, user: user.id)
    }
}

extension Wire {
    struct PluginSetting: ResponseEncodable {
        var key: String
        var label: String
        var help: String?
        var kind: String
        var choices: [String]
        var value: String
    }

    struct PluginSettings: ResponseEncodable {
        var plugin: String
        var name: String
        var settings: [PluginSetting]
    }

    struct PluginSettingValues: Decodable {
        var values: [String: String]
    }
}
