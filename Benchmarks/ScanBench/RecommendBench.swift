import CantoCore
import CantoMedia
import CantoRecommend
import CantoServer
import CantoTestSupport
import Dispatch
import Foundation
import Synchronization

/// Benchmarks of the recommendation parts: the sonic analyser's pace over a library of
/// music-length tracks (and that a track's length does not change its cost), and the answer time
/// of similar tracks and of a radio's next page over a large index.
enum RecommendBench {
    /// `canto-bench sonic --tracks N [--threads T]`: N MP3s (copies of 12 synthesised pieces of
    /// 30 s to 10 min), analysed on T threads (default: the cores).
    static func sonic(tracks: Int, threads: Int) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "canto-bench-sonic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let lengths = [30.0, 60, 120, 180, 200, 240, 270, 300, 360, 420, 480, 600]
        var sources: [(URL, Double)] = []
        let notes = [57, 60, 62, 64, 67, 69, 72].map(SynthClip.frequency(midi:))
        for (index, seconds) in lengths.enumerated() {
            let url = work.appendingPathComponent("source-\(index).mp3")
            let wave = SynthClip.Wave.allCases[index % SynthClip.Wave.allCases.count]
            try SynthClip.notes(
                notes.shuffled(), wave: wave, noteSeconds: 0.25 + Double(index % 4) * 0.1, seconds: seconds
            )
            .encodeMP3(to: url, metadata: ["title": "Piece \(index)"])
            sources.append((url, seconds))
        }
        var files: [URL] = []
        for index in 0..<tracks {
            let (source, _) = sources[index % sources.count]
            let copy = work.appendingPathComponent("track-\(index).mp3")
            try FileManager.default.copyItem(at: source, to: copy)
            files.append(copy)
        }
        let analyzer = SonicAnalyzer()
        // Time per track against its length, one thread, three runs each.
        for (source, seconds) in sources where [30.0, 180, 600].contains(seconds) {
            let started = ContinuousClock.now
            for _ in 0..<3 { _ = try analyzer.analyze(path: source.path) }
            let each = (ContinuousClock.now - started) / .milliseconds(1) / 3
            print(String(format: "one %4.0f s track:   %6.1f ms", seconds, each))
        }
        let paths = files.map(\.path)
        let failures = Atomic<Int>(0)
        let next = Atomic<Int>(0)
        let started = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < paths.count else { return }
                if (try? analyzer.analyze(path: paths[index])) == nil { failures.add(1, ordering: .relaxed) }
            }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        print(
            String(
                format:
                    "analysed:          %d tracks (%.0f min of audio) in %.1f s = %.1f tracks/s on %d threads (failed %d)",
                tracks, Double(files.indices.reduce(0.0) { $0 + sources[$1 % sources.count].1 }) / 60, seconds,
                Double(tracks) / seconds, threads, failures.load(ordering: .relaxed)))
    }

    /// `canto-bench similar --tracks N [--queries Q]`: an index of N tracks (feature vectors drawn
    /// around 200 clusters, 5,000 artists), built as the recommender builds it (the space fitted
    /// over a first pass, the tracks added in a second), its size and the process's memory, then Q
    /// similar-track questions and Q radio pages (a seed, 50 tracks already queued), each timed.
    static func similar(tracks: Int, queries: Int) {
        var random = SystemRandomNumberGenerator()
        let centres = (0..<200).map { _ in
            (0..<SonicFeatures.count).map { _ in Float.random(in: -1...1, using: &random) }
        }
        func id(_ number: Int) -> TrackID { TrackID("t" + StableHash.hex128("track \(number)")) }
        // The same tracks in both passes (a fixed seed), never all in memory at once.
        func eachEntry(_ body: (SonicIndex.Entry) -> Void) {
            var random = SplitMix64(seed: 42)
            for index in 0..<tracks {
                let centre = centres[index % centres.count]
                let values = centre.map { $0 + Float.random(in: -0.3...0.3, using: &random) }
                body(
                    SonicIndex.Entry(
                        id: id(index), features: SonicFeatures(values: values),
                        tags: SonicTags(
                            artist: "artist \(index % 5_000)", genres: ["genre \(index % 60)"], year: 1960 + index % 60)
                    ))
            }
        }
        let before = residentMegabytes()
        let started = ContinuousClock.now
        var fitter = SonicSpace.Fitter()
        eachEntry { fitter.add($0.features) }
        var builder = SonicIndex.Builder(space: fitter.space)
        builder.reserve(tracks)
        eachEntry { builder.add($0) }
        let index = builder.build()
        print(
            String(
                format:
                    "index:             %d tracks built in %.2f s, %.1f MB (%.0f bytes a track); RSS %.1f MB → %.1f MB",
                index.count, (ContinuousClock.now - started) / .seconds(1), Double(index.bytes) / 1_048_576,
                Double(index.bytes) / Double(max(1, index.count)), before, residentMegabytes()))
        func percentiles(_ label: String, _ body: (Int) -> Void) {
            var times: [Double] = []
            for query in 0..<queries {
                let started = ContinuousClock.now
                body(query)
                times.append((ContinuousClock.now - started) / .milliseconds(1))
            }
            times.sort()
            print(
                String(
                    format: "%@ p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d questions)", label, times[times.count / 2],
                    times[min(times.count - 1, times.count * 99 / 100)], times.last ?? 0, queries))
        }
        percentiles("similar (20):     ") { query in
            _ = index.nearest(to: [id((query * 7_919) % tracks)], limit: 20)
        }
        percentiles("radio page (20):  ") { query in
            let seed = (query * 7_919) % tracks
            let queued = Set((0..<50).map { id((seed + $0 * 13) % tracks) })
            _ = index.nearest(to: [id(seed)], limit: 20, excluding: queued)
        }
    }
}

/// The process's resident memory now, less the database pages its readers map
/// (`ProcessFigures.residentBytes`), in MB.
func residentMegabytes() -> Double {
    Double(ProcessFigures.residentBytes()) / 1_048_576
}
