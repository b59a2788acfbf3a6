import CantoTestSupport
import Foundation
import ScrobblerFakes
import Testing

/// The web UI end to end in a real headless Chromium: `Python/web_e2e.py` drives Debian's
/// `chromium` through `chromedriver` with Selenium (both installed by `make test`) against a
/// `canto serve` over a small library of 30-second tones, and saves screenshots of the main
/// pages to `.build/test-artifacts/web-ui/`.
@Suite("Web UI in Chromium")
struct WebUITests {
    static let script = SubsonicClientTests.testsDirectory.appendingPathComponent("Python/web_e2e.py")
    static let artifacts = SubsonicClientTests.packageRoot.appendingPathComponent(".build/test-artifacts/web-ui")
    static let steps = [
        "login", "scrobbler", "search", "play", "queue", "playlist", "reload", "scan", "browse", "radio", "foryou",
        "instantmix", "genreradio", "sonicpath", "stats", "review", "timezone", "adminstats", "spotify", "phone",
        "console",
    ]

    /// Three albums (one on two discs, one with a cover) of 30-second tones, long enough to
    /// watch the audio element's clock move.
    static func makeLibrary(at root: URL) throws {
        struct Song {
            var folder: String
            var file: String
            var tags: [String: String]
        }
        func songs(
            _ artist: String, _ album: String, _ year: Int, _ genre: String, _ titles: [String], disc: Int? = nil
        )
            -> [Song]
        {
            titles.enumerated().map { index, title in
                var tags = [
                    "title": title, "artist": artist, "album_artist": artist, "album": album, "date": "\(year)",
                    "genre": genre, "track": "\(index + 1)",
                ]
                var folder = "\(artist)/\(album) (\(year))"
                if let disc {
                    tags["disc"] = "\(disc)/2"
                    folder += "/Disc \(disc)"
                }
                return Song(folder: folder, file: String(format: "%02d - %@.mp3", index + 1, title), tags: tags)
            }
        }
        let all =
            songs(
                "Aurora Quartet", "Morning Light", 2019, "Jazz", ["Aurora", "Crystal Lullaby", "Daybreak", "Evening"])
            + songs("Ólöf Example", "Ljós", 2021, "Folk", ["Fjara", "Norður"], disc: 1)
            + songs("Ólöf Example", "Ljós", 2021, "Folk", ["Suður", "Vestur"], disc: 2)
            + songs("Nina Quiet", "Night Songs", 2008, "Ambient", ["Lantern", "Harbour", "Tide"])
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (index, song) in all.enumerated() {
            let folder = root.appendingPathComponent(song.folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AudioClip(seconds: 30, frequency: 330 + 20 * index).encode(
                .mp3, to: folder.appendingPathComponent(song.file), metadata: song.tags)
        }
        try AudioClip.jpeg(to: root.appendingPathComponent("Aurora Quartet/Morning Light (2019)/cover.jpg"), size: 300)
    }

    @Test func endToEndInHeadlessChromium() async throws {
        let python = SubsonicClientTests.python
        for program in [python.path, "/usr/bin/chromium", "/usr/bin/chromedriver"]
        where !FileManager.default.isExecutableFile(atPath: program) {
            Issue.record(
                """
                \(program) is missing. Run `make test`: it installs Debian's chromium and chromium-driver \
                and Selenium into .build/python-venv.
                """)
            return
        }
        try await FakeListenBrainz.run { fake, listenBrainz in
            await fake.addToken("e2e-listenbrainz-token", user: "admin-at-lb")
            let (server, admin) = try await Self.drive(python, listenBrainz: listenBrainz)
            // What the browser played reached ListenBrainz as now playing, through the server's outbox.
            // (It listened only seconds before seeking to the end: no scrobble, by the rule.)
            var deadline = ContinuousClock.now + .seconds(30)
            while await !fake.trackNames("playing_now").contains("Crystal Lullaby"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await fake.trackNames("playing_now").contains("Crystal Lullaby"))
            // A Subsonic app's scrobble for the same listener reaches it as a listen.
            let key = try #require(
                try await admin.json("POST", "/api/v1/me/api-keys", ["name": "app"]).json["key"] as? String)
            let found = try await admin.get("/api/v1/search?q=crystal").json["tracks"] as? [[String: Any]]
            let track = try #require(found?.first?["id"] as? String)
            let scrobbled = try await HTTP.get(
                server.url("/rest/scrobble?apiKey=\(key)&id=\(track)&v=1.16.1&c=e2e&f=json"))
            #expect(scrobbled.body.contains("\"ok\""), "\(scrobbled.body)")
            deadline = ContinuousClock.now + .seconds(30)
            while await !fake.trackNames("single").contains("Crystal Lullaby"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await fake.trackNames("single").contains("Crystal Lullaby"))
            let refusals = await fake.refusals
            #expect(refusals.isEmpty, "\(refusals)")
        }
    }

    /// Runs the browser against a new server; returns the server and its admin.
    static func drive(_ python: URL, listenBrainz: String) async throws -> (TestServer, Client) {
        let music = try TemporaryDirectory(prefix: "canto-web-music")
        try Self.makeLibrary(at: music.url)
        let server = try await TestServer.start(
            environment: ["CANTO_PLUGINS_LISTENBRAINZ_BASE_URL": listenBrainz], music: music.url)
        let password = "admin-password-1"
        let admin = try await server.setUpAdmin(username: "admin", password: password)
        var scanned = false
        for _ in 0..<300 where !scanned {
            let tracks = try await admin.get("/api/v1/search?q=crystal").json["tracks"] as? [[String: Any]]
            scanned = tracks?.contains { $0["title"] as? String == "Crystal Lullaby" } == true
            if !scanned { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(scanned, "the start-up scan found the library")
        // A file that arrives after the start-up scan: only the scan the admin starts in the browser finds it.
        try AudioClip(seconds: 5).encode(
            .mp3, to: music.appending("Late Arrival.mp3"),
            metadata: ["title": "Late Arrival", "artist": "Nina Quiet", "album": "Night Songs"])

        try? FileManager.default.removeItem(at: Self.artifacts)
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let (status, output) = try await SubsonicClientTests.run(
            python,
            [
                Self.script.path, "--base", server.base, "--username", "admin", "--password", password, "--query",
                "crystal", "--expect-title", "Crystal Lullaby", "--screenshots", Self.artifacts.path,
                "--listenbrainz-token", "e2e-listenbrainz-token",
            ], timeout: .seconds(420))
        #expect(status == 0, "web_e2e.py exited \(status):\n\(output)")
        let last = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "no summary:\n\(output)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let passed = Set(summary["passed"] as? [String] ?? [])
        let failed = summary["failed"] as? [Any] ?? ["no list"]
        #expect(failed.isEmpty, "failed steps: \(failed)\n\(output)")
        #expect(passed.isSuperset(of: Self.steps), "missing steps: \(Set(Self.steps).subtracting(passed))")

        // The screenshots are real PNG files of the main pages.
        let shots = summary["screenshots"] as? [String] ?? []
        #expect(shots.count >= 10, "\(shots)")
        for shot in shots {
            let url = shot.hasPrefix("/") ? URL(fileURLWithPath: shot) : Self.artifacts.appendingPathComponent(shot)
            let data = try Data(contentsOf: url)
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]) && data.count > 2_000, "\(shot)")
        }
        // What the browser did reached the server: the scan it started, the queue it built and the playlist it made.
        let late = try await admin.get("/api/v1/search?q=late%20arrival").json["tracks"] as? [[String: Any]]
        #expect(late?.first?["title"] as? String == "Late Arrival", "the scan started in the browser ran")
        let queue = try await admin.get("/api/v1/me/queue").json["tracks"] as? [[String: Any]] ?? []
        #expect(queue.count >= 3)
        #expect(!(try await admin.get("/api/v1/playlists").jsonArray.isEmpty))
        return (server, admin)
    }
}
