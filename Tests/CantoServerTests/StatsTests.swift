import CantoCore
import CantoDomain
import CantoStore
import Foundation
import GRDB
import HTTPTypes
import Testing

@testable import CantoServer
@testable import CantoStore

/// Listening statistics through a real server (in process) over a hand-built history whose every
/// figure is known: a listener in Oslo whose first play falls on 31 January in UTC but 1 February
/// at home, a streak across the end of February, a skip, two sessions on one morning; then her
/// time zone changes, a play is deleted, the rollups are rebuilt from nothing, and the household
/// charts count only who shares their listening, within the asker's libraries.
@Suite("Listening statistics")
struct StatsTests {
    /// JSON with its keys sorted, to compare two answers.
    static func canonical(_ body: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8))
        return String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func instant(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    @Test func everyFigureOfAHandBuiltHistory() async throws {
        let clock = ManualClock(try Self.instant("2026-03-15T12:00:00Z"))
        let server = try await InProcessServer.start(clock: clock)
        let libraries = try await server.services.catalog.libraries()
        let open = try #require(libraries.first { $0.path.hasSuffix("open") })
        let ola = try await server.addUser("ola", libraries: [open.id])
        let bo = try await server.addUser("bo")
        var titles: [String: TrackID] = [:]
        for id in try await server.trackIDs() { titles[try #require(try await server.services.track(id)).title] = id }
        let bright = try #require(titles["Bright Day"])
        let wide = try #require(titles["Wide Field"])
        let quiet = try #require(titles["Quiet Door"])
        let byTitle = titles
        func play(_ caller: InProcessServer.Caller, _ track: TrackID, _ at: String, seconds: Int = 60, client: String)
            async throws
        {
            _ = try await server.services.playback.played(
                track, in: server.services.catalogs.view(for: caller.user), startedAt: try Self.instant(at),
                secondsPlayed: seconds, client: client)
        }
        // Bo keeps his listening to himself; the admin shares hers, of a library ola cannot see.
        var private_ = try await server.services.accounts.preferences(of: bo.user.id)
        private_.listeningVisible = false
        try await server.services.accounts.setPreferences(private_, of: bo.user.id)
        for minute in 0..<10 { try await play(bo, wide, "2026-03-10T10:\(10 + minute):00Z", client: "bo-app") }
        let adminCaller = InProcessServer.Caller(
            user: server.admin, apiKey: "", token: try await server.addAdminSession())
        for minute in 0..<3 { try await play(adminCaller, quiet, "2026-03-11T10:\(10 + minute):00Z", client: "web") }

        try await server.withClient { client in
            // Ola lives in Oslo (UTC+1 in winter).
            let zone = try await client.send(
                .put, "/api/v1/me/preferences", token: ola.token,
                json: [
                    "streamFormat": "raw", "maxBitrate": 0, "theme": "auto", "language": "en", "scrobbling": true,
                    "listeningVisible": true, "timeZone": "Europe/Oslo",
                ])
            #expect(zone.status == .ok, "\(zone.body)")
            let wrong = try await client.send(
                .put, "/api/v1/me/preferences", token: ola.token,
                json: [
                    "streamFormat": "raw", "maxBitrate": 0, "theme": "auto", "language": "en", "scrobbling": true,
                    "listeningVisible": true, "timeZone": "Mars/Olympus",
                ])
            #expect(wrong.status == .badRequest)
        }
        try await play(ola, bright, "2026-01-31T23:30:00Z", client: "phone")  // 1 Feb, 00:30 in Oslo
        try await play(ola, bright, "2026-02-01T10:00:00Z", client: "phone")
        try await play(ola, wide, "2026-02-01T10:02:00Z", client: "phone")
        try await play(ola, wide, "2026-02-02T09:00:00Z", seconds: 0, client: "web")  // a skip
        try await play(ola, bright, "2026-02-28T22:00:00Z", client: "web")  // Saturday 23:00
        try await play(ola, bright, "2026-03-01T08:00:00Z", client: "web")  // Sunday 09:00
        try await play(ola, wide, "2026-03-14T12:00:00Z", client: "web")  // Saturday 13:00
        try await play(ola, bright, "2026-03-15T11:00:00Z", client: "web")  // today, 12:00

        let before = try await server.withClient { client in
            @Sendable func get(_ path: String) async throws -> [String: Any] {
                let answer = try await client.send(.get, path, token: ola.token)
                #expect(answer.status == .ok, "\(path): \(answer.body)")
                return answer.json
            }
            @Sendable func totals(_ json: [String: Any], _ key: String = "totals") -> [Int] {
                let totals = json[key] as? [String: Any] ?? [:]
                return ["plays", "skips", "firstListens"].map { totals[$0] as? Int ?? -1 }
            }
            // Periods: the last 7 days, 30 days against the 30 before, the year, one Oslo day.
            let week = try await get("/api/v1/me/stats/listening?period=7d")
            #expect(week["from"] as? String == "2026-03-09" && week["to"] as? String == "2026-03-15")
            #expect(totals(week) == [2, 0, 0])
            #expect(totals(week, "previous") == [0, 0, 0])
            let month = try await get("/api/v1/me/stats/listening?period=30d")
            #expect(totals(month) == [4, 0, 0])
            #expect(totals(month, "previous") == [3, 1, 2])
            let firstOfFebruary = try await get(
                "/api/v1/me/stats/listening?period=custom&from=2026-02-01&to=2026-02-01")
            #expect(totals(firstOfFebruary) == [3, 0, 2], "the 23:30 UTC play is on 1 February in Oslo")
            let year = try await get("/api/v1/me/stats/listening?period=2026&unit=month")
            #expect(totals(year) == [7, 1, 2])
            #expect((year["totals"] as? [String: Any])?["minutes"] as? Double == 7)
            let points = year["points"] as? [[String: Any]] ?? []
            #expect(points.count == 12)
            #expect(
                points.prefix(3).map { $0["start"] as? String ?? "" } == ["2026-01-01", "2026-02-01", "2026-03-01"])
            #expect(points.prefix(3).map { $0["plays"] as? Int ?? -1 } == [0, 4, 3])
            #expect(points[1]["skips"] as? Int == 1)
            let weeks = try await get("/api/v1/me/stats/listening?period=30d&unit=week")
            #expect(
                (weeks["points"] as? [[String: Any]])?.first?["start"] as? String == "2026-02-09",
                "weeks start on Monday")

            // Charts against the period before.
            let top = try await get("/api/v1/me/stats/top?period=30d&kind=tracks")
            let items = top["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["name"] as? String ?? "" } == ["Bright Day", "Wide Field"])
            #expect(items.map { $0["plays"] as? Int ?? -1 } == [3, 1])
            #expect(items.map { $0["previousRank"] as? Int ?? -1 } == [1, 2])
            #expect(items.map { $0["previousPlays"] as? Int ?? -1 } == [2, 1])
            #expect((top["rising"] as? [[String: Any]])?.map { $0["name"] as? String ?? "" } == ["Bright Day"])
            #expect((top["falling"] as? [[String: Any]])?.isEmpty == true)
            let artists = try await get("/api/v1/me/stats/top?period=all&kind=artists")
            #expect((artists["items"] as? [[String: Any]])?.first?["name"] as? String == "Alpha Open")
            #expect((artists["items"] as? [[String: Any]])?.first?["plays"] as? Int == 7)
            let genres = try await get("/api/v1/me/stats/top?period=2026&kind=genres")
            #expect((genres["items"] as? [[String: Any]])?.first?["name"] as? String == "Open Rock")
            let albums = try await get("/api/v1/me/stats/top?period=12m&kind=albums&limit=1")
            #expect((albums["items"] as? [[String: Any]])?.map { $0["name"] as? String ?? "" } == ["Open Skies"])

            // Habits: the heatmap in Oslo time, streaks across months, new listening, skips, sessions.
            let habits = try await get("/api/v1/me/stats/habits?period=2026")
            let heatmap = habits["heatmap"] as? [[Int]] ?? []
            #expect(heatmap.count == 7 && heatmap.allSatisfy { $0.count == 24 })
            var expected = [[Int]](repeating: [Int](repeating: 0, count: 24), count: 7)
            expected[6][0] = 1
            expected[6][11] = 2
            expected[5][23] = 1
            expected[6][9] = 1
            expected[5][13] = 1
            expected[6][12] = 1
            #expect(heatmap == expected)
            let longest = habits["longestStreak"] as? [String: Any] ?? [:]
            #expect(longest["days"] as? Int == 2)
            #expect(longest["from"] as? String == "2026-02-28" && longest["to"] as? String == "2026-03-01")
            let current = habits["currentStreak"] as? [String: Any] ?? [:]
            #expect(current["days"] as? Int == 2 && current["from"] as? String == "2026-03-14")
            #expect(habits["newShare"] as? Double == 2.0 / 7.0)
            #expect(habits["skipRate"] as? Double == 1.0 / 8.0)
            #expect(habits["sessions"] as? Int == 7)
            #expect(habits["averageSessionMinutes"] as? Double == 1.1)
            let clients = (habits["clients"] as? [[String: Any]] ?? []).map {
                "\($0["name"] as? String ?? ""):\($0["plays"] as? Int ?? -1)"
            }
            #expect(clients == ["web:5", "phone:3"])
            #expect((habits["formats"] as? [[String: Any]])?.first?["name"] as? String == "mp3")

            // Taste by month and the year in review.
            let taste = try await get("/api/v1/me/stats/taste?period=2026")
            let february = (taste["months"] as? [[String: Any]] ?? []).first { $0["month"] as? String == "2026-02" }
            #expect(february?["plays"] as? Int == 4)
            #expect((february?["genres"] as? [[String: Any]])?.first?["name"] as? String == "Open Rock")
            #expect((february?["decades"] as? [[String: Any]])?.first?["name"] as? String == "2000s")
            let review = try await get("/api/v1/me/stats/year/2026")
            #expect(review["plays"] as? Int == 7 && review["minutes"] as? Double == 7)
            #expect((review["topTracks"] as? [[String: Any]])?.first?["name"] as? String == "Bright Day")
            #expect(review["discoveryMonth"] as? String == "2026-02" && review["discoveries"] as? Int == 2)
            #expect(review["topTrackFirstListen"] as? String == "2026-01-31T23:30:00Z")

            // The household: only who shares (ola and the admin, not bo), within ola's libraries.
            let household = try await get("/api/v1/stats/household?period=all&kind=tracks")
            let shared = ((household["chart"] as? [String: Any])?["items"] as? [[String: Any]] ?? []).map {
                "\($0["name"] as? String ?? ""):\($0["plays"] as? Int ?? -1)"
            }
            #expect(shared == ["Bright Day:5", "Wide Field:2"], "\(household)")
            let forAdmin = try await client.send(
                .get, "/api/v1/stats/household?period=all&kind=tracks", token: adminCaller.token)
            #expect(forAdmin.body.contains("Quiet Door") && !forAdmin.body.contains("\"Wide Field\",\"plays\":12"))

            // CSV, and what is refused.
            let csv = try await client.send(
                .get, "/api/v1/me/stats/top?period=all&kind=tracks&format=csv", token: ola.token)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.body.hasPrefix("rank,id,name,artist,plays,minutes,previous_rank,previous_plays\r\n1,"))
            #expect(csv.body.contains(",Bright Day,Alpha Open,5,5.0,"))
            for bad in [
                "/api/v1/me/stats/top?period=5y", "/api/v1/me/stats/top?kind=songs",
                "/api/v1/me/stats/listening?period=custom&from=2026-03-01&to=2026-02-01",
                "/api/v1/me/stats/listening?period=custom&from=2026-02-30&to=2026-03-01",
                "/api/v1/me/stats/listening?unit=fortnight", "/api/v1/me/stats/year/99",
                "/api/v1/me/stats/habits?format=xml",
            ] {
                #expect(try await client.send(.get, bad, token: ola.token).status == .badRequest, "\(bad)")
            }
            return try [
                try await client.send(.get, "/api/v1/me/stats/habits?period=all", token: ola.token).body,
                try await client.send(.get, "/api/v1/me/stats/top?period=all&kind=albums", token: ola.token).body,
                try await client.send(.get, "/api/v1/me/stats/listening?period=all", token: ola.token).body,
            ].map { body in try Self.canonical(body) }
        }

        // Rolled up again from nothing: the same figures.
        let plays = try await StatsRepository(database: server.services.scanning.database).rebuild(user: nil)
        #expect(plays == 21)
        let after = try await server.withClient { client in
            try [
                try await client.send(.get, "/api/v1/me/stats/habits?period=all", token: ola.token).body,
                try await client.send(.get, "/api/v1/me/stats/top?period=all&kind=albums", token: ola.token).body,
                try await client.send(.get, "/api/v1/me/stats/listening?period=all", token: ola.token).body,
            ].map { body in try Self.canonical(body) }
        }
        #expect(after == before)

        // A new time zone moves her days; deleting a play takes it out of every figure.
        var utc = try await server.services.accounts.preferences(of: ola.user.id)
        utc.timeZone = "UTC"
        try await server.services.accounts.setPreferences(utc, of: ola.user.id)
        let today = try #require(
            try await server.services.playback.plays(of: ola.user.id, from: nil, to: nil, offset: 0, limit: 1).first)
        #expect(try await server.services.playback.deletePlay(today.id, owner: ola.user.id))
        try await server.withClient { client in
            let day = try await client.send(
                .get, "/api/v1/me/stats/listening?period=custom&from=2026-02-01&to=2026-02-01", token: ola.token)
            #expect((day.json["totals"] as? [String: Any])?["plays"] as? Int == 2)
            let week = try await client.send(.get, "/api/v1/me/stats/listening?period=7d", token: ola.token)
            #expect((week.json["totals"] as? [String: Any])?["plays"] as? Int == 1)
            _ = byTitle
        }
    }

    /// The household's charts are kept as one sum as plays arrive: after every change of who
    /// shares (stopping, starting, a new time zone, a deleted play, a listener gone, a rebuild)
    /// it is exactly the sum of the sharing listeners' own rollups, for every kind and period.
    @Test func theHouseholdSumFollowsWhoShares() async throws {
        let clock = ManualClock(try Self.instant("2026-03-15T12:00:00Z"))
        let server = try await InProcessServer.start(clock: clock)
        let store = StatsRepository(database: server.services.scanning.database)
        let tracks = try await server.trackIDs()
        let ann = try await server.addUser("ann")
        let ben = try await server.addUser("ben")
        let cy = try await server.addUser("cy")
        let everyone = [server.admin.id, ann.user.id, ben.user.id, cy.user.id]
        try await setSharing(server, cy.user.id, false)
        // Plays over two years by everyone, on days spread across months.
        for (index, user) in [ann, ben, cy, ann, ben, ann].enumerated() {
            for play in 0..<12 {
                let at = try Self.instant("2026-03-15T12:00:00Z").addingTimeInterval(
                    -Double(play * 41 + index) * 86_400)
                _ = try await server.services.playback.played(
                    tracks[(play + index) % tracks.count], in: server.services.catalogs.view(for: user.user),
                    startedAt: at, secondsPlayed: play % 5 == 0 ? 3 : 120, client: "web")
            }
        }
        let ranges: [(DayRange, Bool)] = [
            (DayRange(LocalDay(year: 2020, month: 1, day: 1), LocalDay(year: 2026, month: 3, day: 15)), true),
            (DayRange(LocalDay(year: 2025, month: 1, day: 1), LocalDay(year: 2025, month: 12, day: 31)), false),
            (DayRange(LocalDay(year: 2025, month: 2, day: 17), LocalDay(year: 2026, month: 3, day: 15)), false),
            (DayRange(LocalDay(year: 2026, month: 2, day: 20), LocalDay(year: 2026, month: 3, day: 15)), false),
            // The last twelve months and the twelve before (the household's and one listener's windows).
            (DayRange(LocalDay(year: 2025, month: 4, day: 1), LocalDay(year: 2026, month: 3, day: 15)), false),
            (DayRange(LocalDay(year: 2024, month: 4, day: 1), LocalDay(year: 2025, month: 3, day: 31)), false),
        ]
        func expectAgreement(_ step: String, sharing: Set<UserID>) async throws {
            // The twelve months are read from the household's windows.
            let windowed = try await server.services.scanning.database.pool.read { db in
                try StatsRepository.window(.init(listeners: .household), ranges[4].0, db) != nil
                    && StatsRepository.window(.init(listeners: .household), ranges[5].0, db) != nil
            }
            #expect(windowed, "\(step)")
            var seen = 0
            for kind in ChartKind.allCases {
                for (range, whole) in ranges {
                    for limit in [500, 2] {
                        let house = try await store.chart(
                            kind, of: .household, in: range, wholeHistory: whole, libraries: nil, limit: limit)
                        let sum = try await store.chart(
                            kind, of: .users(everyone.filter(sharing.contains)), in: range, wholeHistory: whole,
                            libraries: nil, limit: limit)
                        #expect(house == sum, "\(step): \(kind) \(range) top \(limit)")
                    }
                    let house = try await store.chart(
                        kind, of: .household, in: range, wholeHistory: whole, libraries: nil, limit: 500)
                    seen += house.reduce(0) { $0 + $1.plays }
                }
            }
            #expect(seen > 0, "\(step)")
        }
        try await expectAgreement("at first", sharing: [server.admin.id, ann.user.id, ben.user.id])
        // A range read as a year less its outside, or from a window, agrees with its days read one by one.
        for (span, _) in [ranges[2], ranges[4], ranges[5]] {
            try await expectDayByDay(span)
        }
        func expectDayByDay(_ span: DayRange) async throws {
            var byDay: [String: Int] = [:]
            for day in span.first.number...span.last.number {
                for entry in try await store.chart(
                    .tracks, of: .users([ann.user.id]), in: DayRange(LocalDay(day), LocalDay(day)), wholeHistory: false,
                    libraries: nil, limit: 500)
                {
                    byDay[entry.id, default: 0] += entry.plays
                }
            }
            let whole = try await store.chart(
                .tracks, of: .users([ann.user.id]), in: span, wholeHistory: false, libraries: nil, limit: 500)
            #expect(!whole.isEmpty && Dictionary(uniqueKeysWithValues: whole.map { ($0.id, $0.plays) }) == byDay)
        }
        try await setSharing(server, ben.user.id, false)
        try await expectAgreement("ben stops sharing", sharing: [server.admin.id, ann.user.id])
        try await setSharing(server, cy.user.id, true)
        try await expectAgreement("cy starts", sharing: [server.admin.id, ann.user.id, cy.user.id])
        var zone = try await server.services.accounts.preferences(of: ann.user.id)
        zone.timeZone = "America/New_York"
        try await server.services.accounts.setPreferences(zone, of: ann.user.id)
        try await expectAgreement("ann moves", sharing: [server.admin.id, ann.user.id, cy.user.id])
        let last = try #require(
            try await server.services.playback.plays(of: ann.user.id, from: nil, to: nil, offset: 0, limit: 1).first)
        #expect(try await server.services.playback.deletePlay(last.id, owner: ann.user.id))
        try await expectAgreement("a play deleted", sharing: [server.admin.id, ann.user.id, cy.user.id])
        #expect(try await AccountRepository(database: server.services.scanning.database).deleteUser(cy.user.id))
        try await expectAgreement("cy gone", sharing: [server.admin.id, ann.user.id])
        _ = try await store.rebuild(user: nil)
        try await expectAgreement("rebuilt", sharing: [server.admin.id, ann.user.id])
        // Ben's plays are in his own charts, not the household's.
        let bens = try await store.chart(
            .tracks, of: .users([ben.user.id]), in: ranges[0].0, wholeHistory: true, libraries: nil, limit: 500)
        let house = try await store.chart(
            .tracks, of: .household, in: ranges[0].0, wholeHistory: true, libraries: nil, limit: 500)
        #expect(bens.reduce(0) { $0 + $1.plays } == 24)
        #expect(house.reduce(0) { $0 + $1.plays } < 36 + 24)
    }

    func setSharing(_ server: InProcessServer, _ user: UserID, _ shared: Bool) async throws {
        var preferences = try await server.services.accounts.preferences(of: user)
        preferences.listeningVisible = shared
        try await server.services.accounts.setPreferences(preferences, of: user)
    }
}

/// The admin's server statistics through a real server: a raw stream, a transcode and the same
/// transcode again from the cache, a play, the start-up scan and a slow request, each counted.
@Suite("Server statistics")
struct ServerStatsTests {
    @Test func streamsTranscodesCachesPlaysScansAndSlowRequestsAreCounted() async throws {
        let server = try await InProcessServer.start()
        let listener = try await server.addUser("sam")
        let admin = try await server.addAdminSession()
        let tracks = try await server.trackIDs()
        let track = try #require(tracks.first)
        let size = try #require(try await server.services.track(track)).size
        _ = try await server.services.playback.played(
            track, in: server.services.catalogs.view(for: listener.user), startedAt: Date(), secondsPlayed: 2,
            client: "sam-app")
        server.services.activity.request(method: "GET", path: "/rest/search3?p=***", status: 200, milliseconds: 1_500)
        server.services.activity.request(method: "GET", path: "/fast", status: 200, milliseconds: 20)
        try await server.withClient { client in
            let raw = try await client.send(
                .get, "/api/v1/tracks/\(track.rawValue)/stream?format=raw", token: listener.token)
            #expect(raw.status == .ok)
            for _ in 0..<2 {
                let transcoded = try await client.send(
                    .get, "/api/v1/tracks/\(track.rawValue)/stream?format=opus&bitrate=64", token: listener.token)
                #expect(transcoded.status == .ok)
            }
            let refused = try await client.send(.get, "/api/v1/admin/stats", token: listener.token)
            #expect(refused.status == .forbidden)
            let bad = try await client.send(.get, "/api/v1/admin/stats?hours=0", token: admin)
            #expect(bad.status == .badRequest)
            let answer = try await client.send(.get, "/api/v1/admin/stats?hours=24", token: admin)
            #expect(answer.status == .ok, "\(answer.body)")
            let stats = answer.json
            let hours = stats["hours"] as? [[String: Any]] ?? []
            #expect(hours.count == 24)
            #expect(hours.reduce(0) { $0 + ($1["plays"] as? Int ?? 0) } == 1)
            #expect(hours.reduce(0) { $0 + ($1["streams"] as? Int ?? 0) } == 3)
            let formats = (stats["streamsByFormat"] as? [[String: Any]] ?? []).map {
                "\($0["name"] as? String ?? ""):\($0["count"] as? Int ?? -1)"
            }
            #expect(Set(formats) == ["opus:2", "raw:1"])
            #expect((stats["transcodesByFormat"] as? [[String: Any]])?.first?["count"] as? Int == 1)
            #expect((stats["bytesServed"] as? Int ?? 0) > Int(size), "the raw file and two transcodes")
            let caches = (stats["caches"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "transcodes" }
            #expect(
                caches?["hits"] as? Int == 1 && caches?["misses"] as? Int == 1 && caches?["hitRate"] as? Double == 0.5)
            #expect(stats["activeListeners"] as? Int == 1)
            #expect((stats["topClients"] as? [[String: Any]])?.first?["name"] as? String == "sam-app")
            #expect((stats["library"] as? [String: Any])?["tracks"] as? Int == tracks.count)
            let scans = stats["scans"] as? [[String: Any]] ?? []
            #expect(scans.first?["added"] as? Int == tracks.count, "\(scans)")
            let slow = (stats["slowRequests"] as? [[String: Any]] ?? []).map { $0["path"] as? String ?? "" }
            // The request recorded as slow is listed; this test's own requests may join it on a
            // loaded machine (a transcode past a second), and nothing else can.
            #expect(slow.contains("/rest/search3?p=***"), "\(slow)")
            #expect(
                slow.allSatisfy {
                    $0 == "/rest/search3?p=***" || $0.hasPrefix("/api/v1/tracks/\(track.rawValue)/stream")
                },
                "\(slow)")
        }
    }
}
