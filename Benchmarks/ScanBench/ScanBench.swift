import CantoCore
import CantoLibrary
import CantoServer
import CantoStore
import CantoTestSupport
import Foundation
import Logging
import Synchronization

/// The scan benchmark: `canto-bench generate --out DIR --tracks N`, then
/// `canto-bench scan --data-dir DIR --music-folder DIR` (first scan, no-change rescan, peak RSS).
/// `scripts/bench/scan.sh` runs both in separate processes, so the scan's RSS is its own.
@main
struct ScanBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        func value(_ flag: String) -> String? {
            arguments.firstIndex(of: flag).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        }
        switch arguments.first {
        case "generate":
            guard let out = value("--out"), let tracks = value("--tracks").flatMap(Int.init) else { usage() }
            let library = try LibraryGenerator.generate(at: URL(fileURLWithPath: out), tracks: tracks)
            print(
                String(
                    format: "generated %d tracks, %d albums, %d artists in %.1f s (%.0f tracks/s)", library.trackCount,
                    library.albumCount, library.artistCount, library.seconds, library.tracksPerSecond))
        case "scan":
            guard let data = value("--data-dir"), let music = value("--music-folder") else { usage() }
            try await scan(
                data: URL(fileURLWithPath: data), music: URL(fileURLWithPath: music).standardizedFileURL.path,
                concurrency: value("--concurrency").flatMap(Int.init) ?? ScanOptions().concurrency,
                // Held to `[database] map_mb`'s range: a huge value cannot overflow into bytes.
                mappedBytes: value("--map-mb").flatMap(Int64.init).map { min(max($0, 0), 2_048) * 1_048_576 }
                    ?? CantoDatabase.defaultMappedBytes)
        case "transcode":
            try await TranscodeBench.run(
                seconds: value("--seconds").flatMap(Int.init) ?? 300,
                maxStreams: value("--max-streams").flatMap(Int.init) ?? 96,
                listeners: (value("--listeners") ?? "100,150,200").split(separator: ",").compactMap { Int($0) },
                window: value("--window").flatMap(Double.init) ?? 30)
        case "sonic":
            try RecommendBench.sonic(
                tracks: value("--tracks").flatMap(Int.init) ?? 400,
                threads: value("--threads").flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount)
        case "similar":
            RecommendBench.similar(
                tracks: value("--tracks").flatMap(Int.init) ?? 100_000,
                queries: value("--queries").flatMap(Int.init) ?? 1_000)
        case "recommend":
            try await RecommendEval.run(
                tracks: value("--tracks").flatMap(Int.init) ?? 2_000, users: value("--users").flatMap(Int.init) ?? 12,
                sessions: value("--sessions").flatMap(Int.init) ?? 60,
                python: value("--python") ?? ".build/bench-venv/bin/python")
        case "stats":
            try await StatsBench.run(
                plays: value("--plays").flatMap(Int.init) ?? 1_000_000, users: value("--users").flatMap(Int.init) ?? 20,
                tracks: value("--tracks").flatMap(Int.init) ?? 50_000,
                queries: value("--queries").flatMap(Int.init) ?? 200, keep: value("--keep"))
        case "spotify":
            try await SpotifyBench.run(
                likes: value("--likes").flatMap(Int.init) ?? 10_000,
                playlists: value("--playlists").flatMap(Int.init) ?? 50,
                tracks: value("--tracks").flatMap(Int.init) ?? 20_000)
        case "sessions":
            try await SessionBench.run(
                rounds: value("--rounds").flatMap(Int.init) ?? 500, port: value("--port").flatMap(Int.init) ?? 45_990)
        case "smart":
            try await SmartBench.run(
                tracks: value("--tracks").flatMap(Int.init) ?? 100_000,
                queries: value("--queries").flatMap(Int.init) ?? 200)
        case "search":
            try await SearchBench.run(
                tracks: value("--tracks").flatMap(Int.init) ?? 20_000,
                judgedPath: value("--judged") ?? "Benchmarks/search-judged.tsv",
                writeJudged: CommandLine.arguments.contains("--write-judged"))
        case "catalog":
            guard let data = value("--data-dir") else { usage() }
            try await SearchBench.writeCatalog(
                into: URL(fileURLWithPath: data), tracks: value("--tracks").flatMap(Int.init) ?? 1_000_000,
                words: value("--words"))
        case "fuzz":
            try TranscodeBench.fuzz(
                runs: value("--runs").flatMap(Int.init) ?? 5_000, seed: value("--seed").flatMap(UInt64.init) ?? 1)
        default:
            usage()
        }
    }

    /// `concurrency`: the files read at once (`[plugins.local] concurrency`); `mappedBytes`: how
    /// much of the file the database's readers map (`[database] map_mb`).
    static func scan(data: URL, music: String, concurrency: Int, mappedBytes: Int64) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        // The peak of the process's own memory, sampled: `ru_maxrss` counts the database pages
        // the readers map, once for each reader (see `ProcessFigures.residentBytes`). Once a
        // second: reading `smaps` while a gigabyte is mapped took 2.7% of a first scan's CPU at
        // four times a second.
        let peak = Mutex<Int64>(0)
        let sampling = Task.detached {
            while !Task.isCancelled {
                let now = ProcessFigures.residentBytes()
                peak.withLock { $0 = max($0, now) }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer { sampling.cancel() }
        let catalog = CatalogRepository(
            database: try CantoDatabase(dataDirectory: data, mappedBytes: mappedBytes))
        let scanner = LibraryScanner(catalog: catalog, options: ScanOptions(concurrency: concurrency), logger: logger)
        let library = Library(id: CatalogIDs.library(path: music), name: "bench", path: music)

        let first = try await scanner.scan(libraries: [library])
        let tracks = first.added + first.updated + first.moved
        print(
            String(
                format: "first scan:        %d tracks in %.2f s = %.0f tracks/s (errors %d)", tracks, first.duration,
                Double(tracks) / max(first.duration, 0.001), first.errors))
        let rescan = try await scanner.scan(libraries: [library], expectedFiles: tracks)
        print(
            String(
                format: "no-change rescan:  %d unchanged in %.2f s (changed: %d)", rescan.unchanged, rescan.duration,
                rescan.added + rescan.updated + rescan.moved + rescan.removed))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "peak RSS:          %.1f MB", Double(usage.ru_maxrss) / 1024))
        print(
            String(
                format: "peak RSS less the mapped database (sampled every second): %.1f MB",
                Double(max(peak.withLock { $0 }, ProcessFigures.residentBytes())) / 1_048_576))
    }

    static func usage() -> Never {
        print(
            """
            usage: canto-bench generate --out DIR --tracks N
                   | scan --data-dir DIR --music-folder DIR [--concurrency 4] [--map-mb 2048]
                   | transcode [--seconds 300] [--max-streams 96] [--listeners 100,150,200] [--window 30]
                   | fuzz [--runs 5000] [--seed 1]
                   | sonic [--tracks 400] [--threads CORES] | similar [--tracks 100000] [--queries 1000]
                   | recommend [--tracks 2000] [--users 12] [--sessions 60] [--python PATH]
                   | stats [--plays 1000000] [--users 20] [--tracks 50000] [--queries 200] [--keep DIR]
                   | spotify [--likes 10000] [--playlists 50] [--tracks 20000]
                   | search [--tracks 20000] [--judged Benchmarks/search-judged.tsv] [--write-judged]
                   | catalog --data-dir DIR [--tracks 1000000] [--words FILE]
            """)
        exit(64)
    }
}
