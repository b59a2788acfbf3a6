import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// A plugin's key-value store: its own keys only, JSON helpers, limits, kept across a reopen.
@Suite struct PluginValueTests {
    @Test func eachPluginSeesItsOwnKeys() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-plugin-values")
        let database = try CantoDatabase(dataDirectory: directory.url)
        let first = PluginValueRepository(database: database, pluginID: "first")
        let second = PluginValueRepository(database: database, pluginID: "second")
        try await first.setValue(Data("one".utf8), for: "sync.cursor")
        try await first.encode(["a", "b"], for: "sync.playlists")
        try await second.setValue(Data("other".utf8), for: "sync.cursor")
        #expect(try await first.value(for: "sync.cursor") == Data("one".utf8))
        #expect(try await second.value(for: "sync.cursor") == Data("other".utf8))
        #expect(try await first.decoded([String].self, for: "sync.playlists") == ["a", "b"])
        #expect(try await first.keys(prefix: "sync.") == ["sync.cursor", "sync.playlists"])
        #expect(try await second.keys(prefix: "") == ["sync.cursor"])
        try await first.setValue(nil, for: "sync.cursor")
        #expect(try await first.value(for: "sync.cursor") == nil)
        #expect(try await second.value(for: "sync.cursor") != nil)
        // Kept in the database: another connection to the same file reads it.
        let reopened = PluginValueRepository(
            database: try CantoDatabase(dataDirectory: directory.url), pluginID: "first")
        #expect(try await reopened.decoded([String].self, for: "sync.playlists") == ["a", "b"])
    }

    @Test func limitsAreRefusedWithAReason() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-plugin-limits")
        let store = PluginValueRepository(database: try CantoDatabase(dataDirectory: directory.url), pluginID: "big")
        await #expect(throws: PluginStorageLimit.self) { try await store.setValue(Data(), for: "") }
        await #expect(throws: PluginStorageLimit.self) {
            try await store.setValue(Data(), for: String(repeating: "k", count: 201))
        }
        await #expect(throws: PluginStorageLimit.self) {
            try await store.setValue(Data(count: (1 << 20) + 1), for: "huge")
        }
        try await store.setValue(Data(count: 1 << 20), for: "largest")
        #expect(try await store.value(for: "largest")?.count == 1 << 20)
    }
}
