import CantoTestSupport
import Foundation
import Testing

/// The files in `deploy/`: the systemd unit's sandboxing, checked by `systemd-analyze` where it is installed.
@Suite("Deploy files")
struct DeployFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func settings(of unit: String) -> [String: [String]] {
        var settings: [String: [String]] = [:]
        for line in unit.split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            settings[parts[0], default: []].append(parts.count > 1 ? parts[1] : "")
        }
        return settings
    }

    @Test func theSystemdUnitIsSandboxed() async throws {
        let path = Self.root.appendingPathComponent("deploy/systemd/canto.service")
        let unit = try String(contentsOf: path, encoding: .utf8)
        let settings = Self.settings(of: unit)
        let expected: [String: String] = [
            "User": "canto", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
            "ProtectHome": "read-only", "PrivateDevices": "yes", "ProtectKernelTunables": "yes",
            "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes", "CapabilityBoundingSet": "",
            "ExecStart": "/usr/local/bin/canto serve --config /etc/canto/config.toml",
        ]
        for (key, value) in expected {
            #expect(settings[key]?.contains(value) == true, "\(key)=\(value)")
        }
        let writable = try #require(settings["ReadWritePaths"]?.first).split(separator: " ").map(String.init)
        #expect(writable.contains("/var/lib/canto") && writable.contains("/var/cache/canto"))

        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else { return }
        // verify checks that ExecStart exists: the copy runs the binary the tests built instead.
        let scratch = try TemporaryDirectory(prefix: "canto-unit")
        let copy = scratch.appending("canto.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/canto", with: CantoProcess.executable.path)
            .write(to: copy, atomically: true, encoding: .utf8)
        let (status, output) = try ChildProcess.run(analyze, ["verify", copy.path])
        #expect(status == 0, "\(output)")
        #expect(output.isEmpty, "\(output)")
    }

    @Test func theContainerRunsAsAUserWithVolumes() throws {
        let dockerfile = try String(
            contentsOf: Self.root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("FROM debian:12-slim"))
        #expect(dockerfile.firstMatch(of: /FROM swift:\d+\.\d+(\.\d+)?-bookworm AS build/) != nil)
        #expect(dockerfile.contains("USER canto"))
        #expect(dockerfile.contains("VOLUME [\"/data\", \"/music\"]"))
        #expect(dockerfile.contains("EXPOSE 4533"))
        let compose = try String(contentsOf: Self.root.appendingPathComponent("deploy/compose.yaml"), encoding: .utf8)
        #expect(compose.contains("dockerfile: deploy/Dockerfile"))
        #expect(compose.contains(":/music:ro"))
    }
}
