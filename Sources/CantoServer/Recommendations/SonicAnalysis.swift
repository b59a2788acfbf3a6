import CantoCore
import CantoDomain
import CantoMedia
import CantoStore
import Foundation
import Hummingbird
import Logging
import Metrics
import ServiceLifecycle

/// The background sonic analyser: measures every track whose features are missing or stale (a
/// new content hash, a new analyser version), a few at a time on its own threads, stepping aside
/// while a transcode runs. Its state is in the database, so a restart resumes where it stopped
/// and an unchanged track is never measured twice. A track it cannot measure (silent, unreadable)
/// gets its reason recorded and logged, and the analyser moves on.
actor SonicAnalysis {
    let store: SonicFeatureRepository
    let catalog: any CatalogReader
    let resolver: MediaResolver
    let pool: BlockingPool
    let width: Int
    let analyzer: SonicAnalyzer
    /// Whether the machine is busy streaming (then the analyser waits).
    let isBusy: @Sendable () async -> Bool
    let logger: Logger

    private var wakeups: AsyncStream<Void>.Continuation?
    private(set) var running = false
    private(set) var paused = false
    /// Tracks a second over the last run of more than a few tracks.
    private(set) var tracksPerSecond: Double?

    private static let analyzed = Counter(label: "canto_sonic_tracks_total", dimensions: [("outcome", "analyzed")])
    private static let failed = Counter(label: "canto_sonic_tracks_total", dimensions: [("outcome", "failed")])
    private static let pending = Gauge(label: "canto_sonic_pending")

    init(
        store: SonicFeatureRepository, catalog: any CatalogReader, resolver: MediaResolver, width: Int,
        analyzer: SonicAnalyzer = SonicAnalyzer(), isBusy: @escaping @Sendable () async -> Bool, logger: Logger
    ) {
        self.store = store
        self.catalog = catalog
        self.resolver = resolver
        self.width = max(1, width)
        // Below the requests: a household browsing while the library is analysed comes first.
        pool = BlockingPool(label: "canto.sonic", threads: max(1, width), lowPriority: true)
        self.analyzer = analyzer
        self.isBusy = isBusy
        self.logger = logger
    }

    /// What the admin page shows (`GET /api/v1/admin/analysis`).
    struct Status: Sendable, Codable, Equatable, ResponseEncodable {
        var total: Int
        var analyzed: Int
        var failed: Int
        var pending: Int
        var running: Bool
        var paused: Bool
        var tracksPerSecond: Double?
        var failures: [SonicFeatureRepository.Failure]
    }

    func status() async throws -> Status {
        let progress = try await store.progress()
        return Status(
            total: progress.total, analyzed: progress.analyzed, failed: progress.failed, pending: progress.pending,
            running: running, paused: paused, tracksPerSecond: tracksPerSecond,
            failures: try await store.failures(limit: 20))
    }

    /// Asks for a run soon (a scan finished).
    nonisolated func wake() {
        Task { await self.signal() }
    }

    private func signal() { wakeups?.yield() }

    /// Measures what is pending, up to `limit` tracks; returns how many it measured (or failed to).
    @discardableResult
    func runOnce(limit: Int = .max) async -> Int {
        running = true
        defer {
            running = false
            paused = false
        }
        var cursor: TrackID?
        var done = 0
        let started = ContinuousClock.now
        while !Task.isCancelled, done < limit {
            while await isBusy(), !Task.isCancelled {
                paused = true
                try? await Task.sleep(for: .milliseconds(500))
            }
            paused = false
            let batch: [Track]
            let libraries: [Library]
            do {
                batch = try await store.pending(limit: min(width * 4, limit - done), after: cursor)
                libraries = try await catalog.libraries()
            } catch {
                logger.error("sonic analysis stopped", metadata: ["error": "\(error)"])
                break
            }
            if batch.isEmpty { break }
            cursor = batch.last?.id
            await withTaskGroup(of: Void.self) { group in
                for track in batch {
                    group.addTask { await self.measure(track, libraries: libraries) }
                }
            }
            done += batch.count
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        if done >= 4, seconds > 0 { tracksPerSecond = Double(done) / seconds }
        if let progress = try? await store.progress() { Self.pending.record(progress.pending) }
        return done
    }

    private nonisolated func measure(_ track: Track, libraries: [Library]) async {
        let started = ContinuousClock.now
        var features: SonicFeatures?
        var failure: String?
        do {
            let path =
                switch try await resolver.location(of: track, libraries: libraries) {
                case .file(let path): path
                case .remote(let url): url.absoluteString
                }
            let analyzer = analyzer
            features = try await pool.run { try analyzer.analyze(path: path).features }
        } catch let error as MediaError {
            failure = {
                if case .unreadable(let reason) = error { return reason }
                return "\(error)"
            }()
        } catch {
            failure = "\(error)"
        }
        if let failure {
            logger.notice(
                "track not analysed", metadata: ["track.id": "\(track.id.rawValue)", "reason": "\(failure)"])
            Self.failed.increment()
        } else {
            Self.analyzed.increment()
        }
        do {
            try await store.record(
                track, features: features, failure: failure,
                seconds: (ContinuousClock.now - started) / .seconds(1), at: Date())
        } catch is CancellationError {
            // The server is stopping: the track is measured again next time.
        } catch {
            logger.error(
                "sonic features not stored", metadata: ["track.id": "\(track.id.rawValue)", "error": "\(error)"])
        }
    }

    /// Runs whenever woken and every `interval`, until cancelled.
    func run(interval: Duration = .seconds(300)) async {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeups = continuation
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        defer { ticker.cancel() }
        await runOnce()
        for await _ in stream {
            if Task.isCancelled { break }
            await runOnce()
        }
    }

    func finish() {
        wakeups?.finish()
        wakeups = nil
    }
}

/// Wakes the analyser when a scan finishes.
struct SonicAnalysisWaker: EventSubscriber {
    let analysis: SonicAnalysis
    var id: String { "sonic-analysis" }
    var isInline: Bool { true }
    var startsFromNow: Bool { true }

    func handle(_ event: StoredEvent) async throws {
        if case .scanFinished = event.event { analysis.wake() }
    }
}

/// Runs the analyser for the server's life.
struct SonicAnalysisService: Service {
    let analysis: SonicAnalysis

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await analysis.run() }
            try? await gracefulShutdown()
            await analysis.finish()
            group.cancelAll()
        }
    }
}
