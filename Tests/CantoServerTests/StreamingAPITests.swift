import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

/// Streams and covers through a real `canto serve`: every output format decodes back, seeking,
/// the transcode cache, the concurrency cap, clients that go away, broken files and covers.
@Suite("Streaming API", .serialized)
struct StreamingAPITests {
    static func subsonic(_ server: TestServer, _ method: String, _ parameters: String = "") -> String {
        server.url("/rest/\(method)?u=admin&p=admin-password-1&v=1.16.1&c=tests&f=json\(parameters)")
    }

    /// Writes `data` to a file and decodes it back with FFmpeg's libraries.
    static func decode(_ data: Data, suffix: String) throws -> ProbeResult {
        let directory = try TemporaryDirectory(prefix: "canto-stream")
        let file = directory.appending("out.\(suffix)")
        try data.write(to: file)
        return try FFmpegProbe.decode(path: file.path)
    }

    /// Songs of the catalog through search3 with an empty query.
    static func songs(_ server: TestServer) async throws -> [[String: Any]] {
        let result = try await HTTP.get(subsonic(server, "search3", "&query=&songCount=500&albumCount=0&artistCount=0"))
        let response = result.json["subsonic-response"] as? [String: Any]
        return (response?["searchResult3"] as? [String: Any])?["song"] as? [[String: Any]] ?? []
    }

    @Test func everyFormatDecodesBackAndFinishedTranscodesAreCached() async throws {
        let server = try await TestServer.start()
        _ = try await server.setUpAdmin()
        let flac = try #require(try await Self.songs(server).first { $0["suffix"] as? String == "flac" })
        let id = try #require(flac["id"] as? String)
        let seconds = try #require(flac["duration"] as? Int)

        for format in TranscodeFormat.allCases {
            let result = try await HTTP.get(Self.subsonic(server, "stream", "&id=\(id)&format=\(format.rawValue)"))
            #expect(result.status == 200)
            #expect(result.headers["content-type"] == format.mimeType)
            let decoded = try Self.decode(result.data, suffix: format.suffix)
            #expect(decoded.audio.codec == format.rawValue)
            #expect(abs(Double(decoded.audio.durationMs) / 1000 - Double(seconds)) <= 1)
        }

        // raw is the file itself.
        let raw = try await HTTP.get(Self.subsonic(server, "stream", "&id=\(id)&format=raw"))
        #expect(raw.data.count == flac["size"] as? Int)
        #expect(raw.headers["accept-ranges"] == "bytes")

        // A first transcode streams as it is made; once finished it is served from the cache,
        // with a length and ranges.
        let url = Self.subsonic(server, "stream", "&id=\(id)&format=mp3&maxBitRate=96")
        let first = try await HTTP.get(url)
        #expect(first.headers["accept-ranges"] == nil)
        var cached = try await HTTP.get(url)
        for _ in 0..<50 where cached.headers["accept-ranges"] == nil {
            try await Task.sleep(for: .milliseconds(100))
            cached = try await HTTP.get(url)
        }
        #expect(cached.headers["accept-ranges"] == "bytes")
        #expect(cached.data == first.data)
        let part = try await HTTP.get(url, headers: ["Range": "bytes=0-99"])
        #expect(part.status == 206)
        #expect(part.data == first.data.prefix(100))
        let files = try FileManager.default.contentsOfDirectory(atPath: server.data.appending("cache/transcodes").path)
        // The 192k mp3 of the loop above and this 96k one.
        #expect(files.filter { $0.hasSuffix(".mp3") }.count == 2)

        // estimateContentLength: the promised length is the length sent.
        let estimated = try await HTTP.get(
            Self.subsonic(server, "stream", "&id=\(id)&format=opus&maxBitRate=64&estimateContentLength=true"))
        #expect(estimated.headers["content-length"].flatMap(Int.init) == estimated.data.count)

        // The native API streams the same way for a signed-in user.
        let admin = try await server.login("admin", "admin-password-1")
        let native = try await admin.get("/api/v1/tracks/\(id)/stream?format=aac&bitrate=64")
        #expect(native.status == 200)
        #expect(try Self.decode(native.data, suffix: "aac").audio.codec == "aac")
        #expect(try await admin.get("/api/v1/tracks/\(id)/stream?format=wma").status == 400)
        #expect(try await admin.get("/api/v1/tracks/t-nothing/stream").status == 404)
    }

    @Test func coversAreScaledCachedAndHaveAPlaceholder() async throws {
        let server = try await TestServer.start()
        _ = try await server.setUpAdmin()
        let songs = try await Self.songs(server)
        let withCover = try #require(songs.first { $0["coverArt"] != nil })
        let cover = try #require(withCover["coverArt"] as? String)
        let scaled = try await HTTP.get(Self.subsonic(server, "getCoverArt", "&id=\(cover)&size=32"))
        #expect(scaled.headers["content-type"] == "image/jpeg")
        let image = try ImageScaler.scale([UInt8](scaled.data), maxSize: 0)
        #expect(max(image.width, image.height) <= 32)
        let files = try FileManager.default.contentsOfDirectory(atPath: server.data.appending("cache/covers").path)
        #expect(files.count == 1)

        let without = try #require(songs.first { $0["coverArt"] == nil })
        let id = try #require(without["id"] as? String)
        let placeholder = try await HTTP.get(Self.subsonic(server, "getCoverArt", "&id=\(id)&size=64"))
        #expect(placeholder.status == 200)
        #expect(try ImageScaler.scale([UInt8](placeholder.data), maxSize: 0).width == 64)

        let admin = try await server.login("admin", "admin-password-1")
        let native = try await admin.get("/api/v1/covers/\(cover)?size=20&format=webp")
        #expect(native.headers["content-type"] == "image/webp")
    }

    /// One long track holds the only transcoder slot while a slow client reads; others wait,
    /// then are refused; 200 clients that hang up leave no open files or memory behind; a file
    /// broken after the scan gives a clean error.
    @Test func concurrencyCapAbortedStreamsAndBrokenFiles() async throws {
        let music = try TemporaryDirectory(prefix: "canto-long")
        try FFmpegTool.run([
            "-f", "lavfi", "-i", "anoisesrc=d=600:c=pink:r=44100:a=0.3", "-ac", "2", "-metadata", "title=Long",
            "-metadata", "artist=Tester", "-metadata", "album=Long", music.appending("long.flac").path,
        ])
        for name in ["broken", "cut"] {
            try AudioClip(seconds: 20).encode(.flac, to: music.appending("\(name).flac"), metadata: ["title": name])
        }
        let server = try await TestServer.start(
            environment: ["CANTO_TRANSCODING_MAX_CONCURRENT": "1", "CANTO_TRANSCODING_QUEUE_TIMEOUT_SECONDS": "1"],
            music: music.url)
        let admin = try await server.setUpAdmin()
        let songs = try await Self.songs(server)
        func id(_ title: String) throws -> String {
            try #require(songs.first { $0["title"] as? String == title }?["id"] as? String)
        }
        let long = try id("Long")

        // Seeking near the end leaves ten seconds.
        let tail = try await HTTP.get(Self.subsonic(server, "stream", "&id=\(long)&format=mp3&timeOffset=590"))
        #expect(abs(Double(try Self.decode(tail.data, suffix: "mp3").audio.durationMs) / 1000 - 10) <= 1)

        // A slow reader holds the one slot (ten minutes of mp3 is far more than the socket buffers).
        let slowURL = Self.subsonic(server, "stream", "&id=\(long)&format=mp3")
        let slow = try Shell.start("exec curl -s --limit-rate 20k -o /dev/null '\(slowURL)'")
        #expect(try await Self.waitForMetric(server, "canto_transcodes_active", 1))
        let refused = try await admin.get("/api/v1/tracks/\(long)/stream?format=mp3")
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"] != nil)
        let subsonicRefused = try await HTTP.get(Self.subsonic(server, "stream", "&id=\(long)&format=opus"))
        let error = (subsonicRefused.json["subsonic-response"] as? [String: Any])?["error"] as? [String: Any]
        #expect((error?["message"] as? String)?.contains("busy") == true)
        // SIGKILL: the test runner's children may ignore SIGTERM.
        kill(slow.processIdentifier, SIGKILL)
        slow.waitUntilExit()
        #expect(try await Self.waitForMetric(server, "canto_transcodes_active", 0))

        // Clients that hang up after a few kilobytes: no open files or memory left behind.
        let pid = server.process.process.processIdentifier
        let url = Self.subsonic(server, "stream", "&id=\(long)&format=opus")
        for _ in 0..<20 { try Shell.run("curl -s '\(url)' | head -c 20000 > /dev/null") }
        #expect(try await Self.waitForMetric(server, "canto_transcodes_active", 0))
        let before = try ProcessStats(pid: pid)
        for _ in 0..<200 { try Shell.run("curl -s '\(url)' | head -c 20000 > /dev/null") }
        #expect(try await Self.waitForMetric(server, "canto_transcodes_active", 0))
        let after = try ProcessStats(pid: pid)
        #expect(after.openFiles <= before.openFiles + 2, "\(before.openFiles) → \(after.openFiles) open files")
        #expect(after.residentKB < before.residentKB + 40_000, "\(before.residentKB) → \(after.residentKB) kB")

        // Files broken after the scan: a clean error naming the song, or a stream that ends early.
        let broken = try id("broken")
        var random = SeededGenerator(seed: 3)
        try Data(random.bytes(50_000)).write(to: music.appending("broken.flac"))
        let failed = try await HTTP.get(Self.subsonic(server, "stream", "&id=\(broken)&format=mp3"))
        let failure = (failed.json["subsonic-response"] as? [String: Any])?["error"] as? [String: Any]
        #expect((failure?["message"] as? String)?.contains(broken) == true)
        #expect(server.process.text.contains("track.id=\(broken)"))
        let cut = try id("cut")
        let file = music.appending("cut.flac")
        try Data(contentsOf: file).prefix(30_000).write(to: file)
        let partial = try await HTTP.get(Self.subsonic(server, "stream", "&id=\(cut)&format=mp3"))
        #expect(partial.status == 200)
        #expect(try await HTTP.get(Self.subsonic(server, "ping")).status == 200)
    }

    /// Polls `/metrics` until the gauge reads `value` (10 s at most).
    static func waitForMetric(_ server: TestServer, _ name: String, _ value: Int) async throws -> Bool {
        for _ in 0..<100 {
            let text = try await HTTP.get(server.url("/metrics")).body
            if text.split(separator: "\n").contains(where: {
                $0.hasPrefix(name + " ") && Double($0.split(separator: " ").last ?? "") == Double(value)
            }) {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

/// Open files and resident memory of a process, from /proc.
struct ProcessStats {
    var openFiles: Int
    var residentKB: Int

    init(pid: Int32) throws {
        openFiles = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        residentKB = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}

/// Shell commands for the tests that need a real HTTP client to misbehave (curl).
enum Shell {
    static func start(_ command: String) throws -> ChildProcess {
        try ChildProcess("/bin/sh", ["-c", command], output: .inherit, errors: .inherit)
    }

    static func run(_ command: String) throws {
        let process = try start(command)
        process.waitUntilExit()
    }
}
