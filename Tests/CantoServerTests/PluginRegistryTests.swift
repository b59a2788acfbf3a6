import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import LocalPlugin
import Logging
import Testing

@testable import CantoServer

/// A media source defined by a test, the way a plugin author would write one: it needs a
/// secret token and brings no music.
struct TokenSource: MediaSourcePlugin {
    static let descriptor = PluginDescriptor(
        id: "recorder", name: "Recorder", version: "0.1.0", configurationKeys: ["token"], secretKeys: ["token"])
    let token: String
    init(configuration: PluginConfiguration, context: PluginContext) throws {
        guard let token = try configuration.string("token") else {
            throw PluginConfigurationError(pluginID: "recorder", key: "token", message: "is required")
        }
        self.token = token
    }
    func scan(libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void)
        async throws -> ScanSummary
    { ScanSummary() }
    func location(of track: Track, in library: Library) async throws -> MediaLocation { throw DomainError.notFound }
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
    func location(of track: Track, in library: Library) async throws -> MediaLocation { throw DomainError.notFound }
}

/// A gate a test opens: whoever waits on it resumes then.
final class Gate: Sendable {
    private let opened: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    init() { (opened, continuation) = AsyncStream<Void>.makeStream() }
    func open() { continuation.finish() }
    func wait() async { for await _ in opened {} }
}

/// A source whose start takes as long as the test says (it waits on a gate), and whose scan
/// reports 7 files added, so a scan that skipped it is told apart.
struct SlowSource: MediaSourcePlugin {
    static let descriptor = PluginDescriptor(id: "slow", name: "Slow", version: "0.0.1", enabledByDefault: true)
    /// Opened by the one test that uses this source.
    static let gate = Gate()
    init(configuration: PluginConfiguration, context: PluginContext) throws {}
    func start() async throws { await Self.gate.wait() }
    func scan(libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void)
        async throws -> ScanSummary
    {
        var summary = ScanSummary()
        summary.added = 7
        return summary
    }
    func location(of track: Track, in library: Library) async throws -> MediaLocation { throw DomainError.notFound }
}

/// A plugin that must not be created: listing plugins must not create any.
struct UncreatableSource: MediaSourcePlugin {
    static let descriptor = PluginDescriptor(id: "uncreatable", name: "Uncreatable", version: "0.0.1")
    struct Created: Error {}
    init(configuration: PluginConfiguration, context: PluginContext) throws { throw Created() }
    func scan(libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void)
        async throws -> ScanSummary
    { ScanSummary() }
    func location(of track: Track, in library: Library) async throws -> MediaLocation { throw DomainError.notFound }
}

@Suite("Plugin registry")
struct PluginRegistryTests {
    let data: TemporaryDirectory
    let database: CantoDatabase
    let catalog: CatalogRepository

    init() throws {
        data = try TemporaryDirectory(prefix: "canto-plugins")
        database = try CantoDatabase(dataDirectory: data.url)
        catalog = CatalogRepository(database: database)
    }

    func registry(_ configurations: [String: PluginConfiguration]) throws -> PluginRegistry {
        try PluginRegistry(
            types: BuiltinPlugins.all + [TokenSource.self, FailingSource.self], configurations: configurations,
            context: { descriptor, _ in
                PluginContext.forTests(descriptor, data: data.url, database: database)
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
        #expect(statuses["recorder"]?.capabilities == ["mediaSource"])
        #expect(statuses["failing"]?.state == .failed)
        #expect(statuses["failing"]?.message?.contains("Broken") == true)
        // A failed plugin is not handed out.
        let sources = await registry.plugins((any MediaSourcePlugin).self)
        #expect(sources.count == 2)
        #expect(sources.contains { $0 is LocalLibraryPlugin } && sources.contains { $0 is TokenSource })
        await registry.stopAll()
        #expect(await registry.status().first { $0.descriptor.id == "local" }?.state == .stopped)
    }

    @Test func disabledByDefaultUnlessEnabled() async throws {
        let registry = try registry([:])
        await registry.startAll()
        #expect(await registry.status().first { $0.descriptor.id == "recorder" }?.state == .disabled)
        #expect(await registry.plugins((any MediaSourcePlugin).self).count == 1)
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
        let text = configuration.rendered(secretPluginKeys: ["recorder": TokenSource.descriptor.secretKeys])
        #expect(!text.contains("s3cr3t-token"))
        #expect(text.contains("token = \"********\""))
    }

    @Test func theFirstScanWaitsForAPluginThatIsStillStarting() async throws {
        let registry = try PluginRegistry(
            types: [SlowSource.self], configurations: [:],
            context: { descriptor, _ in
                PluginContext.forTests(descriptor, data: data.url, database: database)
            }, logger: Logger(label: "test"))
        let scans = ScanCoordinator(sources: registry, catalog: catalog, libraries: [], logger: Logger(label: "test"))
        // The server's plugin service starts the plugins while the start-up scan is asked for.
        let starting = Task { await registry.startAll() }
        let scanning = Task { try await scans.scanNow() }
        SlowSource.gate.open()
        let summary = try await scanning.value
        await starting.value
        #expect(summary.added == 7, "the scan ran without the source that was still starting")
        #expect(await registry.status().first?.state == .running)
    }

    @Test func listingPluginsCreatesNone() throws {
        let statuses = try PluginRegistry.describe(
            types: BuiltinPlugins.all + [UncreatableSource.self],
            configurations: [
                "uncreatable": PluginConfiguration(pluginID: "uncreatable", values: ["enabled": .bool(true)])
            ])
        #expect(
            statuses.map(\.descriptor.id) == [
                "colisten", "lastfm", "listenbrainz", "local", "manual", "sonic", "spotify", "stripe", "uncreatable",
            ])
        // Last.fm needs its API key: off until configured; Spotify and the payment providers are off until an
        // admin turns them on; the rest are on.
        #expect(
            statuses.filter { !$0.enabled }.map(\.descriptor.id) == ["lastfm", "manual", "spotify", "stripe"])
        #expect(statuses.first { $0.descriptor.id == "stripe" }?.capabilities.contains("payments") == true)
        #expect(statuses.first { $0.descriptor.id == "local" }?.capabilities == ["mediaSource"])
        #expect(statuses.first { $0.descriptor.id == "sonic" }?.capabilities == ["recommender"])
        // Creating it for real fails: the listing above never did.
        #expect(throws: UncreatableSource.Created.self) {
            _ = try PluginRegistry(
                types: [UncreatableSource.self],
                configurations: [
                    "uncreatable": PluginConfiguration(pluginID: "uncreatable", values: ["enabled": .bool(true)])
                ],
                context: { descriptor, _ in
                    PluginContext.forTests(descriptor, data: data.url, database: database)
                }, logger: Logger(label: "test"))
        }
    }
}
