import CantoCore
import CantoStore
import Foundation
import GRDB

/// `canto-bench smart [--tracks 100000] [--queries 200]`: a catalog of T tracks written straight
/// into SQLite, a listener with plays of a third of them and stars on a seventh, and a smart
/// playlist picking 1,000 of them (a genre, a year range, played or loved, sorted by title). Timed:
/// listing it with its tracks read from the catalog while nothing changed (what every request
/// does), and working it out again after a play (what the first request after a change does).
enum SmartBench {
    static func run(tracks: Int, queries: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("canto-bench-smart-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try CantoDatabase(dataDirectory: directory)
        let now = Date()
        let user = UserID("listener")
        try await database.pool.write { db in
            try BenchCatalog.write(db, tracks: tracks, now: now)
            try db.execute(
                sql: """
                    INSERT INTO user (id, username, display_name, role, password_hash, app_password, created_at)
                    VALUES (?, 'listener', 'Listener', 'user', 'x', x'00', ?)
                    """, arguments: [user.rawValue, now])
            for track in stride(from: 0, to: tracks, by: 3) {
                try db.execute(
                    sql:
                        "INSERT INTO stat_item_total (user_id, kind, item, plays, skips, seconds) VALUES (?, 't', ?, ?, 0, 600)",
                    arguments: [user.rawValue, "t\(track)", 1 + track % 7])
            }
            for track in stride(from: 0, to: tracks, by: 7) {
                try db.execute(
                    sql: "INSERT INTO annotation (user_id, item_id, kind, starred_at) VALUES (?, ?, 'track', ?)",
                    arguments: [user.rawValue, "t\(track)", now])
            }
        }
        let state = LibraryStateRepository(database: database)
        let catalog = CatalogRepository(database: database)
        let rules = try SmartDefinition(json: [
            "all": [
                ["any": [["is": ["genre": "Genre 7"]], ["is": ["genre": "Genre 8"]], ["is": ["genre": "Genre 9"]]]],
                ["inTheRange": ["year": [1970, 2019]]],
                ["any": [["gt": ["playcount": 0]], ["is": ["loved": true]], ["startsWith": ["title": "Track 1"]]]],
            ],
            "sort": "title", "order": "asc", "limit": 1_000,
        ])
        let playlist = Playlist(id: PlaylistID("smart"), ownerID: user, name: "Smart", rules: rules.text)
        try await state.createPlaylist(playlist)

        var started = ContinuousClock.now
        let first = try await state.playlist(playlist.id, viewer: user)
        let firstMs = (ContinuousClock.now - started) / .milliseconds(1)
        print(
            String(
                format: "smart playlist of %d tracks over %d: first worked out in %.1f ms", first.trackIDs.count,
                tracks, firstMs))

        func percentiles(_ label: String, _ times: [Double]) {
            let sorted = times.sorted()
            func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
            print(
                String(
                    format: "%@: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d runs)", label, at(0.5), at(0.95), at(0.99),
                    sorted.count))
        }
        var listing: [Double] = []
        for _ in 0..<queries {
            started = ContinuousClock.now
            let read = try await state.playlist(playlist.id, viewer: user)
            let found = try await catalog.tracks(read.trackIDs)
            precondition(found.count == read.trackIDs.count)
            listing.append((ContinuousClock.now - started) / .milliseconds(1))
        }
        percentiles("list it with its tracks, nothing changed", listing)
        var after: [Double] = []
        for round in 0..<max(10, queries / 10) {
            try await database.pool.write { db in
                try db.execute(
                    sql: "INSERT INTO event_outbox (at, kind, payload) VALUES (?, 'bench', '{}')", arguments: [now])
                try db.execute(
                    sql: "UPDATE stat_item_total SET plays = plays + 1 WHERE user_id = ? AND item = ?",
                    arguments: [user.rawValue, "t\(round * 3)"])
            }
            started = ContinuousClock.now
            let read = try await state.playlist(playlist.id, viewer: user)
            _ = try await catalog.tracks(read.trackIDs)
            after.append((ContinuousClock.now - started) / .milliseconds(1))
        }
        percentiles("first listing after a play (worked out again)", after)
    }
}
