import CantoTestSupport
import Foundation
import Testing

/// `canto doctor`, through the real binary.
@Suite("canto doctor", .serialized)
struct DoctorCommandTests {
    @Test func aGoodSetupPasses() async throws {
        let data = try TemporaryDirectory(prefix: "canto-doctor-good")
        let music = try TemporaryDirectory(prefix: "canto-doctor-music")
        let common = ["--data-dir", data.path, "--music-folder", music.path]
        let environment = ["CANTO_SERVER_WEB_DIR": CantoProcess.webDirectory.path]
        _ = try await CantoProcess.run(
            ["user", "add", "ada", "--role", "admin", "--password-stdin"] + common, input: "ada-password-1\n")
        #expect(try await CantoProcess.run(["backup"] + common).status == 0)

        let doctor = try await CantoProcess.run(["doctor"] + common, environment: environment)
        #expect(doctor.status == 0, "\(doctor.output)")
        for line in [
            "ok    data folder", "ok    music folder", "ok    database", "ok    schema", "ok    secret key",
            "ok    backups", "ok    clock",
        ] {
            #expect(doctor.output.contains(line), "\(line) in \(doctor.output)")
        }
        #expect(doctor.output.firstMatch(of: /ok    ffmpeg\s+avformat \d+\.\d+\.\d+, avcodec \d+\.\d+\.\d+/) != nil)
        #expect(doctor.output.firstMatch(of: /ok    taglib\s+\d+\.\d+(\.\d+)?/) != nil)
        // SQLite's heap count (a process-wide lock on every allocation) is off before any file opens.
        #expect(doctor.output.firstMatch(of: /ok    sqlite\s+3\.\d+\.\d+, heap not counted/) != nil)
        #expect(!doctor.output.contains("fail"))
    }

    @Test func aBadSetupFailsWithTheFix() async throws {
        let scratch = try TemporaryDirectory(prefix: "canto-doctor-bad")
        // The data folder's path is taken by a file, the music folder does not exist, the key is open to all.
        let data = scratch.appending("data")
        try Data("not a folder".utf8).write(to: data)
        let doctor = try await CantoProcess.run(
            ["doctor", "--data-dir", data.path, "--music-folder", scratch.appending("missing").path])
        #expect(doctor.status == 1, "\(doctor.output)")
        #expect(doctor.output.contains("fail  data folder"), "\(doctor.output)")
        #expect(doctor.output.contains("is not a folder"))
        #expect(doctor.output.contains("fail  music folder"))
        #expect(doctor.output.contains("fix: create or mount it, or correct [library] music_folders"))

        let open = try TemporaryDirectory(prefix: "canto-doctor-key")
        let music = try TemporaryDirectory(prefix: "canto-doctor-key-music")
        let key = open.appending("secret.key")
        try Data(repeating: 7, count: 32).write(to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.path)
        let keyDoctor = try await CantoProcess.run(["doctor", "--data-dir", open.path, "--music-folder", music.path])
        #expect(keyDoctor.status == 1, "\(keyDoctor.output)")
        #expect(keyDoctor.output.contains("fail  secret key"))
        #expect(keyDoctor.output.contains("fix: chmod 600"))

        let syntax = scratch.appending("broken.toml")
        try "[server\nport = ".write(to: syntax, atomically: true, encoding: .utf8)
        let broken = try await CantoProcess.run(["doctor", "--config", syntax.path])
        #expect(broken.status == 1)
        #expect(broken.output.contains("fail  configuration"))
    }
}
