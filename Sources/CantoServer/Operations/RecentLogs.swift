import CantoCore
import Foundation
import Logging
import Synchronization

/// The last warnings and errors the server logged, for the admin's System page: a small ring fed
/// by `RecentLogHandler`. It keeps what the log line says and nothing more, so what the log masks
/// (credentials in URLs, error details that may carry SQL or paths) stays masked here.
final class RecentLogs: Sendable {
    /// One line of the log at warning level or above.
    struct Entry: Sendable, Equatable {
        var at: Date
        var level: Logger.Level
        /// The module that logged it.
        var source: String
        var message: String
        var metadata: [String: String]
    }

    /// How many lines are kept.
    let capacity: Int
    let clock: any WallClock
    private let entries: Mutex<[Entry]>

    init(capacity: Int = 50, clock: any WallClock = SystemClock()) {
        self.capacity = capacity
        self.clock = clock
        entries = Mutex([])
    }

    func record(_ entry: Entry) {
        entries.withLock { entries in
            entries.append(entry)
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    /// The kept lines, newest first.
    var newestFirst: [Entry] {
        entries.withLock { $0.reversed() }
    }

    /// `logger`, whose warnings and errors also land here (once: a logger already feeding this
    /// ring comes back as it is).
    func feeding(_ logger: Logger) -> Logger {
        if let handler = logger.handler as? RecentLogHandler, handler.sink === self { return logger }
        var fed = logger
        fed.handler = RecentLogHandler(inner: logger.handler, sink: self)
        return fed
    }
}

/// A log handler that writes through `inner` and keeps lines at warning level or above in `sink`.
struct RecentLogHandler: LogHandler {
    var inner: any LogHandler
    let sink: RecentLogs

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        inner.log(event: event)
        guard event.level >= .warning else { return }
        let merged = inner.metadata.merging(event.metadata ?? [:]) { _, new in new }
        sink.record(
            RecentLogs.Entry(
                at: sink.clock.now, level: event.level, source: event.source, message: event.message.description,
                metadata: merged.mapValues(\.description)))
    }
}
