import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// `canto serve` and `canto scan` end to end: the real binary, a generated library, loopback HTTP.
@Suite("canto serve and scan", .serialized)
struct ServeTests {
    @Test func serveScansAtStartAnswersProbesAndShutsDownGracefully() async throws {
        let fixture = try await FixtureLibrary.shared()
        let data = try TemporaryDirectory(prefix: "canto-serve")
        let server = try CantoProcess(
            [
                "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data.path, "--music-folder",
                fixture.root.path,
            ],
            environment: ["CANTO_SERVER_WEB_DIR": CantoProcess.webDirectory.path])
        let port = try await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        let base = "http://127.0.0.1:\(port)"

        let health = try await HTTP.get(base + "/healthz")
        #expect(health.status == 200)
        #expect(health.body == "ok")
        let ready = try await HTTP.get(base + "/readyz")
        #expect(ready.status == 200)
        let page = try await HTTP.get(base + "/")
        #expect(page.status == 200)
        #expect(page.body.contains("<title>Canto</title>"))
        let missing = try await HTTP.get(base + "/no-such-page")
        #expect(missing.status == 404)

        // The scan at start-up finishes while the server answers; /metrics shows it.
        let scans = try await waitForMetric("canto_scans_total", atLeast: 1, base: base)
        #expect(scans >= 1)
        let metrics = try await HTTP.get(base + "/metrics")
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(metrics.body.contains("canto_scan_files_total"))
        #expect(metrics.body.contains("hb_requests"))
        #expect(metrics.body.contains("/healthz"))

        let database = try CantoDatabase(dataDirectory: data.url)
        let counts = try await CatalogRepository(database: database).counts()
        #expect(counts.tracks == fixture.expectedTrackCount)

        // SIGHUP asks for another scan.
        server.signal(SIGHUP)
        let second = try await waitForMetric("canto_scans_total", atLeast: scans + 1, base: base)
        #expect(second == scans + 1)

        // Request ids reach the log.
        #expect(server.text.contains("hb.request.id"))

        server.signal(SIGTERM)
        try await server.waitForExit()
        #expect(server.process.terminationStatus == 0)
    }

    @Test func scanCommandPrintsASummaryAndRescansWithoutChanges() async throws {
        let fixture = try await FixtureLibrary.shared()
        let data = try TemporaryDirectory(prefix: "canto-scan")
        let arguments = ["scan", "--data-dir", data.path, "--music-folder", fixture.root.path]
        let first = try await CantoProcess.run(arguments)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("added \(fixture.expectedTrackCount),"))
        #expect(first.output.contains("errors \(fixture.errorFiles.count),"))
        for file in fixture.errorFiles { #expect(first.output.contains(file)) }
        // Not a terminal: plain progress lines, no carriage-return bar.
        #expect(!first.output.contains("\r["))

        let second = try await CantoProcess.run(arguments)
        #expect(second.status == 0)
        #expect(
            second.output.contains("added 0, updated 0, moved 0, removed 0, unchanged \(fixture.expectedTrackCount)"))
    }

    @Test func invalidConfigurationExitsWithCodeTwoNamingTheKey() async throws {
        let data = try TemporaryDirectory(prefix: "canto-badconfig")
        let file = data.appending("canto.toml")
        try "[server]\nport = 99999\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try await CantoProcess.run(["serve", "--config", file.path, "--data-dir", data.path])
        #expect(result.status == 2)
        #expect(result.output.contains("server.port (line 2)"))

        let missingFolder = try await CantoProcess.run(
            ["scan", "--data-dir", data.path, "--music-folder", data.appending("nope").path])
        #expect(missingFolder.status == 2)
        #expect(missingFolder.output.contains("library.music_folders"))

        try "[plugins.local]\nconcurrency = 0\n".write(to: file, atomically: true, encoding: .utf8)
        let badPlugin = try await CantoProcess.run(
            ["scan", "--config", file.path, "--data-dir", data.path, "--music-folder", data.path])
        #expect(badPlugin.status == 2)
        #expect(badPlugin.output.contains("plugins.local.concurrency"))
    }

    @Test func configCheckAndPluginsCommands() async throws {
        let data = try TemporaryDirectory(prefix: "canto-check")
        let check = try await CantoProcess.run(
            ["config", "check", "--data-dir", data.path, "--music-folder", data.path],
            environment: ["CANTO_SERVER_PORT": "8123"])
        #expect(check.status == 0)
        #expect(check.output.contains("port = 8123  # environment"))
        #expect(check.output.contains("music_folders = [\"\(data.path)\"]  # command line"))

        let plugins = try await CantoProcess.run(["plugins", "--data-dir", data.path, "--music-folder", data.path])
        #expect(plugins.status == 0)
        let line = plugins.output.split(separator: "\n").first { $0.hasPrefix("local") }
        #expect(line?.contains("enabled") == true)
        #expect(line?.contains("mediaSource") == true)
        // Listing starts nothing and opens nothing: no database appears.
        #expect(!FileManager.default.fileExists(atPath: data.appending("canto.db").path))

        let disabled = try await CantoProcess.run(
            ["plugins", "--data-dir", data.path, "--music-folder", data.path],
            environment: ["CANTO_PLUGINS_LOCAL_ENABLED": "false"])
        #expect(disabled.output.split(separator: "\n").first { $0.hasPrefix("local") }?.contains("disabled") == true)
    }

    private func waitForMetric(_ name: String, atLeast value: Int, base: String) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        var last = 0
        while ContinuousClock.now < deadline {
            let metrics = try await HTTP.get(base + "/metrics")
            if let line = metrics.body.split(separator: "\n").first(where: { $0.hasPrefix(name + " ") }),
                let number = Double(line.split(separator: " ").last ?? "")
            {
                last = Int(number)
                if last >= value { return last }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(name) stayed at \(last)")
        return last
    }
}
