/// Work a plugin wants done every so often (a sync every N minutes). The host runs it: first soon
/// after the plugin starts, then every `interval`, never two runs of one job at once, each run
/// under a deadline (the interval, at most five minutes), and stops at shutdown. A run that
/// throws is shown on the admin page; the next one comes at its time.
public struct PluginJob: Sendable {
    public var name: String
    public var interval: Duration
    public var run: @Sendable () async throws -> Void

    public init(name: String, every interval: Duration, run: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.run = run
    }
}

/// A plugin with periodic work.
public protocol ScheduledPlugin: CantoPlugin {
    /// The plugin's jobs, read once when the host creates the plugin; they run only while it runs.
    var jobs: [PluginJob] { get }
}
