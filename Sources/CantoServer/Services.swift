import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Logging
import ServiceLifecycle

/// Starts the plugins with the server and stops them at shutdown.
struct PluginService: Service {
    let registry: PluginRegistry

    func run() async throws {
        await registry.startAll()
        try? await gracefulShutdown()
        await registry.stopAll()
    }
}

/// Runs the plugins' periodic jobs: looks for due ones every second, until shutdown.
struct PluginJobService: Service {
    let scheduler: PluginJobScheduler

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await scheduler.runDue()
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// Scans at start-up (when configured), every `interval` (when configured) and on request.
struct ScannerService: Service {
    let coordinator: ScanCoordinator
    let scanOnStart: Bool
    let interval: Duration?

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await coordinator.run() }
            if scanOnStart { await coordinator.requestScan() }
            if let interval {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if Task.isCancelled { break }
                        await coordinator.requestScan()
                    }
                }
            }
            // At shutdown: stop the schedule and end a running scan at a transaction boundary.
            try? await gracefulShutdown()
            await coordinator.finish()
            group.cancelAll()
        }
    }
}

/// Delivers domain events to their subscribers until shutdown.
struct EventService: Service {
    let dispatcher: EventDispatcher

    func run() async throws {
        await cancelWhenGracefulShutdown { await dispatcher.run() }
    }
}

/// Deletes expired and idle sessions every hour.
struct SessionCleanupService: Service {
    let accounts: AccountService

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await accounts.deleteExpiredSessions(now: Date())
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}
