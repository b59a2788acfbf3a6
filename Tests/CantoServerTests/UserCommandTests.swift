import CantoTestSupport
import Foundation
import Testing

/// `canto user …` and built-in TLS.
@Suite("canto user and TLS", .serialized)
struct UserCommandTests {
    @Test func userCommandsManageAccounts() async throws {
        let data = try TemporaryDirectory(prefix: "canto-users")
        let common = ["--data-dir", data.path, "--music-folder", data.path]
        let added = try await CantoProcess.run(
            ["user", "add", "dora", "--role", "admin", "--password-stdin"] + common, input: "dora-password-1\n")
        #expect(added.status == 0, "\(added.output)")
        let appPassword = try #require(added.output.firstMatch(of: /shown once\): (\S+)/).map { String($0.1) })
        #expect(!appPassword.isEmpty)

        let duplicate = try await CantoProcess.run(
            ["user", "add", "DORA", "--password-stdin"] + common, input: "another-pass-1\n")
        #expect(duplicate.status != 0)
        let weak = try await CantoProcess.run(["user", "add", "eddie", "--password-stdin"] + common, input: "short\n")
        #expect(weak.status != 0)
        #expect(weak.output.contains("8"))
        _ = try await CantoProcess.run(["user", "add", "eddie", "--password-stdin"] + common, input: "eddie-pass-1\n")

        let list = try await CantoProcess.run(["user", "list"] + common)
        #expect(list.output.contains("dora") && list.output.contains("admin"))
        #expect(list.output.contains("eddie") && list.output.contains("user"))

        #expect(try await CantoProcess.run(["user", "set-role", "eddie", "admin"] + common).status == 0)
        #expect(
            try await CantoProcess.run(["user", "list"] + common).output.split(separator: "\n")
                .first { $0.hasPrefix("eddie") }?.contains("admin") == true)
        let passwd = try await CantoProcess.run(
            ["user", "passwd", "eddie", "--password-stdin"] + common, input: "eddie-pass-2\n")
        #expect(passwd.status == 0)
        #expect(try await CantoProcess.run(["user", "delete", "eddie"] + common).status == 0)
        #expect(!(try await CantoProcess.run(["user", "list"] + common).output.contains("eddie")))
        #expect(try await CantoProcess.run(["user", "delete", "nobody"] + common).status != 0)
        // The last admin stays.
        #expect(try await CantoProcess.run(["user", "set-role", "dora", "user"] + common).status != 0)

        // The server signs in the users the command line made, with the passwords given on standard input.
        let server = try await TestServer.start(scan: false, data: data)
        #expect(server.setupToken == nil)
        let dora = try await server.login("dora", "dora-password-1")
        #expect(try await dora.get("/api/v1/me").json["role"] as? String == "admin")
        for output in [added.output, list.output] { #expect(!output.contains("dora-password-1")) }
    }

    @Test func servesHTTPSWithConfiguredCertificate() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-tls")
        let certificate = directory.appending("cert.pem").path
        let key = directory.appending("key.pem").path
        let openssl = try ChildProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                "-subj", "/CN=localhost",
            ])
        #expect(openssl.status == 0, "\(openssl.output)")

        let server = try CantoProcess(
            [
                "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", directory.path, "--music-folder",
                directory.path,
            ],
            environment: ["CANTO_SERVER_TLS_CERTIFICATE": certificate, "CANTO_SERVER_TLS_KEY": key])
        let port = try await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
        let output = try ChildProcess.run(
            "/usr/bin/curl", ["-sk", "-D", "-", "https://127.0.0.1:\(port)/healthz"], errors: .discard
        ).output
        #expect(output.hasPrefix("HTTP/1.1 200"))
        #expect(output.hasSuffix("ok"))

        let missing = try await CantoProcess.run(
            ["config", "check", "--data-dir", directory.path, "--music-folder", directory.path],
            environment: ["CANTO_SERVER_TLS_CERTIFICATE": certificate])
        #expect(missing.status == 2)
        #expect(missing.output.contains("server.tls_key"))
    }
}
