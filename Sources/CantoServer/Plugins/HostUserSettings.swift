import CantoCore
import CantoPluginKit

/// A plugin's listeners' settings as the host gives them: the listener's value, else the declared
/// default; nil for a key the plugin did not declare.
struct HostUserSettings: PluginUserSettings {
    let pluginID: String
    let declared: [PluginUserSetting]
    let store: any PluginUserSettingStore

    func value(_ key: String, for user: UserID) async throws -> String? {
        guard let setting = declared.first(where: { $0.key == key }) else { return nil }
        return try await store.pluginUserSettings(plugin: pluginID, user: user)[key] ?? setting.defaultValue
    }
}
