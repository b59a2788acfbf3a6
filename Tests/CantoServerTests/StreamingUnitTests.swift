import CantoCore
import CantoDomain
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

@testable import CantoServer

/// The streaming engine's deciding and bookkeeping parts: the planner, the disk cache and the
/// transcode limiter.
@Suite("Streaming parts")
struct StreamingUnitTests {
    static func track(suffix: String, codec: String, kbps: Int, seconds: Int64 = 300) -> Track {
        var audio = AudioProperties()
        audio.codec = codec
        audio.bitrateKbps = kbps
        audio.durationMs = seconds * 1000
        return Track(
            id: TrackID("t1"), libraryID: LibraryID("l"), folderID: FolderID("f"), albumID: AlbumID("al"),
            path: "a.\(suffix)", suffix: suffix, size: 1, modifiedAt: Date(), contentHash: "h", title: "t", album: "a",
            artistName: "b", albumArtistName: "b", audio: audio)
    }

    static let user = User(id: UserID("u"), username: "u", displayName: "u", role: .user)
    static let flac = track(suffix: "flac", codec: "flac", kbps: 900)
    static let mp3 = track(suffix: "mp3", codec: "mp3", kbps: 320)

    @Test func planner() throws {
        let planner = StreamPlanner(
            clientDefaults: try StreamPlanner.parseClientDefaults(["DSub=opus:96", "Feishin=raw"]), defaultFormat: .mp3)
        let none = UserPreferences()
        func plan(
            _ track: Track, _ request: StreamRequest, user: User = Self.user, _ preferences: UserPreferences = none
        )
            -> StreamOutput
        { planner.plan(track, request: request, user: user, preferences: preferences) }

        // Nothing asked: the original.
        #expect(plan(Self.flac, StreamRequest()) == .raw)
        // format=raw wins over every cap.
        var capped = Self.user
        capped.maxBitrate = 128
        #expect(plan(Self.flac, StreamRequest(format: "raw", maxBitRate: 64), user: capped) == .raw)
        // A named format and bitrate.
        #expect(
            plan(Self.flac, StreamRequest(format: "opus", maxBitRate: 96))
                == .transcode(.init(format: .opus, bitrateKbps: 96)))
        // The same format within the cap is sent as it is; above it, re-encoded at the cap.
        #expect(plan(Self.mp3, StreamRequest(format: "mp3")) == .raw)
        #expect(
            plan(Self.mp3, StreamRequest(format: "mp3", maxBitRate: 128))
                == .transcode(.init(format: .mp3, bitrateKbps: 128)))
        // Only a cap: the default format at the lowest cap (client, user preference, admin).
        #expect(
            plan(Self.flac, StreamRequest(maxBitRate: 256), user: capped)
                == .transcode(.init(format: .mp3, bitrateKbps: 128)))
        #expect(
            plan(Self.flac, StreamRequest(), UserPreferences(maxBitrate: 160))
                == .transcode(.init(format: .mp3, bitrateKbps: 160)))
        // Per-client defaults, by the Subsonic client name, any case.
        #expect(plan(Self.flac, StreamRequest(client: "dsub")) == .transcode(.init(format: .opus, bitrateKbps: 96)))
        #expect(plan(Self.flac, StreamRequest(client: "Feishin"), UserPreferences(streamFormat: "opus")) == .raw)
        // The user's preferred format when the client names none.
        #expect(
            plan(Self.flac, StreamRequest(), UserPreferences(streamFormat: "aac")) == .transcode(.init(format: .aac)))
        // A seek needs a transcode, in the file's own lossy format when it has one.
        #expect(
            plan(Self.mp3, StreamRequest(offsetSeconds: 30.5))
                == .transcode(.init(format: .mp3, bitrateKbps: 320, startMs: 30_500)))
        #expect(plan(Self.flac, StreamRequest(offsetSeconds: 10)) == .transcode(.init(format: .mp3, startMs: 10_000)))

        #expect(throws: StreamPlannerError.self) { try StreamPlanner.parseClientDefaults(["DSub=wma"]) }
        #expect(throws: StreamPlannerError.self) { try StreamPlanner.parseClientDefaults(["nothing"]) }
        #expect(throws: StreamPlannerError.self) { try StreamPlanner.parseClientDefaults(["DSub=mp3:fast"]) }
    }

    @Test func estimatedLengthFollowsBitrateAndOffset() {
        let options = TranscodeOptions(format: .mp3, bitrateKbps: 128, startMs: 60_000)
        #expect(MediaStreamer.estimatedLength(track: Self.flac, options: options) == 240 * 128_000 / 8)
        #expect(MediaStreamer.estimatedLength(track: Self.flac, options: .init(format: .flac)) == 300 * 900_000 / 8)
    }

    @Test func diskCacheEvictsLeastRecentlyUsedAndSurvivesRestarts() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-cache")
        let cache = try DiskCache(directory: directory.url, capacityBytes: 2_500)
        #expect(await cache.path(of: "a.mp3") == nil)  // a miss
        try await cache.store([UInt8](repeating: 1, count: 1_000), as: "a.mp3")
        try await cache.store([UInt8](repeating: 2, count: 1_000), as: "b.mp3")
        #expect(await cache.path(of: "a.mp3") != nil)  // a hit, and a is now the most recent
        try await cache.store([UInt8](repeating: 3, count: 1_000), as: "c.mp3")  // over the cap: b goes
        #expect(await cache.path(of: "b.mp3") == nil)
        #expect(await cache.path(of: "a.mp3") != nil)
        #expect(await cache.usage.bytes == 2_000)

        // A half-written file left by a crash is never served and is cleared at start.
        let partial = cache.partialPath()
        #expect(FileManager.default.createFile(atPath: partial, contents: Data([9, 9])))
        let reopened = try DiskCache(directory: directory.url, capacityBytes: 2_500)
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(await reopened.usage.entries == 2)
        let path = try #require(await reopened.path(of: "c.mp3"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(repeating: 3, count: 1_000))
    }

    @Test func limiterQueuesInOrderAndTimesOut() async throws {
        let limiter = TranscodeLimiter(limit: 1, timeout: .milliseconds(300))
        let first = try await limiter.acquire()
        // A second caller waits, then gets the slot when the first lets go.
        let waiting = Task { try await limiter.acquire() }
        try await Self.waitUntil { await limiter.load == (1, 1) }
        #expect(await limiter.load == (1, 1))
        first.release()
        let second = try await waiting.value
        #expect(await limiter.load == (1, 0))
        // A third gives up after the timeout with a Retry-After.
        let started = ContinuousClock.now
        await #expect(throws: TranscodersBusy.self) { _ = try await limiter.acquire() }
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        second.release()
        second.release()  // twice is once
        try await Self.waitUntil { await limiter.load == (0, 0) }
        #expect(await limiter.load == (0, 0))
        // Twice was once: a new caller gets the one slot, and a second still waits for it.
        let third = try await limiter.acquire()
        #expect(await limiter.load == (1, 0))
        third.release()
    }

    /// Waits (up to 60 s) until `condition` holds; the expectation after it says whether it did.
    static func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !(await condition()), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
