import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import Testing

/// A full disk, as a home machine meets one: the data folder and the cache folder each on a small
/// file system of their own (a tmpfs mounted by the test), filled up while `canto serve` scans,
/// transcodes and writes. The server answers clearly (507 and `disk_full` on the native API, a
/// Subsonic error naming the disk), keeps serving reads, corrupts nothing, and works again once
/// space is freed.
@Suite(.serialized) struct FullDiskTests {
    /// A folder on a tmpfs of `megabytes`, unmounted when the value goes away.
    final class SmallDisk: Sendable {
        let folder: TemporaryDirectory
        var url: URL { folder.url }
        var path: String { folder.path }
        private var filler: URL { url.appendingPathComponent("filler") }

        init(megabytes: Int, prefix: String) throws {
            folder = try TemporaryDirectory(prefix: prefix)
            let status = try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", folder.path])
            // The suite runs as root (as CI does); without the right to mount there is no small disk.
            guard status == 0 else { throw SmallDiskError.mountRefused(status) }
        }

        /// Writes a filler file until the file system refuses another byte.
        func fill() throws {
            if !FileManager.default.fileExists(atPath: filler.path) {
                _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: filler)
            defer { try? handle.close() }
            try handle.seekToEnd()
            for size in [1 << 20, 4096, 512] {
                let chunk = Data(count: size)
                while (try? handle.write(contentsOf: chunk)) != nil {}
            }
        }

        /// Space on the file system, in bytes.
        var freeBytes: Int64 {
            let attributes = try? FileManager.default.attributesOfFileSystem(forPath: url.path)
            return (attributes?[.systemFreeSize] as? NSNumber)?.int64Value ?? -1
        }

        /// Removes the filler: the space is back.
        func free() throws { try FileManager.default.removeItem(at: filler) }

        static func run(_ program: String, _ arguments: [String]) throws -> Int32 {
            try ChildProcess.run(program, arguments, output: .inherit, errors: .inherit).status
        }

        deinit { _ = try? Self.run("/bin/umount", ["-l", folder.path]) }
    }

    enum SmallDiskError: Error { case mountRefused(Int32) }

    /// The data folder fills up: writes through both APIs and a scan are refused clearly, reads go
    /// on, and once space is back the same writes and the scan succeed; nothing acknowledged is lost.
    @Test func dataFolderFullDuringWritesAndAScan() async throws {
        let music = try TemporaryDirectory(prefix: "canto-full-music")
        let library = try LibraryGenerator.generate(at: music.url, tracks: 40, seed: 5)
        let disk = try SmallDisk(megabytes: 48, prefix: "canto-full-data")
        let server = try await TestServer.start(data: disk.folder, music: music.url)
        let admin = try await server.setUpAdmin()
        try await CrashCampaignTests.waitForScan(admin)
        let tracks = try await CantoDatabase(dataDirectory: disk.url).pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM track ORDER BY id")
        }
        try #require(tracks.count == library.trackCount)
        let before = try await admin.json("POST", "/api/v1/playlists", ["name": "before", "trackIds": tracks])
        #expect(before.status == 201, "\(before.body)")

        // Full: the WAL is checkpointed down to nothing (so the next writes must grow it again),
        // then the filler takes every byte left.
        try await DatabaseQueue(path: disk.url.appendingPathComponent("canto.db").path).writeWithoutTransaction { db in
            _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        try disk.fill()
        #expect(disk.freeBytes < 64 * 1024, "free: \(disk.freeBytes)")

        // Each kind of write is refused with a clear answer, not an internal error.
        let writes: [(String, String, [String: Any])] = [
            ("POST", "/api/v1/playlists", ["name": "during", "trackIds": tracks]),
            ("PUT", "/api/v1/me/annotations/\(tracks[0])", ["kind": "track", "starred": true]),
            ("POST", "/api/v1/me/history", ["trackId": tracks[1], "secondsPlayed": 30]),
            ("PUT", "/api/v1/me/queue", ["trackIds": [tracks[2], tracks[3]], "currentIndex": 0]),
        ]
        for (method, path, body) in writes {
            let refused = try await admin.json(method, path, body)
            #expect(refused.status == 507, "\(method) \(path): \(refused.status) \(refused.body)")
            let error = refused.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "disk_full", "\(refused.body)")
            let message = error?["message"] as? String ?? ""
            #expect(message.contains("full"), "\(refused.body)")
        }
        let subsonic = { (method: String, parameters: String) in
            server.url("/rest/\(method)?u=admin&p=admin-password-1&v=1.16.1&c=full&f=json\(parameters)")
        }
        let scrobble = try await HTTP.get(subsonic("scrobble", "&id=\(tracks[4])&submission=true"))
        let answer = scrobble.json["subsonic-response"] as? [String: Any]
        #expect(answer?["status"] as? String == "failed", "\(scrobble.body)")
        let message = (answer?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("full"), "\(scrobble.body)")

        // Reads go on.
        #expect(try await admin.get("/api/v1/albums").status == 200)
        #expect(try await admin.get("/api/v1/playlists").status == 200)
        let albums = try await HTTP.get(subsonic("getAlbumList2", "&type=newest"))
        #expect((albums.json["subsonic-response"] as? [String: Any])?["status"] as? String == "ok")

        // A transcode is still sent (its cache is on the same full disk: it is only not kept).
        let transcoded = try await HTTP.get(subsonic("stream", "&id=\(tracks[5])&format=opus&maxBitRate=64"))
        #expect(transcoded.status == 200 && transcoded.headers["content-type"] == "audio/ogg")
        #expect(transcoded.data.count > 1000, "\(transcoded.data.count) bytes")

        // A scan with new files stops and says why.
        let added = try LibraryGenerator.generate(at: music.url.appendingPathComponent("new"), tracks: 20, seed: 6)
        let scans = try await admin.get("/api/v1/admin/scan").json["completedScans"] as? Int ?? -1
        #expect(try await admin.json("POST", "/api/v1/admin/scan", [:]).status == 202)
        let failed = try await Self.scanEnded(admin)
        #expect(failed["completedScans"] as? Int == scans, "\(failed)")
        let why = failed["lastError"] as? String ?? ""
        #expect(why.contains("full"), "\(failed)")
        #expect(try await HTTP.get(server.url("/healthz")).status == 200)

        // Space is back: the same writes and the scan succeed.
        try disk.free()
        let after = try await admin.json("POST", "/api/v1/playlists", ["name": "after", "trackIds": tracks])
        #expect(after.status == 201, "\(after.body)")
        for (method, path, body) in writes.dropFirst() {
            let done = try await admin.json(method, path, body)
            #expect((200..<300).contains(done.status), "\(method) \(path): \(done.body)")
        }
        #expect(try await admin.json("POST", "/api/v1/admin/scan", [:]).status == 202)
        let completed = try await Self.scanEnded(admin)
        #expect(completed["completedScans"] as? Int == scans + 1, "\(completed)")
        #expect(completed["lastError"] == nil, "\(completed)")

        // Nothing corrupted, nothing acknowledged lost, nothing internal in the log.
        server.process.signal(SIGTERM)
        try await server.process.waitForExit()
        let facts = try await CantoDatabase(dataDirectory: disk.url).pool.read { db in
            (
                integrity: try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                playlists: try String.fetchAll(db, sql: "SELECT name FROM playlist ORDER BY name"),
                tracks: try Int.fetchOne(db, sql: "SELECT count(*) FROM track") ?? 0,
                plays: try Int.fetchOne(db, sql: "SELECT count(*) FROM play") ?? 0
            )
        }
        #expect(facts.integrity == "ok")
        #expect(facts.playlists == ["after", "before"])
        #expect(facts.tracks == library.trackCount + added.trackCount)
        #expect(facts.plays == 1)
        #expect(server.process.text.contains("disk full"))
        #expect(!server.process.text.contains("internal error"), "an internal error was logged")
    }

    /// The cache folder fills up: transcodes and covers are still served (only not kept), the
    /// failures are counted on `/metrics`, and once space is back transcodes are kept again.
    @Test func cacheFolderFullDuringTranscodes() async throws {
        let cache = try SmallDisk(megabytes: 4, prefix: "canto-full-cache")
        let server = try await TestServer.start(environment: ["CANTO_CACHE_FOLDER": cache.path])
        _ = try await server.setUpAdmin()
        _ = try await server.trackIDs()
        let subsonic = { (method: String, parameters: String) in
            server.url("/rest/\(method)?u=admin&p=admin-password-1&v=1.16.1&c=full&f=json\(parameters)")
        }
        let songs = try await HTTP.get(subsonic("search3", "&query=&songCount=50&albumCount=0&artistCount=0"))
        let result = (songs.json["subsonic-response"] as? [String: Any])?["searchResult3"] as? [String: Any]
        let song = result?["song"] as? [[String: Any]] ?? []
        let flacs = song.filter { $0["suffix"] as? String == "flac" }.compactMap { $0["id"] as? String }
        try #require(flacs.count >= 2, "\(songs.body)")

        try cache.fill()
        let raw = try await HTTP.get(subsonic("stream", "&id=\(flacs[0])&format=raw"))
        let transcoded = try await HTTP.get(subsonic("stream", "&id=\(flacs[0])&format=mp3&maxBitRate=96"))
        #expect(transcoded.status == 200)
        #expect(transcoded.headers["content-type"] == "audio/mpeg")
        #expect(transcoded.data.count > 1000 && transcoded.data != raw.data, "\(transcoded.data.count) bytes")
        let cover = try await HTTP.get(subsonic("getCoverArt", "&id=\(flacs[0])&size=64"))
        #expect(cover.status == 200 && cover.headers["content-type"]?.hasPrefix("image/") == true)
        #expect(try await Self.metric("canto_cache_write_failures_total{cache=\"transcodes\"}", server) >= 1)
        #expect(try Self.kept(in: cache) == 0)

        try cache.free()
        let again = try await HTTP.get(subsonic("stream", "&id=\(flacs[1])&format=mp3&maxBitRate=96"))
        #expect(again.status == 200 && again.data.count > 1000)
        // The entry is renamed into place once the response has been sent: wait for it.
        let deadline = ContinuousClock.now + .seconds(30)
        while try Self.kept(in: cache) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try Self.kept(in: cache) == 1)
        #expect(!server.process.text.contains("internal error"), "an internal error was logged")
    }

    /// Finished transcodes in the cache folder.
    static func kept(in cache: SmallDisk) throws -> Int {
        let folder = cache.url.appendingPathComponent("transcodes")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasSuffix(".partial") }
            .count
    }

    /// The value of one series on `/metrics` (0 when absent).
    static func metric(_ series: String, _ server: TestServer) async throws -> Double {
        let text = try await HTTP.get(server.url("/metrics")).body
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? 0
        }
        return 0
    }

    /// Waits until the scan the admin asked for is no longer running; its state.
    static func scanEnded(_ admin: Client) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let state = try await admin.get("/api/v1/admin/scan").json
            if state["running"] as? Bool == false { return state }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the scan did not end in 120 s")
        return [:]
    }
}
