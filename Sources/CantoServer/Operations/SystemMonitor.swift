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

    /// The resident set size in bytes: `VmRSS` of `/proc/self/status`, or the peak from
    /// `getrusage` where there is no `/proc`.
    static func residentBytes() -> Int64 {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        {
            return kilobytes * 1024
        }
        guard let usage = usage() else { return 0 }
        #if canImport(Darwin)
            return Int64(usage.ru_maxrss)
        #else
            return Int64(usage.ru_maxrss) * 1024
        #endif
    }
}
