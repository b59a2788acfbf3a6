import CantoCore
import Foundation
import Synchronization

/// `canto scan`'s progress: a redrawn bar on a terminal, a log line every few seconds otherwise.
final class ProgressDisplay: Sendable {
    let terminal: Bool
    private let lastDraw = Mutex(Date.distantPast)

    init(terminal: Bool) { self.terminal = terminal }

    func show(_ progress: ScanProgress) {
        let now = Date()
        let interval: TimeInterval = terminal ? 0.1 : 5
        let due = lastDraw.withLock { last in
            guard now.timeIntervalSince(last) >= interval else { return false }
            last = now
            return true
        }
        guard due else { return }
        let rate = String(format: "%.0f files/s", progress.filesPerSecond)
        let eta = progress.eta.map { String(format: "ETA %.0fs", $0) } ?? "ETA --"
        if terminal {
            let fraction =
                progress.expectedFiles > 0 ? min(1, Double(progress.filesSeen) / Double(progress.expectedFiles)) : 0
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(progress.filesSeen) files  \(rate)  \(eta)   ".utf8))
        } else {
            FileHandle.standardError.write(Data("scan: \(progress.filesSeen) files, \(rate), \(eta)\n".utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func summary(_ s: ScanSummary) -> String {
        String(
            format: "scan %@: added %d, updated %d, moved %d, removed %d, unchanged %d, errors %d, skipped %d, %.2fs",
            s.cancelled ? "stopped" : "finished", s.added, s.updated, s.moved, s.removed, s.unchanged, s.errors,
            s.skipped, s.duration)
    }
}
