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
enum ProcessFigures {
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
    /// `CantoDatabase.defaultMappedBytes`): `VmRSS` of `/proc/self/status` less what
    /// `/proc/self/smaps` holds resident of `canto.db`, or the peak from `getrusage` where there
    /// is no `/proc`.
    static func residentBytes() -> Int64 {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let resident = resident(status: status, smaps: smaps())
        {
            return resident
        }
        guard let usage = usage() else { return 0 }
        #if canImport(Darwin)
            return Int64(usage.ru_maxrss)
        #else
            return Int64(usage.ru_maxrss) * 1024
        #endif
    }

    /// `VmRSS` of a `/proc/PID/status` text, in bytes, less the database pages its `smaps` text
    /// holds mapped; nil when the status has no `VmRSS`.
    static func resident(status: String, smaps: String?) -> Int64? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        else { return nil }
        return max(0, kilobytes * 1024 - (smaps.map(mappedDatabaseBytes) ?? 0))
    }

    /// `/proc/self/smaps` read to its end (`String(contentsOfFile:)` stops at its first page: the
    /// file's size reads as 0); nil where there is none.
    static func smaps() -> String? {
        guard let file = FileHandle(forReadingAtPath: "/proc/self/smaps") else { return nil }
        defer { try? file.close() }
        return (try? file.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The resident bytes of the mappings of a file named `canto.db` in a `/proc/PID/smaps` text.
    static func mappedDatabaseBytes(smaps: String) -> Int64 {
        var total: Int64 = 0
        var inDatabase = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                // A figure of the current mapping ("Rss:   1234 kB").
                if inDatabase, first == "Rss:", fields.count > 1, let kilobytes = Int64(fields[1]) {
                    total += kilobytes * 1024
                }
            } else if first.contains("-") {
                // A mapping's first line: range, permissions, offset, device, inode, path (which
                // may hold spaces).
                inDatabase = fields.count > 5 && line.hasSuffix("/canto.db")
            }
        }
        return total
    }
}
