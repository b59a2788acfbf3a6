import CantoCore
import Foundation
import HTTPTypes
import Testing

/// Sign-in throttling on the server's clock: the wait is read from a `ManualClock` moved by the
/// test, so a slow bcrypt can never let the wait run out between two requests.
@Suite("Sign-in throttle")
struct SignInThrottleTests {
    @Test func throttlingKicksInAndReleases() async throws {
        let clock = ManualClock()
        let server = try await InProcessServer.start(clock: clock)
        try await server.withClient { client in
            func login(_ password: String) async throws -> InProcessServer.Answer {
                try await client.send(
                    .post, "/api/v1/auth/login", json: ["username": "admin", "password": password])
            }
            for _ in 0..<3 { #expect(try await login("wrong-password").status == .unauthorized) }
            // The fourth attempt after three failures waits, the right password included.
            let blocked = try await login("admin-password-1")
            #expect(blocked.status == .tooManyRequests)
            #expect(
                (blocked.json["error"] as? [String: Any])?["code"] as? String == "too_many_attempts", "\(blocked.body)")
            let wait = try #require(blocked.headers[.retryAfter].flatMap(Int.init))
            #expect(wait >= 1)
            #expect(blocked.body.lowercased().contains("try again in \(wait) second"), "\(blocked.body)")
            // Not yet: one second short of the wait.
            clock.advance(by: TimeInterval(wait - 1))
            #expect(try await login("admin-password-1").status == .tooManyRequests)
            clock.advance(by: 1)
            #expect(try await login("admin-password-1").status == .ok)
            // Success reset the count: one more failure is a plain 401 again.
            #expect(try await login("wrong-password").status == .unauthorized)
        }
    }
}
