public import CantoCore
public import CantoPluginKit

/// Hands an `EventsPlugin` every committed household event from the outbox, from its own
/// durable cursor (from the moment it is enabled): in order, at least once, under the deadline;
/// a failure waits with backoff and shows on the admin page.
public struct PluginEventDelivery: EventSubscriber {
    public let pluginID: String
    let plugin: any EventsPlugin
    let isRunning: @Sendable () async -> Bool
    let health: PluginHealth
    let deadline: Duration

    public init(
        plugin: any EventsPlugin, isRunning: @escaping @Sendable () async -> Bool, health: PluginHealth,
        deadline: Duration
    ) {
        pluginID = type(of: plugin).descriptor.id
        self.plugin = plugin
        self.isRunning = isRunning
        self.health = health
        self.deadline = deadline
    }

    public var id: String { "plugin.\(pluginID).events" }
    public var startsFromNow: Bool { true }

    public func handle(_ event: StoredEvent) async throws {
        guard await isRunning() else { throw PluginNotRunning(pluginID: pluginID) }
        do {
            try await PluginCalls.run(pluginID, deadline: deadline) { try await plugin.handle(event) }
        } catch {
            await health.failed(pluginID, error)
            throw error
        }
        await health.succeeded(pluginID)
    }
}
