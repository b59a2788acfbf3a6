import CantoCore
import CantoPluginKit
import Foundation
import Hummingbird
import Logging

extension Wire {
    struct SystemMinute: Encodable, Sendable {
        var start: Date
        var requests: Int
        var errors: Int
    }

    struct SystemDisk: Encodable, Sendable {
        /// `data` or `cache`.
        var folder: String
        var freeBytes: Int64
        var totalBytes: Int64
    }

    struct SystemLogLine: Encodable, Sendable {
        var at: Date
        /// `warning`, `error` or `critical`.
        var level: String
        var source: String
        var message: String
        var metadata: [String: String]
    }

    struct SystemPlugin: Encodable, Sendable {
        var id: String
        var name: String
        var enabled: Bool
        var state: String
        /// Calls that failed in a row lately.
        var failures: Int
        var lastError: String?
        /// Why it failed to start, when it did.
        var message: String?
    }

    struct SystemStatus: ResponseEncodable {
        var now: Date
        var startedAt: Date
        var uptimeSeconds: Double
        /// User and system CPU time of the process so far; two readings give the CPU share.
        var cpuSeconds: Double
        var processors: Int
        var residentBytes: Int64
        var requests: Int
        var serverErrors: Int
        /// The last 60 minutes, oldest first; the last one is still counting.
        var minutes: [SystemMinute]
        var activeStreams: Int
        var disks: [SystemDisk]
        /// The last warnings and errors logged, newest first.
        var logs: [SystemLogLine]
        var plugins: [SystemPlugin]
    }
}

/// The admin's System page: live figures of the process (CPU, memory, uptime), requests and 5xx
/// per minute, streams, free disk, the last warnings and errors, and each plugin's health. It
/// reads memory, `/proc` and the file systems, never the database.
struct SystemController {
    let monitor: SystemMonitor
    let plugins: PluginRegistry
    let folders: [(name: String, url: URL)]
    let clock: any WallClock

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("system", use: status)
    }

    @Sendable func status(_ request: Request, context: CantoRequestContext) async throws -> Wire.SystemStatus {
        let now = clock.now
        let totals = monitor.requests.totals
        let plugins = await plugins.status().map { plugin in
            Wire.SystemPlugin(
                id: plugin.descriptor.id, name: plugin.descriptor.name, enabled: plugin.enabled,
                state: plugin.state.rawValue, failures: plugin.failures, lastError: plugin.lastError,
                message: plugin.message)
        }
        return Wire.SystemStatus(
            now: now, startedAt: monitor.startedAt, uptimeSeconds: max(0, now.timeIntervalSince(monitor.startedAt)),
            cpuSeconds: ProcessFigures.cpuSeconds(), processors: ProcessInfo.processInfo.activeProcessorCount,
            residentBytes: ProcessFigures.residentBytes(), requests: totals.requests, serverErrors: totals.errors,
            minutes: monitor.requests.lastHour().map {
                Wire.SystemMinute(start: $0.start, requests: $0.requests, errors: $0.errors)
            },
            activeStreams: StreamMetrics.active,
            disks: OperationalGauges.diskSpace(of: folders).map {
                Wire.SystemDisk(folder: $0.folder, freeBytes: $0.freeBytes, totalBytes: $0.totalBytes)
            },
            logs: monitor.logs.newestFirst.map {
                Wire.SystemLogLine(
                    at: $0.at, level: $0.level.rawValue, source: $0.source, message: $0.message, metadata: $0.metadata)
            },
            plugins: plugins)
    }
}
