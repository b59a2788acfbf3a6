import CantoCore
import CantoDomain
import CantoStore
import CantoTestSupport
import Foundation
import Logging
import ServiceLifecycleTestKit
import Synchronization
import Testing

@testable import CantoServer

@Suite("Scanner service")
struct ScannerServiceTests {
    func services(music: String, data: TemporaryDirectory) async throws -> CantoServices {
        try await CantoServices.forTests(data: data, music: music)
    }

    @Test func scansAtStartOnAScheduleAndOnRequestThenStopsAtShutdown() async throws {
        let fixture = try await FixtureLibrary.shared()
        let data = try TemporaryDirectory(prefix: "canto-scanner-service")
        let services = try await services(music: fixture.root.path, data: data)
        await services.registry.startAll()
        let service = ScannerService(coordinator: services.scans, scanOnStart: true, interval: .milliseconds(300))
        try await testGracefulShutdown { shutdown in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                // The start-up scan, then at least one scheduled one.
                try await waitUntil { await services.scans.completedScans >= 2 }
                let first = try #require(await services.scans.lastSummary)
                #expect(first.unchanged == fixture.expectedTrackCount)
                // A request while idle runs at once.
                let before = await services.scans.completedScans
                await services.scans.requestScan()
                try await waitUntil { await services.scans.completedScans > before }
                shutdown.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        let counts = try await services.catalog.counts()
        #expect(counts.tracks == fixture.expectedTrackCount)
        #expect(await services.scans.isRunning == false)
    }

    @Test func progressIsVisibleWhileAndAfterScanning() async throws {
        let fixture = try await FixtureLibrary.shared()
        let data = try TemporaryDirectory(prefix: "canto-scan-progress")
        let services = try await services(music: fixture.root.path, data: data)
        let seen = ProgressLog()
        let summary = try await services.scan { seen.append($0) }
        #expect(summary.added == fixture.expectedTrackCount)
        #expect(!seen.values.isEmpty)
        #expect(seen.values.map(\.filesSeen) == seen.values.map(\.filesSeen).sorted())
        let progress = await services.scans.progress
        #expect(progress.running == false)
        #expect(progress.summary.added == fixture.expectedTrackCount)
    }

    private func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met in time")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

final class ProgressLog: Sendable {
    private let storage = Mutex<[ScanProgress]>([])
    func append(_ progress: ScanProgress) { storage.withLock { $0.append(progress) } }
    var values: [ScanProgress] { storage.withLock { $0 } }
}
