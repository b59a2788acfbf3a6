import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import Testing

/// The crash-safety campaign: `canto serve` is killed with SIGKILL (a power cut, as far as the
/// database can tell) at a random moment while a scan runs and four clients write (playlists,
/// stars, plays with their outbox events, queue saves), 20 times over the same data folder
/// (`CANTO_CRASH_ROUNDS` changes the count). After each restart: `PRAGMA integrity_check` is ok,
/// every write the server acknowledged is there, and the scan completes.
@Suite(.serialized) struct CrashCampaignTests {
    /// What the server said it had stored.
    struct Acknowledged: Sendable {
        var playlists: [String] = []
        var stars: [String] = []
        var plays: [Int] = []
        /// Queue saves in the order they were sent, with whether each was acknowledged.
        var queues: [(tracks: [String], acknowledged: Bool)] = []

        mutating func add(_ other: Acknowledged) {
            playlists += other.playlists
            stars += other.stars
            plays += other.plays
            queues += other.queues
        }
    }

    @Test func killedDuringScansAndWritesLosesNothingAcknowledged() async throws {
        let rounds = ProcessInfo.processInfo.environment["CANTO_CRASH_ROUNDS"].flatMap(Int.init) ?? 20
        let music = try TemporaryDirectory(prefix: "canto-crash-music")
        let library = try LibraryGenerator.generate(at: music.url, tracks: 300, seed: 11)
        let data = try TemporaryDirectory(prefix: "canto-crash-data")
        var random = SplitMix64(seed: 2026)
        var server = try await TestServer.start(data: data, music: music.url)
        let admin = try await server.setUpAdmin()
        try await Self.waitForScan(admin)
        let tracks = try await CantoDatabase(dataDirectory: data.url).pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM track ORDER BY id")
        }
        try #require(tracks.count == library.trackCount)
        var stored = Acknowledged()
        var kills = 0
        for round in 0..<rounds {
            // Give the scan at start work: a share of the files look changed.
            let touched = Date().addingTimeInterval(Double(round + 1))
            for index in 0..<library.trackPaths.count where random.next() % 3 == 0 {
                try FileManager.default.setAttributes(
                    [.modificationDate: touched],
                    ofItemAtPath: music.url.appendingPathComponent(library.trackPaths[index]).path)
            }
            if round > 0 { server = try await TestServer.start(data: data, music: music.url) }
            let client = try await server.login("admin", "admin-password-1")
            // Writes flow from four clients until the kill cuts them off.
            let writers = Task {
                try await withThrowingTaskGroup(of: Acknowledged.self) { group in
                    for kind in 0..<4 {
                        group.addTask { await Self.write(kind: kind, round: round, client: client, tracks: tracks) }
                    }
                    return try await group.reduce(into: Acknowledged()) { $0.add($1) }
                }
            }
            _ = try? await client.json("POST", "/api/v1/admin/scan", [:])
            // The kill's moment is what is random here: nothing is asserted after a sleep.
            try await Task.sleep(for: .milliseconds(50 + Int(random.next() % 600)))
            server.process.signal(SIGKILL)
            try await server.process.waitForExit()
            kills += 1
            stored.add(try await writers.value)

            // Restart on the same folder and check everything acknowledged so far.
            let checked = try await TestServer.start(data: data, music: music.url)
            let reader = try await checked.login("admin", "admin-password-1")
            try await Self.waitForScan(reader)
            try await Self.expectStored(stored, reader: reader, data: data, tracks: library.trackCount, round: round)
            checked.process.signal(SIGKILL)
            try await checked.process.waitForExit()
        }
        #expect(kills == rounds)
        // The campaign wrote something in every kind, so the checks above checked something.
        #expect(!stored.playlists.isEmpty && !stored.stars.isEmpty && !stored.plays.isEmpty)
        #expect(stored.queues.contains { $0.acknowledged })
    }

    /// One client's writes of `kind` until a request fails (the server is gone).
    static func write(kind: Int, round: Int, client: Client, tracks: [String]) async -> Acknowledged {
        var done = Acknowledged()
        var step = 0
        while step < 10_000 {
            step += 1
            let track = tracks[(round * 7919 + step * 31 + kind) % tracks.count]
            do {
                switch kind {
                case 0:
                    let name = "crash \(round)-\(step)"
                    let made = try await client.json("POST", "/api/v1/playlists", ["name": name, "trackIds": [track]])
                    guard made.status == 201 else { return done }
                    done.playlists.append(name)
                case 1:
                    let starred = try await client.json(
                        "PUT", "/api/v1/me/annotations/\(track)", ["kind": "track", "starred": true])
                    guard starred.status == 200 else { return done }
                    done.stars.append(track)
                case 2:
                    let played = try await client.json(
                        "POST", "/api/v1/me/history", ["trackId": track, "secondsPlayed": 30])
                    guard played.status == 201, let id = played.json["id"] as? Int else { return done }
                    done.plays.append(id)
                default:
                    let queue = [track, tracks[(step + 1) % tracks.count]]
                    done.queues.append((queue, false))
                    let saved = try await client.json(
                        "PUT", "/api/v1/me/queue", ["trackIds": queue, "currentIndex": 0])
                    guard (200..<300).contains(saved.status) else { return done }
                    done.queues[done.queues.count - 1].acknowledged = true
                }
            } catch {
                return done
            }
        }
        return done
    }

    /// Waits until no scan runs and at least one finished since the server started.
    static func waitForScan(_ admin: Client) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let state = try await admin.get("/api/v1/admin/scan").json
            if state["running"] as? Bool == false, (state["completedScans"] as? Int ?? 0) >= 1 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the scan did not complete in 120 s")
    }

    static func expectStored(
        _ stored: Acknowledged, reader: Client, data: TemporaryDirectory, tracks: Int, round: Int
    ) async throws {
        let database = try CantoDatabase(dataDirectory: data.url)
        let facts = try await database.pool.read { db in
            (
                integrity: try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                playlists: Set(try String.fetchAll(db, sql: "SELECT name FROM playlist")),
                stars: Set(
                    try String.fetchAll(db, sql: "SELECT item_id FROM annotation WHERE starred_at IS NOT NULL")),
                plays: Set(try Int.fetchAll(db, sql: "SELECT id FROM play")),
                playEvents: try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM event_outbox WHERE kind = 'track.played'") ?? 0,
                tracks: try Int.fetchOne(db, sql: "SELECT count(*) FROM track") ?? 0
            )
        }
        #expect(facts.integrity == "ok", "round \(round)")
        #expect(Set(stored.playlists).isSubset(of: facts.playlists), "round \(round): a playlist is missing")
        #expect(Set(stored.stars).isSubset(of: facts.stars), "round \(round): a star is missing")
        #expect(Set(stored.plays).isSubset(of: facts.plays), "round \(round): a play is missing")
        // A play and its event for the plugins commit together.
        #expect(facts.playEvents >= facts.plays.count, "round \(round): plays without their outbox event")
        #expect(facts.tracks == tracks, "round \(round): the scan left \(facts.tracks) of \(tracks) tracks")
        // The queue is the last one acknowledged, or one sent after it whose answer the kill cut off.
        if let last = stored.queues.lastIndex(where: { $0.acknowledged }) {
            let queue = try await reader.get("/api/v1/me/queue").json
            let ids = (queue["tracks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            let allowed = stored.queues[last...].map(\.tracks)
            #expect(allowed.contains(ids), "round \(round): queue \(ids)")
        }
    }
}
