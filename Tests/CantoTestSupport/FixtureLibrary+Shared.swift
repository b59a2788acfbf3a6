import Foundation

extension FixtureLibrary {
    /// The fixture library built once per test process and shared by every test that only
    /// reads it. Tests that change files work on `FixtureManifest.copy(to:)`.
    public static func shared() async throws -> FixtureManifest {
        try await sharedCache.manifest()
    }
}

/// Where the shared library lives; removed when the process exits.
private let sharedRoot: URL = {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent(
            "canto-fixture-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    atexit { try? FileManager.default.removeItem(at: sharedRoot) }
    return url
}()

private let sharedCache = SharedFixtureCache()

private actor SharedFixtureCache {
    private var building: Task<FixtureManifest, any Error>?

    func manifest() async throws -> FixtureManifest {
        if let building { return try await building.value }
        let root = sharedRoot.appendingPathComponent("Music")
        // A task, so callers arriving while it builds wait for the same result.
        let task = Task { try await offPool { try FixtureLibrary.make(at: root) } }
        building = task
        return try await task.value
    }
}
