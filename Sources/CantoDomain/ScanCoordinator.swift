public import CantoCore
public import CantoPluginKit
import Foundation
public import Logging
import Synchronization

/// The media sources a scan asks, as the plugin host provides them (started).
public protocol MediaSources: Sendable {
    func mediaSources() async -> [any MediaSourcePlugin]
}

/// Runs scans one at a time, whoever asks (start-up, the schedule, an admin, a signal).
/// A request during a scan is remembered and runs once the current one ends.
public actor ScanCoordinator {
    private let sources: any MediaSources
    private let catalog: any CatalogReader
    private var libraries: [Library]
    private let logger: Logger
    private var requests: AsyncStream<Void>.Continuation?
    private let stream: AsyncStream<Void>
    private var pending = false
    private let live = LiveProgress()
    /// The running scan's progress, or the last one's; a requested scan that has not begun yet
    /// counts as running, so a caller that asked for one never sees "done" before it ran.
    public var progress: ScanProgress {
        var value = live.value
        if pending { value.running = true }
        return value
    }
    public private(set) var lastSummary: ScanSummary?
    /// Scans run to their end since start.
    public private(set) var completedScans = 0
    /// Why the last scan stopped before its end, for people (nil once one completes).
    public private(set) var lastFailure: String?
    /// Words for a failed scan's error (a full disk says so; anything else points to the log).
    private let explain: @Sendable (any Error) -> String

    /// Where `scanFinished` is published.
    private let events: (any EventLog)?

    public init(
        sources: any MediaSources, catalog: any CatalogReader, libraries: [Library], events: (any EventLog)? = nil,
        logger: Logger,
        explain: @escaping @Sendable (any Error) -> String = { _ in "The scan failed: the server's log says why." }
    ) {
        self.explain = explain
        self.sources = sources
        self.events = events
        self.catalog = catalog
        self.libraries = libraries
        self.logger = logger
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.stream = stream
        self.requests = continuation
    }

    /// The configured libraries the next scan hands their sources (an admin can add and remove
    /// music folders at run time).
    func setLibraries(_ libraries: [Library]) { self.libraries = libraries }

    /// Asks for a scan; returns at once.
    public func requestScan() {
        // After `finish()` (shutdown) nothing will run it: not remembered, so not shown as running.
        guard let requests else { return }
        pending = true
        requests.yield()
    }

    public var isRunning: Bool { progress.running }

    /// Runs requested scans until cancelled (shutdown). A scan in progress stops at a
    /// transaction boundary.
    public func run() async {
        for await _ in stream {
            guard pending else { continue }
            pending = false
            do {
                _ = try await scanNow()
            } catch is CancellationError {
                return
            } catch {
                lastFailure = explain(error)
                logger.error("scan failed", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { return }
        }
    }

    /// Asks every media source to scan, now, each with the configured libraries that are its
    /// own, and returns the summary.
    public func scanNow(progress report: @escaping @Sendable (ScanProgress) -> Void = { _ in }) async throws
        -> ScanSummary
    {
        // Running from the first instant (before any suspension), so there is no moment between
        // a request and its scan in which neither shows.
        live.value = ScanProgress(running: true, expectedFiles: 0, startedAt: Date())
        // However the scan ends (finished, stopped, failed), it is no longer running.
        defer { live.update { $0.running = false } }
        let expected = try await catalog.counts().tracks
        live.update { $0.expectedFiles = expected }
        var total = ScanSummary()
        for source in await sources.mediaSources() {
            let live = self.live
            let own = libraries.filter { $0.source == type(of: source).descriptor.id }
            let summary = try await source.scan(libraries: own, expectedFiles: expected) { state in
                live.update {
                    $0.filesSeen = state.filesSeen; $0.summary = state.summary
                }
                report(live.value)
            }
            total.merge(summary)
        }
        live.update { $0.summary = total }
        lastSummary = total
        lastFailure = nil
        completedScans += 1
        do {
            try await events?.publish(.scanFinished(summary: total), at: Date())
        } catch {
            logger.error("scan event not published", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
        return total
    }

    /// Ends `run()` (at shutdown); a request that has not begun is dropped.
    public func finish() {
        requests?.finish()
        requests = nil
        pending = false
    }
}

extension ScanSummary {
    /// Adds another source's figures to these.
    public mutating func merge(_ other: ScanSummary) {
        added += other.added
        updated += other.updated
        moved += other.moved
        removed += other.removed
        unchanged += other.unchanged
        errors += other.errors
        skipped += other.skipped
        duration += other.duration
        cancelled = cancelled || other.cancelled
        problems += other.problems.prefix(Self.maxProblems - problems.count)
    }
}

/// Progress written by the scanner's callback and read by the API, without hopping actors.
final class LiveProgress: Sendable {
    private let state = Mutex(ScanProgress())
    var value: ScanProgress {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
    func update(_ body: (inout ScanProgress) -> Void) { state.withLock { body(&$0) } }
}
