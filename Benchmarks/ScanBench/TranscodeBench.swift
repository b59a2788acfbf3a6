import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Synchronization

/// `canto-bench transcode`: time to first byte and encoding speed of flac→opus 128k and
/// flac→mp3 192k on a 5-minute track, and how many transcodes can run at once with each
/// still at or above real time. `canto-bench fuzz`: the transcoder and the image scaler over
/// many mutated files.
enum TranscodeBench {
    static func run(seconds: Int, maxStreams: Int, listeners: [Int] = [], window: Double = 30) async throws {
        let directory = try TemporaryDirectory(prefix: "canto-bench-transcode")
        let source = directory.appending("track.flac")
        // Pink noise under a tone: denser than most music, so the figures are conservative.
        try FFmpegTool.run([
            "-f", "lavfi", "-i", "anoisesrc=d=\(seconds):c=pink:r=44100:a=0.2", "-f", "lavfi", "-i",
            "sine=frequency=440:duration=\(seconds):sample_rate=44100", "-filter_complex", "amix=inputs=2", "-ac", "2",
            source.path,
        ])
        print("source: \(seconds) s of 44.1 kHz stereo FLAC, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for options in [
            TranscodeOptions(format: .opus, bitrateKbps: 128), TranscodeOptions(format: .mp3, bitrateKbps: 192),
        ] {
            let label = "flac→\(options.format.rawValue) \(options.bitrateKbps)k"
            var firstBytes: [Double] = []
            for _ in 0..<5 {
                let start = DispatchTime.now()
                let transcoder = try Transcoder(path: source.path, options: options)
                _ = try transcoder.read(capacity: 16 * 1024)
                firstBytes.append(elapsed(since: start))
            }
            let start = DispatchTime.now()
            let transcoder = try Transcoder(path: source.path, options: options)
            var bytes = 0
            while let chunk = try transcoder.read() { bytes += chunk.count }
            let wall = elapsed(since: start)
            print(
                String(
                    format:
                        "%@: first byte %.1f ms (median of 5), whole track %.2f s = %.0f× real time on one core, %d kB",
                    label, firstBytes.sorted()[2] * 1000, wall, Double(seconds) / wall, bytes / 1024))
        }
        // Concurrent streams: N transcodes at once, each on its own thread, for 10 s; each
        // must produce at least 10 s of audio to keep up with a listener.
        let options = TranscodeOptions(format: .opus, bitrateKbps: 128)
        var streams = 8
        var best = 0
        while streams <= maxStreams {
            let slowest = try concurrent(streams, path: source.path, options: options, window: 10)
            print(String(format: "%3d concurrent flac→opus 128k streams: slowest at %.1f× real time", streams, slowest))
            guard slowest >= 1 else { break }
            best = streams
            streams += streams < 32 ? 8 : 16
        }
        print("streams at or above real time: \(best)\(best >= maxStreams ? "+" : "")")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for count in listeners {
            for pooled in [false, true] {
                let (stall, cpu) =
                    pooled
                    ? try await throughPool(count, path: source.path, options: options, window: window)
                    : try paced(count, path: source.path, options: options, window: window)
                print(
                    String(
                        format:
                            "%3d listeners (%@, flac→opus 128k, %.0f s): longest wait %.2f s, %@, process CPU %.0f%% of %d cores",
                        count, pooled ? "the server's pool" : "a thread each", window, stall,
                        stall <= 0 ? "every one at or above real time" : "some fell behind", cpu * 100, cores))
            }
        }
    }

    /// `count` listeners served as `MediaStreamer` serves them: each chunk of 32 KB is a job of
    /// the server's media pool (`BlockingPool.mediaThreads` wide, jobs in arrival order), and a
    /// listener's next chunk is asked for only while its buffer holds under 10 s (the socket's
    /// backpressure); playback starts 2 s after the request.
    static func throughPool(_ count: Int, path: String, options: TranscodeOptions, window: Double) async throws
        -> (stall: Double, cpu: Double)
    {
        let pool = BlockingPool(label: "bench.media", threads: BlockingPool.mediaThreads)
        let bytesPerSecond = Double(options.bitrateKbps * 1000) / 8
        let cpuBefore = processCPUSeconds()
        let started = DispatchTime.now()
        let stalls = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<count {
                group.addTask {
                    let start = DispatchTime.now()
                    var produced = 0.0
                    var longestStall = 0.0
                    var transcoder = try await pool.run { try Transcoder(path: path, options: options) }
                    while case let now = elapsed(since: start), now < window {
                        let played = max(0, now - 2)
                        longestStall = max(longestStall, played - produced)
                        if produced >= played + 10 {
                            try await Task.sleep(for: .seconds(produced - played - 10 + 0.05))
                            continue
                        }
                        let current = transcoder
                        guard let chunk = try await pool.run({ try current.read(capacity: 32 * 1024) }) else {
                            transcoder = try await pool.run { try Transcoder(path: path, options: options) }
                            continue
                        }
                        produced += Double(chunk.count) / bytesPerSecond
                    }
                    return longestStall
                }
            }
            var stalls: [Double] = []
            for try await stall in group { stalls.append(stall) }
            return stalls
        }
        let cpu = (processCPUSeconds() - cpuBefore) / elapsed(since: started)
        return (stalls.max() ?? 0, cpu)
    }

    /// `count` listeners as a server sees them: each stream is encoded only as far as its
    /// listener's buffer (10 s of audio ahead of what has played) and then waits, as a socket
    /// whose client is full stops being read; playback starts 2 s after the request. Returns
    /// the longest any listener waited with an empty buffer (0: none did) and the process's CPU
    /// time over the wall time.
    static func paced(_ count: Int, path: String, options: TranscodeOptions, window: Double) throws -> (
        stall: Double, cpu: Double
    ) {
        let stalls = Mutex([Double]())
        let group = DispatchGroup()
        let bytesPerSecond = Double(options.bitrateKbps * 1000) / 8
        let cpuBefore = processCPUSeconds()
        let started = DispatchTime.now()
        for _ in 0..<count {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let start = DispatchTime.now()
                var produced = 0.0
                var longestStall = 0.0
                var transcoder = try? Transcoder(path: path, options: options)
                while case let now = elapsed(since: start), now < window, let current = transcoder {
                    let played = max(0, now - 2)
                    longestStall = max(longestStall, played - produced)
                    if produced >= played + 10 {
                        Thread.sleep(forTimeInterval: produced - played - 10 + 0.05)
                        continue
                    }
                    guard let chunk = try? current.read(capacity: 16 * 1024) else {
                        transcoder = try? Transcoder(path: path, options: options)  // looped past the end
                        continue
                    }
                    produced += Double(chunk.count) / bytesPerSecond
                }
                stalls.withLock { $0.append(longestStall) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let cpu = (processCPUSeconds() - cpuBefore) / elapsed(since: started)
        return (stalls.withLock { $0.max() ?? 0 }, cpu)
    }

    /// User and system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The slowest of `count` simultaneous transcodes, in seconds of audio per second.
    static func concurrent(_ count: Int, path: String, options: TranscodeOptions, window: Double) throws -> Double {
        let produced = Mutex([Double]())
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let start = DispatchTime.now()
                var audioSeconds = 0.0
                var transcoder = try? Transcoder(path: path, options: options)
                while elapsed(since: start) < window, let current = transcoder {
                    // Output bytes at the target bitrate stand for seconds of audio.
                    guard let chunk = try? current.read(capacity: 8 * 1024) else {
                        transcoder = try? Transcoder(path: path, options: options)  // looped past the end
                        continue
                    }
                    audioSeconds += Double(chunk.count * 8) / Double(options.bitrateKbps * 1000)
                }
                produced.withLock { $0.append(audioSeconds / window) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return produced.withLock { $0.min() ?? 0 }
    }

    static func fuzz(runs: Int, seed: UInt64) throws {
        let directory = try TemporaryDirectory(prefix: "canto-bench-fuzz")
        var inputs: [(URL, Bool)] = []
        for format in FixtureFormat.allCases {
            let url = directory.appending("tone.\(format.fileExtension)")
            try AudioClip(seconds: 3).encode(format, to: url)
            inputs.append((url, true))
        }
        for name in ["a.jpg", "a.png", "a.webp", "a.gif", "a.bmp"] {
            let url = directory.appending(name)
            try FFmpegTool.run(["-f", "lavfi", "-i", "testsrc=size=300x200", "-frames:v", "1", url.path])
            inputs.append((url, false))
        }
        var random = SeededGenerator(seed: seed)
        var counts = (ok: 0, refused: 0)
        let started = DispatchTime.now()
        for run in 0..<runs {
            let (url, isAudio) = inputs[run % inputs.count]
            let mutated = Mutation.apply(to: try [UInt8](Data(contentsOf: url)), using: &random)
            if isAudio {
                let file = directory.appending("m.\(url.pathExtension)")
                try Data(mutated).write(to: file)
                do {
                    let transcoder = try Transcoder(path: file.path, options: TranscodeOptions(format: .opus))
                    while try transcoder.read() != nil {}
                    counts.ok += 1
                } catch {
                    counts.refused += 1
                }
            } else {
                do {
                    _ = try ImageScaler.scale(mutated, maxSize: 64)
                    counts.ok += 1
                } catch {
                    counts.refused += 1
                }
            }
            if (run + 1) % 1000 == 0 { print("\(run + 1) runs…") }
        }
        print(
            String(
                format: "fuzz: %d mutated files (seed %llu) in %.0f s: %d handled, %d refused with an error, no crash",
                runs, seed, elapsed(since: started), counts.ok, counts.refused))
    }

    static func elapsed(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
