import CantoCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the admin's System page shows beside `/metrics`, for households without Grafana: when
/// the server started, its requests per minute and the last warnings and errors it logged.
struct SystemMonitor: Sendable {
    let startedAt: Date
    let requests: RequestCounts
    let logs: RecentLogs

    init(clock: any WallClock) {
        startedAt = clock.now
        requests = RequestCounts(clock: clock)
        logs = RecentLogs(clock: clock)
    }
}

/// The process's own CPU time and memory.
public enum ProcessFigures {
    private static func usage() -> rusage? {
        var usage = rusage()
        #if canImport(Glibc)
            let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
            let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return nil }
        return usage
    }

    /// User and system CPU time used so far, in seconds.
    static func cpuSeconds() -> Double {
        guard let usage = usage() else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The resident set size in bytes, less the database file's pages the readers map (the
    /// system's file cache, counted once for each connection that touched them: see
    /// `CantoDatabase.defaultMappedBytes`), from `/proc/self/smaps`; `VmRSS` of
    /// `/proc/self/status` where there is no `smaps`, or the peak from `getrusage` where there is
    /// no `/proc`.
    public static func residentBytes() -> Int64 {
        // `status` only where there is no `smaps`: one read of `/proc` a call.
        let smaps = smaps()
        let status = smaps == nil ? try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) : nil
        if let resident = resident(status: status, smaps: smaps) {
            return resident
        }
        guard let usage = usage() else { return 0 }
        #if canImport(Darwin)
            return Int64(usage.ru_maxrss)
        #else
            return Int64(usage.ru_maxrss) * 1024
        #endif
    }

    /// The resident bytes of a `/proc/PID/smaps` text less those of its mappings of `canto.db`
    /// (one reading: `VmRSS` read apart from it drifts while readers map and drop pages), or
    /// `VmRSS` of its `status` text without one; nil when neither tells.
    static func resident(status: String?, smaps: String?) -> Int64? {
        if let smaps {
            let figures = residentBytes(smaps: smaps)
            return max(0, figures.all - figures.database)
        }
        guard let line = status?.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        else { return nil }
        return kilobytes * 1024
    }

    /// `/proc/self/smaps` read to its end (`String(contentsOfFile:)` stops at its first page: the
    /// file's size reads as 0); nil where there is none.
    static func smaps() -> String? {
        guard let file = FileHandle(forReadingAtPath: "/proc/self/smaps") else { return nil }
        defer { try? file.close() }
        return (try? file.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The resident bytes of all the mappings of a `/proc/PID/smaps` text, and of those of a
    /// file named `canto.db`.
    static func residentBytes(smaps: String) -> (all: Int64, database: Int64) {
        var all: Int64 = 0
        var database: Int64 = 0
        var inDatabase = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                // A figure of the current mapping ("Rss:   1234 kB").
                if first == "Rss:", fields.count > 1, let kilobytes = Int64(fields[1]) {
                    all += kilobytes * 1024
                    if inDatabase { database += kilobytes * 1024 }
                }
            } else if first.contains("-") {
                // A mapping's first line: range, permissions, offset, device, inode, path (which
                // may hold spaces).
                inDatabase = fields.count > 5 && line.hasSuffix("/canto.db")
            }
        }
        return (all, database)
    }
}
