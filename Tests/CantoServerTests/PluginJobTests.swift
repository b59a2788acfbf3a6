import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import CantoServer

/// Plugins' periodic jobs on the server's clock (a `ManualClock` moved by the test, never slept).
@Suite("Plugin jobs")
struct PluginJobTests {
    /// Counts runs per job name, across the test plugins.
    static let runs = Mutex<[String: Int]>([:])
    static func count(_ name: String) -> Int { runs.withLock { $0[name] ?? 0 } }

    struct Ticking: ScheduledPlugin {
        static let descriptor = PluginDescriptor(id: "ticking", name: "Ticking", version: "1", enabledByDefault: true)
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
        var jobs: [PluginJob] {
            [
                PluginJob(name: "sync", every: .seconds(60)) {
                    PluginJobTests.runs.withLock { $0["sync", default: 0] += 1 }
                }
            ]
        }
    }

    struct Broken: ScheduledPlugin {
        struct Failure: Error, CustomStringConvertible { var description: String { "the service said no" } }
        static let descriptor = PluginDescriptor(id: "broken", name: "Broken", version: "1", enabledByDefault: true)
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
        var jobs: [PluginJob] {
            [
                PluginJob(name: "fail", every: .seconds(300)) {
                    PluginJobTests.runs.withLock { $0["fail", default: 0] += 1 }
                    throw Failure()
                }
            ]
        }
    }

    struct NeverStarts: ScheduledPlugin {
        struct Refused: Error {}
        static let descriptor = PluginDescriptor(id: "neverstarts", name: "Never", version: "1", enabledByDefault: true)
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
        func start() async throws { throw Refused() }
        var jobs: [PluginJob] {
            [
                PluginJob(name: "never", every: .seconds(1)) {
                    PluginJobTests.runs.withLock { $0["never", default: 0] += 1 }
                }
            ]
        }
    }

    @Test func jobsRunOnTheirIntervalAndFailuresShow() async throws {
        let clock = ManualClock()
        let server = try await InProcessServer.start(
            plugins: [Ticking.self, Broken.self, NeverStarts.self], clock: clock)
        let jobs = server.services.jobs
        // The jobs of this test's plugins (the built-in recommender reindexes on its own schedule).
        @Sendable func ours() async -> Set<String> {
            Set(await jobs.runDue().filter { !$0.hasPrefix("sonic/") })
        }
        // Due at once after start; then not until their interval has passed.
        #expect(await ours() == ["ticking/sync", "broken/fail"])
        #expect(await ours().isEmpty)
        clock.advance(by: 59)
        #expect(await ours().isEmpty)
        clock.advance(by: 1)
        #expect(await ours() == ["ticking/sync"])
        clock.advance(by: 240)
        #expect(await ours() == ["ticking/sync", "broken/fail"])
        #expect(Self.count("sync") == 3)
        #expect(Self.count("fail") == 2)
        #expect(Self.count("never") == 0, "a plugin that did not start runs no job")
        // The failing job shows on the admin page.
        let admin = try await server.addAdminSession()
        try await server.withClient { client in
            let plugins = try await client.send(.get, "/api/v1/admin/plugins", token: admin)
            let broken = (plugins.json["items"] as? [[String: Any]])?.first {
                ($0["descriptor"] as? [String: Any])?["id"] as? String == "broken"
            }
            #expect(broken?["failures"] as? Int == 2)
            #expect(broken?["lastError"] as? String == "the service said no")
            let never = (plugins.json["items"] as? [[String: Any]])?.first {
                ($0["descriptor"] as? [String: Any])?["id"] as? String == "neverstarts"
            }
            #expect(never?["state"] as? String == "failed")
        }
    }
}
