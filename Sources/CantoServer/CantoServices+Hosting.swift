public import CantoCore
import CantoDomain
import CantoStore
public import Foundation
public import Hummingbird
public import Logging
import Prometheus

/// What a host other than `canto serve` drives by hand: the plugin testing kit runs the server's
/// services in a test process and moves their background work forward itself.
extension CantoServices {
    /// The routes and middleware `canto serve` answers with, for requests made in process.
    public func router(logger: Logger) -> Router<CantoRequestContext> {
        buildRouter(services: self, metrics: PrometheusCollectorRegistry(), logger: logger)
    }

    /// One round of the event service: each subscriber (plugins' deliveries among them) gets what
    /// it has not handled, up to its first failure (which then waits with backoff). Returns how
    /// many events were handled.
    @discardableResult
    public func deliverPendingEvents() async throws -> Int {
        try await dispatcher.deliverPending()
    }

    /// Publishes `event` in the outbox, as the server's own services do.
    public func publish(_ event: DomainEvent, at date: Date) async throws {
        try await scanning.events.publish(event, at: date)
        dispatcher.wake()
    }

    /// A track of the catalog, whatever its library.
    public func track(_ id: TrackID) async throws -> Track? {
        try await catalog.track(id)
    }

    /// Stores `features` as `track`'s measured sound (what the analyser would have found), for
    /// hosts that bring their own measurements (the recommendation evaluation's synthetic catalog).
    public func recordSonicFeatures(_ features: SonicFeatures, for track: Track) async throws {
        try await sonicFeatures.record(track, features: features, failure: nil, seconds: 0, at: Date())
    }

    /// Runs the plugins' jobs that are due by the server's clock; returns the plugins that ran one.
    @discardableResult
    public func runDuePluginJobs() async -> [String] {
        await jobs.runDue()
    }
}

/// `canto stats rebuild`: the listening rollups rolled up again from the raw history.
public enum StatsMaintenance {
    /// Rebuilds every listener's rollups (in one transaction); returns the plays read.
    public static func rebuild(configuration: CantoConfiguration) async throws -> Int {
        let database = try CantoDatabase(
            dataDirectory: configuration.dataDirectory, busyTimeout: configuration.busyTimeout,
            mappedBytes: configuration.databaseMappedBytes)
        return try await StatsRepository(database: database).rebuild(user: nil)
    }
}
