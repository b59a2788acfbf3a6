import CantoCore
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import LocalPlugin
import Logging
import Testing

@testable import CantoServer

/// A listen sink defined by a test, the way a plugin author would write one.
struct RecordingSink: ListenSinkPlugin {
    static let descriptor = PluginDescriptor(
        id: "recorder", name: "Recorder", version: "0.1.0", configurationKeys: ["token"], secretKeys: ["token"])
    let token: String
    init(configuration: PluginConfiguration, context: PluginContext) throws {
        guard let token = try configuration.string("token") else {
            throw PluginConfigurationError(pluginID: "recorder", key: "token", message: "is required")
        }
        self.token = token
    }
    func nowPlaying(_ listen: Listen) async throws {}
    func submit(_ listens: [Listen]) async throws {}
}

/// A plugin whose start fails, to show the failure is reported, not fatal.
struct FailingSource: MediaSourcePlugin {
    static let descriptor = PluginDescriptor(id: "failing", name: "Failing", version: "0.0.1", enabledByDefault: true)
    struct Broken: Error {}
    init(configuration: PluginConfiguration, context: PluginContext) throws {}
    func start() async throws { throw Broken() }
    func scan(libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void)
        async throws -> ScanSummary
    { ScanSummary() }
}

@Suite("Plugin registry")
struct PluginRegistryTests {
    let data: TemporaryDirectory
    let catalog: CatalogRepository

    init() throws {
        data = try TemporaryDirectory(prefix: "canto-plugins")
        catalog = CatalogRepository(database: try CantoDatabase(dataDirectory: data.url))
    }

    func registry(_ configurations: [String: PluginConfiguration]) throws -> PluginRegistry {
        try PluginRegistry(
            types: BuiltinPlugins.all + [RecordingSink.self, FailingSource.self], configurations: configurations,
            context: { descriptor in
                PluginContext(
                    logger: Logger(label: "test"), dataDirectory: data.appending(descriptor.id), catalog: catalog,
                    catalogWriter: catalog)
            }, logger: Logger(label: "test"))
    }

    @Test func pluginsAreFoundByCapabilityAndStates() async throws {
        let registry = try registry([
            "recorder": PluginConfiguration(
                pluginID: "recorder", values: ["enabled": .bool(true), "token": .string("t")])
        ])
        await registry.startAll()
        let statuses = Dictionary(uniqueKeysWithValues: await registry.status().map { ($0.descriptor.id, $0) })
        #expect(statuses["local"]?.state == .running)
        #expect(statuses["local"]?.capabilities == ["mediaSource"])
        #expect(statuses["recorder"]?.state == .running)
        #expect(statuses["recorder"]?.capabilities == ["scrobbler"])
        #expect(statuses["failing"]?.state == .failed)
        #expect(statuses["failing"]?.message?.contains("Broken") == true)
        // A failed plugin is not handed out.
        let sources = await registry.plugins((any MediaSourcePlugin).self)
        #expect(sources.count == 1)
        #expect(sources.first is LocalLibraryPlugin)
        #expect(await registry.plugins((any ListenSinkPlugin).self).count == 1)
        #expect(await registry.plugins((any PaymentProviderPlugin).self).isEmpty)
        await registry.stopAll()
        #expect(await registry.status().first { $0.descriptor.id == "local" }?.state == .stopped)
    }

    @Test func disabledByDefaultUnlessEnabled() async throws {
        let registry = try registry([:])
        await registry.startAll()
        #expect(await registry.status().first { $0.descriptor.id == "recorder" }?.state == .disabled)
        #expect(await registry.plugins((any ListenSinkPlugin).self).isEmpty)
    }

    @Test func aPluginRejectingItsConfigurationStopsStartUp() throws {
        #expect(throws: PluginConfigurationError(pluginID: "recorder", key: "token", message: "is required")) {
            _ = try registry(["recorder": PluginConfiguration(pluginID: "recorder", values: ["enabled": .bool(true)])])
        }
        #expect(throws: PluginConfigurationError.self) {
            _ = try registry([
                "local": PluginConfiguration(pluginID: "local", values: ["concurrency": .string("many")])
            ])
        }
        #expect(throws: PluginConfigurationError.self) {
            _ = try registry(["nope": PluginConfiguration(pluginID: "nope")])
        }
    }

    @Test func secretKeysAreMaskedInTheRenderedConfiguration() throws {
        let music = data.appending("music")
        try FileManager.default.createDirectory(at: music, withIntermediateDirectories: true)
        let configuration = try CantoConfiguration.load(
            environment: ["CANTO_PLUGINS_RECORDER_TOKEN": "s3cr3t-token"], flags: ["library.music_folders": music.path],
            workingDirectory: data.path)
        let text = configuration.rendered(secretPluginKeys: ["recorder": RecordingSink.descriptor.secretKeys])
        #expect(!text.contains("s3cr3t-token"))
        #expect(text.contains("token = \"********\""))
    }
}
