import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// `canto scan` as a person runs it: on a terminal, with JSON logs, over a folder it cannot read.
@Suite("canto scan", .serialized)
struct ScanCommandTests {
    @Test func showsAProgressBarOnATerminal() async throws {
        let fixture = try await FixtureLibrary.shared()
        let data = try TemporaryDirectory(prefix: "canto-tty")
        // script(1) gives the command a pseudo-terminal, as an interactive shell would.
        let command = [
            CantoProcess.executable.path, "scan", "--data-dir", data.path, "--music-folder", fixture.root.path,
        ]
        .map { "'\($0)'" }.joined(separator: " ")
        let (status, output) = try ChildProcess.run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("\r["))
        #expect(output.contains("files/s"))
        #expect(output.contains("added \(fixture.expectedTrackCount),"))
    }

    @Test func jsonLogsAreOneObjectALine() async throws {
        let fixture = try await FixtureLibrary.shared()
        let data = try TemporaryDirectory(prefix: "canto-json")
        let result = try await CantoProcess.run(
            ["scan", "--data-dir", data.path, "--music-folder", fixture.root.path],
            environment: ["CANTO_LOG_FORMAT": "json"])
        #expect(result.status == 0)
        let objects = result.output.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let finished = try #require(objects.first { $0["msg"] as? String == "scan finished" })
        #expect(finished["scan.added"] as? String == "\(fixture.expectedTrackCount)")
        #expect(finished["level"] as? String == "info")
        let problems = objects.filter { $0["msg"] as? String == "scan problem" }
        #expect(problems.count == fixture.errorFiles.count)
        #expect(problems.allSatisfy { ($0["scan.path"] as? String)?.isEmpty == false })
    }

    /// Root reads every folder, so the scan runs as `nobody` when the tests run as root (CI).
    @Test func anUnreadableFolderIsReportedAndItsTracksKept() async throws {
        let fixture = try await FixtureLibrary.shared()
        let scratch = try TemporaryDirectory(prefix: "canto-unreadable")
        let music = try fixture.copy(to: scratch.appending("Music"))
        let data = scratch.appending("data")
        let arguments = ["scan", "--data-dir", data.path, "--music-folder", music.root.path]
        let first = try await CantoProcess.run(arguments)
        #expect(first.status == 0)

        let locked = music.url((music.multiDiscTracks[0] as NSString).deletingLastPathComponent)
        let lockedTracks = music.tracks.filter { $0.path.hasPrefix(locked.path.dropFirst(music.root.path.count + 1)) }
        #expect(!lockedTracks.isEmpty)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }

        var launcher: [String] = []
        if geteuid() == 0 {
            // Let nobody reach the copy and own the data folder (the key file must stay private to its owner).
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: scratch.path)
            for url in [data] + (try FileManager.default.contentsOfDirectory(at: data, includingPropertiesForKeys: nil))
            {
                try FileManager.default.setAttributes(
                    [.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: url.path)
            }
            launcher = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        }
        let second = try await CantoProcess.run(arguments, launcher: launcher)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("unreadableFolder: \(locked.path)"))
        #expect(second.output.contains("removed 0,"))
        let counts = try await CatalogRepository(database: try CantoDatabase(dataDirectory: data)).counts()
        #expect(counts.tracks == fixture.expectedTrackCount)
    }
}
