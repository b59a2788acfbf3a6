public import CantoCore
public import CantoPluginKit

/// Hands an `EventsPlugin` every committed household event from the outbox, from its own
/// durable cursor (from the moment it is enabled): in order, at least once, under the deadline;
/// a failure waits with backoff and shows on the admin page.
public struct PluginEventDelivery: EventSubscriber {
    public let pluginID: String
    /// The plugin now (an admin may reconfigure, enable or disable it at run time).
    let resolve: @Sendable () -> (any EventsPlugin)?
    let isRunning: @Sendable () async -> Bool
    let health: PluginHealth
    let deadline: Duration

    public init(
        pluginID: String, resolve: @escaping @Sendable () -> (any EventsPlugin)?,
        isRunning: @escaping @Sendable () async -> Bool, health: PluginHealth, deadline: Duration
    ) {
        self.pluginID = pluginID
        self.resolve = resolve
        self.isRunning = isRunning
        self.health = health
        self.deadline = deadline
    }

    public var id: String { "plugin.\(pluginID).events" }
    public var startsFromNow: Bool { true }

    public var batchLimit: Int { max(1, resolve()?.eventBatchLimit ?? 1) }

    public func handle(_ event: StoredEvent) async throws {
        if let error = await handle(batch: [event]).error { throw error }
    }

    /// The whole batch in one call (the plugin's `handle(events:)`), under one deadline: done
    /// through its last event, or not at all.
    public func handle(batch events: [StoredEvent]) async -> BatchOutcome {
        guard await isRunning(), let plugin = resolve() else {
            return BatchOutcome(finishedThrough: nil, error: PluginNotRunning(pluginID: pluginID))
        }
        do {
            try await PluginCalls.run(pluginID, deadline: deadline) { try await plugin.handle(events: events) }
        } catch {
            await health.failed(pluginID, error)
            return BatchOutcome(finishedThrough: nil, error: error)
        }
        await health.succeeded(pluginID)
        return BatchOutcome(finishedThrough: events.last?.id, error: nil)
    }
}
