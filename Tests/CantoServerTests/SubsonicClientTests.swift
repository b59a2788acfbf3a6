import CantoTestSupport
import Foundation
import ScrobblerFakes
import Testing

/// The Subsonic API as real clients see it: `Python/clients.py` drives a `canto serve` over the
/// fixture library with py-sonic, py-opensonic and knuckles, and with raw HTTP in XML and
/// JSON, and validates every JSON response against the OpenSubsonic schemas in `Schemas/`.
/// `make test` installs the libraries into `.build/python-venv`.
@Suite("Subsonic clients")
struct SubsonicClientTests {
    /// Tests/CantoServerTests/SubsonicClientTests.swift → Tests/CantoServerTests
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let harness = testsDirectory.appendingPathComponent("Python/clients.py")

    /// `$CANTO_PYTHON`, else the interpreter of the virtual environment `make test` creates.
    static var python: URL {
        if let path = ProcessInfo.processInfo.environment["CANTO_PYTHON"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/python-venv/bin/python")
    }

    @Test func pythonClientsAgainstTheRealServer() async throws {
        let python = Self.python
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            Issue.record(
                """
                No Python with the Subsonic client libraries at \(python.path). Run `make test`: it creates \
                .build/python-venv and installs py-sonic, py-opensonic, knuckles and jsonschema into it \
                (or point CANTO_PYTHON at an interpreter that has them).
                """)
            return
        }
        let server = try await TestServer.start()
        let password = "admin-password-1"
        let admin = try await server.setUpAdmin(username: "admin", password: password)
        let appPassword = try #require(
            try await admin.send("POST", "/api/v1/me/app-password").json["secret"] as? String)
        let apiKey = try #require(
            try await admin.json("POST", "/api/v1/me/api-keys", ["name": "python-clients"]).json["key"] as? String)
        let tracks = try await server.trackIDs()
        let manifest = try await FixtureLibrary.shared()
        #expect(tracks.count == manifest.expectedTrackCount)

        // A web player marked as the admin's jukebox, for jukeboxControl (its stream takes the commands).
        let speakers = await EventStreamReader.open(
            server.url("/api/v1/sessions/events?name=Speakers"), headers: admin.bearer)
        let speakersID = try #require(await speakers.next("session")?.object["id"] as? String)
        let marked = try await admin.json("PATCH", "/api/v1/sessions/\(speakersID)", ["jukebox": true])
        #expect(marked.json["jukebox"] as? Bool == true, "\(marked.body)")

        let work = try TemporaryDirectory(prefix: "canto-subsonic-clients")
        let expectations = work.appending("expectations.json")
        try JSONSerialization.data(
            withJSONObject: Self.expectations(manifest), options: [.prettyPrinted, .sortedKeys]
        )
        .write(to: expectations)

        let (status, output) = try await Self.run(
            python,
            [
                Self.harness.path, "--base-url", server.base, "--username", "admin", "--password", password,
                "--app-password", appPassword, "--api-key", apiKey, "--expectations", expectations.path,
            ])
        #expect(status == 0, "clients.py exited \(status):\n\(output)")
        // The commands travel down the player's event stream: wait for them (a busy machine delays
        // the stream's reader), up to the reader's own deadline.
        let eighth = await speakers.next("command", after: 0, count: 8)
        let names = await speakers.events.map(\.name)
        let ended = await speakers.ended
        #expect(
            eighth != nil,
            "the jukebox took \(names.filter { $0 == "command" }.count) commands (stream ended: \(ended); \(names))")
        await speakers.close()
        let summary = output.split(separator: "\n").last { $0.hasPrefix("subsonic clients:") }
        #expect(summary != nil, "\(output)")
        if let summary { print(summary) }
        // The harness sends all of these, some in clear or as `enc:` hex: none may be logged.
        let hex = Data(appPassword.utf8).map { String(format: "%02x", $0) }.joined()
        server.expectLogFree(of: [password, appPassword, apiKey, hex, hex.uppercased()])
    }

    /// What the fixture library holds, as the harness checks it.
    static func expectations(_ manifest: FixtureManifest) -> [String: Any] {
        func album(_ album: ExpectedAlbum) -> [String: Any] {
            [
                "title": album.title, "albumArtist": album.albumArtist, "songCount": album.trackCount,
                "discCount": album.discCount, "compilation": album.compilation,
            ]
        }
        let tags = manifest.everyFieldTags
        return [
            "trackCount": manifest.expectedTrackCount,
            "tracks": manifest.tracks.map { track in
                [
                    "title": track.title, "artist": track.artist, "album": track.album,
                    "albumArtist": track.albumArtist, "suffix": track.format.fileExtension,
                ]
            },
            "albums": manifest.albums.map(album),
            "multiDisc": album(manifest.multiDisc),
            "everyField": [
                "title": tags.title, "album": tags.album, "albumArtist": tags.albumArtist, "artists": tags.artists,
                "genres": tags.genres, "isrc": [tags.isrc], "bpm": tags.bpm, "comment": tags.comment,
                "composer": tags.composer, "year": tags.year, "track": tags.trackNumber, "disc": tags.discNumber,
                "musicBrainzId": tags.recordingID, "trackGain": tags.trackGain, "trackPeak": tags.trackPeak,
                "albumGain": tags.albumGain, "albumPeak": tags.albumPeak,
            ],
            // What every client here needs: py-sonic and py-opensonic send form POSTs.
            "extensions": [
                "apiKeyAuthentication", "formPost", "songLyrics", "indexBasedQueue", "transcodeOffset",
                "sonicSimilarity",
            ],
        ]
    }

    /// Runs `program` to the end (`timeout` at most) and returns its exit status and output.
    static func run(_ program: URL, _ arguments: [String], timeout: Duration = .seconds(240)) async throws -> (
        Int32, String
    ) {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let process = try ChildProcess(program.path, arguments, environment: environment)
        // clients.py takes about 25 s on an idle 2-core machine; the margin is for a loaded one.
        if await !process.waitForExit(timeout: timeout) {
            process.signal(SIGKILL)
            Issue.record("\(arguments.first ?? program.path) did not finish within \(timeout)")
            process.waitUntilExit()
        }
        return (process.terminationStatus, process.text)
    }
}
