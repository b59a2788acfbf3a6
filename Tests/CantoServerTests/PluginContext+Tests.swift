import CantoCore
import CantoPluginKit
import CantoStore
import Foundation
import Logging

@testable import CantoServer

extension PluginContext {
    /// What the host hands `descriptor`'s plugin, over `database`, for tests that create plugins
    /// outside a server: its declared hosts (and those of its configuration), its storage, no
    /// listeners' data unless declared, its settings.
    static func forTests(
        _ descriptor: PluginDescriptor, data: URL, database: CantoDatabase, configuration: PluginConfiguration? = nil
    ) -> PluginContext {
        let catalog = CatalogRepository(database: database)
        return PluginContext(
            logger: Logger(label: "test"), dataDirectory: data.appendingPathComponent(descriptor.id), catalog: catalog,
            catalogWriter: catalog,
            http: HostHTTPClient(descriptor, configuration: configuration),
            storage: PluginValueRepository(database: database, pluginID: descriptor.id),
            tables: PluginTableStore(
                database: database, pluginID: descriptor.id, declaresTables: !descriptor.migrations.isEmpty),
            listenerData: HostListenerData(
                pluginID: descriptor.id, allowed: descriptor.permissions.listenerData,
                history: HistoryRepository(database: database), state: LibraryStateRepository(database: database),
                users: AccountRepository(database: database), mayImport: descriptor.permissions.importsListening,
                catalog: catalog),
            userSettings: HostUserSettings(
                pluginID: descriptor.id, declared: descriptor.userSettings,
                store: LinkedAccountRepository(database: database)),
            sonicFeatures: SonicFeatureRepository(database: database))
    }
}
