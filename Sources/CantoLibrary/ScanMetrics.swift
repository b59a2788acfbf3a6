import CantoCore
import Foundation
import Metrics

/// Scan counters and gauges for /metrics.
enum ScanMetrics {
    /// 1 while a scan runs.
    static let running = Gauge(label: "canto_scan_running")

    static func record(_ summary: ScanSummary) {
        let files = [
            ("added", summary.added), ("updated", summary.updated), ("moved", summary.moved),
            ("removed", summary.removed), ("unchanged", summary.unchanged), ("error", summary.errors),
            ("skipped", summary.skipped),
        ]
        for (result, count) in files where count > 0 {
            Counter(label: "canto_scan_files_total", dimensions: [("result", result)]).increment(by: count)
        }
        Counter(label: "canto_scans_total").increment()
        Gauge(label: "canto_scan_last_duration_seconds").record(summary.duration)
        if !summary.cancelled {
            Gauge(label: "canto_scan_last_success_timestamp_seconds").record(Date().timeIntervalSince1970)
        }
    }

    /// A scan that stopped on an error (not a cancellation): the alert on failing scans counts these.
    static func failed() {
        Counter(label: "canto_scan_failures_total").increment()
    }
}
