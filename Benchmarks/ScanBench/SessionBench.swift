import AsyncHTTPClient
import CantoCore
import CantoDomain
import CantoServer
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ScrobblerFakes

/// `canto-bench sessions [--rounds 500] [--port 45990]`: the server on loopback, one listener with
/// two web players holding their event streams as browsers do. Timed, each round: a command sent
/// by one (`POST …/commands`) until the other's stream delivers it, and a state report of one
/// (`POST …/state`) until the other's stream shows it.
enum SessionBench {
    static func run(rounds: Int, port: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("canto-bench-sessions-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "bench")
        // Quiet: the server's own lines at the end (its cancelled connections) are not figures.
        logger.logLevel = .critical
        let configuration = try CantoConfiguration.load(
            environment: [:],
            flags: [
                "library.music_folders": directory.path, "data.dir": directory.path, "server.port": String(port),
                "server.host": "127.0.0.1", "scanner.on_start": "false",
            ], workingDirectory: directory.path)
        let services = try await CantoServices(configuration: configuration, logger: logger)
        let user = try await services.accounts.createUser(
            username: "bench", password: "bench-password-1", role: .user, actor: nil, address: nil
        ).user
        let token = try await services.accounts.login(
            username: user.username, password: "bench-password-1", address: nil, client: "bench"
        ).token
        let app = try buildApplication(services: services, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let base = "http://127.0.0.1:\(port)/api/v1/sessions"
            let auth = ["Authorization": "Bearer \(token)"]
            // The server is up when a request answers.
            for _ in 0..<200 {
                if (try? await post("\(base)/none/state", auth, [:])) != nil { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            let living = await EventStreamReader.open("\(base)/events?name=Living", headers: auth)
            let phone = await EventStreamReader.open("\(base)/events?name=Phone", headers: auth)
            guard let livingID = await living.next("session")?.object["id"] as? String,
                await phone.next("session") != nil
            else {
                print("the players did not connect")
                group.cancelAll()
                return
            }
            var commands: [Double] = []
            var states: [Double] = []
            for round in 1...rounds {
                var seen = await living.events.count
                var started = ContinuousClock.now
                _ = try await post(
                    "\(base)/\(livingID)/commands", auth, ["action": "seek", "positionMs": round])
                _ = await living.next("command", after: seen) {
                    ($0.object["command"] as? [String: Any])?["positionMs"] as? Int == round
                }
                commands.append((ContinuousClock.now - started) / .milliseconds(1))
                seen = await phone.events.count
                started = ContinuousClock.now
                _ = try await post("\(base)/\(livingID)/state", auth, ["positionMs": round * 1000, "state": "playing"])
                _ = await phone.next("sessions", after: seen) { event in
                    event.list.contains { $0["id"] as? String == livingID && $0["positionMs"] as? Int == round * 1000 }
                }
                states.append((ContinuousClock.now - started) / .milliseconds(1))
            }
            func report(_ label: String, _ times: [Double]) {
                let sorted = times.sorted()
                func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
                print(
                    String(
                        format: "%@: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (%d rounds)", label, at(0.5),
                        at(0.95), at(0.99), sorted.last ?? 0, sorted.count))
            }
            report("command to the other player", commands)
            report("state to the other player  ", states)
            await living.close()
            await phone.close()
            group.cancelAll()
        }
    }

    static func post(_ url: String, _ headers: [String: String], _ body: [String: Any]) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}
