public import CantoCore
public import CantoPluginKit
public import Foundation

/// Runs plugins' periodic jobs on the server's wall clock: `runDue()` starts each job whose time
/// has come (and is not still running) and returns their names; a service calls it every second.
/// Tests move a `ManualClock` instead of waiting.
public actor PluginJobScheduler {
    struct Entry {
        var pluginID: String
        var job: PluginJob
        var next: Date
        var running = false
    }

    private var entries: [Entry] = []
    private let clock: any WallClock
    private let health: PluginHealth
    private let isRunning: @Sendable (String) async -> Bool
    /// The longest a run may take (shorter when the interval is).
    static let longestRun: Duration = .seconds(300)

    public init(clock: any WallClock, health: PluginHealth, isRunning: @escaping @Sendable (String) async -> Bool) {
        self.clock = clock
        self.health = health
        self.isRunning = isRunning
    }

    /// Adds `plugin`'s jobs, each due now.
    public func schedule(_ plugin: any ScheduledPlugin) {
        let id = type(of: plugin).descriptor.id
        for job in plugin.jobs where job.interval > .zero {
            entries.append(Entry(pluginID: id, job: job, next: clock.now))
        }
    }

    /// Replaces plugin `id`'s jobs with `plugin`'s (nil: it was disabled), each due now.
    public func reschedule(_ id: String, _ plugin: (any ScheduledPlugin)?) {
        entries.removeAll { $0.pluginID == id && !$0.running }
        if let plugin { schedule(plugin) }
    }

    /// Starts every due job of a running plugin and waits for them; returns "plugin/job" names run.
    @discardableResult
    public func runDue() async -> [String] {
        let now = clock.now
        var due: [Int] = []
        for index in entries.indices where !entries[index].running && entries[index].next <= now {
            guard await isRunning(entries[index].pluginID) else { continue }
            entries[index].running = true
            entries[index].next = now + Self.seconds(entries[index].job.interval)
            due.append(index)
        }
        let runs = due.map { entries[$0] }
        await withTaskGroup(of: Void.self) { group in
            for entry in runs {
                let health = health
                group.addTask {
                    do {
                        try await PluginCalls.run(entry.pluginID, deadline: min(entry.job.interval, Self.longestRun)) {
                            try await entry.job.run()
                        }
                        await health.succeeded(entry.pluginID)
                    } catch {
                        await health.failed(entry.pluginID, error)
                    }
                }
            }
        }
        for index in due { entries[index].running = false }
        return runs.map { "\($0.pluginID)/\($0.job.name)" }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
