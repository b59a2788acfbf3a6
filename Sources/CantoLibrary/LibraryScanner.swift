public import CantoCore
import CantoMedia
import CoreMetrics
import Foundation
public import Logging

/// Walks every library folder and brings the catalog in line with the files: new files are
/// read and added, changed ones re-read, moved ones keep their ID, missing ones removed.
///
/// A folder is the unit of work: when any file in it changed, the whole folder is read again,
/// because album grouping (compilations) depends on its neighbours. Writes go out in batched
/// transactions; memory holds one folder and one batch, never the whole library.
public struct LibraryScanner: Sendable {
    let catalog: any CatalogWriter
    let options: ScanOptions
    let logger: Logger
    /// As wide as the configured concurrency: the scanner never has more reads in flight.
    let pool: BlockingPool

    public init(catalog: any CatalogWriter, options: ScanOptions, logger: Logger) {
        self.catalog = catalog
        self.options = options
        self.logger = logger
        // Below the writer and the server's requests (see `BlockingPool`).
        pool = BlockingPool(label: "canto.scanner", threads: options.concurrency, lowPriority: true)
    }

    /// Scans `libraries`. `expectedFiles` (the catalog's track count) makes the ETA;
    /// `progress` is called after each folder. Cancelling stops at a transaction boundary.
    public func scan(
        libraries: [Library], expectedFiles: Int = 0, progress: @escaping @Sendable (ScanProgress) -> Void = { _ in }
    ) async throws -> ScanSummary {
        let started = Date()
        ScanMetrics.running.record(1)
        var finished = false
        defer {
            ScanMetrics.running.record(0)
            if !finished, !Task.isCancelled { ScanMetrics.failed() }
        }
        var run = ScanRun(
            scanner: self, progress: progress,
            state: ScanProgress(running: true, expectedFiles: expectedFiles, startedAt: started))
        let removedLibraries = try await catalog.syncLibraries(libraries, source: Library.localSource)
        run.firstImport = try await catalog.beginScan()
        let catalog = self.catalog
        let ids = libraries.map(\.id)
        do {
            do {
                for library in libraries {
                    if Task.isCancelled { break }
                    try await run.scan(library)
                }
            } catch is CancellationError {
                // Shutdown: what was read is written below; the folder in progress waits for next time.
            }
            try await run.finish()
        } catch {
            // The batches written before the failure stay: their albums' and artists' figures are
            // made whole and the writer gives back its scan cache; the libraries are not marked scanned.
            try? await shielded { try await catalog.finishScan(libraries: ids, at: nil) }
            throw error
        }
        // When nothing changed, the end writes nothing (the catalog keeps its version and caches, the
        // disk is left alone), unless a scan cut off before its end left figures to work out.
        let changed = run.summary.changed || removedLibraries > 0
        try await shielded { try await catalog.finishScan(libraries: ids, at: changed ? Date() : nil) }
        var summary = run.summary
        summary.cancelled = Task.isCancelled
        summary.duration = Date().timeIntervalSince(started)
        ScanMetrics.record(summary)
        finished = true
        logger.info(
            summary.cancelled ? "scan stopped" : "scan finished",
            metadata: [
                "scan.added": "\(summary.added)", "scan.updated": "\(summary.updated)",
                "scan.moved": "\(summary.moved)", "scan.removed": "\(summary.removed)",
                "scan.unchanged": "\(summary.unchanged)", "scan.errors": "\(summary.errors)",
                "scan.skipped": "\(summary.skipped)",
                "scan.seconds": "\(String(format: "%.2f", summary.duration))",
            ])
        return summary
    }
}

/// Runs a write to its end even when the scan is being cancelled: a scan stops between
/// transactions, never inside one, and the figures it leaves are whole.
func shielded(_ write: @escaping @Sendable () async throws -> Void) async throws {
    try await Task.detached(operation: write).value
}
