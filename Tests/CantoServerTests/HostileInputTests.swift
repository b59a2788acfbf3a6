import CantoCore
import Foundation
import Hummingbird
import Testing

@testable import CantoServer

/// Values that once crashed the server: times that cannot be stored and read back, numbers that
/// overflow a conversion. Each is refused with a message, and the reads that died before answer.
@Suite("Hostile input")
struct HostileInputTests {
    @Test func timesThatCannotBeReadBackAreRefusedAndHistoryStillReads() async throws {
        let server = try await InProcessServer.start()
        let h = try await AccessMatrixTests.hiddenItems(server)
        let user = try await server.addUser("mallory")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await server.withClient { client in
            // A client that sends milliseconds a thousand times over: the year 58892.
            for time in ["\(now * 1000)", "9223372036854775807", "-5", "abc"] {
                let answer = try await client.subsonic("scrobble", [("id", h.track), ("time", time)], as: user)
                #expect(answer.subsonicError == 0, "time=\(time): \(answer.body)")
                #expect(answer.body.contains("time"))
            }
            let good = try await client.subsonic("scrobble", [("id", h.track), ("time", "\(now)")], as: user)
            #expect(good.subsonicError == nil, "\(good.body)")
            for expires in ["\(now * 1000)", "9223372036854775807"] {
                let created = try await client.subsonic(
                    "createShare", [("id", h.track), ("expires", expires)], as: user)
                #expect(created.subsonicError == 0, "\(created.body)")
            }
            let share = try await client.subsonic("createShare", [("id", h.track)], as: user)
            let id = try #require(
                ((share.subsonic["shares"] as? [String: Any])?["share"] as? [[String: Any]])?.first?["id"] as? String)
            let update = try await client.subsonic(
                "updateShare", [("id", id), ("expires", "9223372036854775807")], as: user)
            #expect(update.subsonicError == 0, "\(update.body)")
            // Everything that read the bad rows before still answers.
            #expect(try await client.subsonic("getShares", as: user).subsonicError == nil)
            #expect(try await client.subsonic("getStarred2", as: user).subsonicError == nil)
            #expect(try await client.send(.get, "/share/\(id)").status == .ok)
            let history = try await client.send(.get, "/api/v1/me/history", token: user.token)
            #expect(history.status == .ok)
            #expect((history.json["items"] as? [Any])?.count == 1)
            let native = try await client.send(
                .post, "/api/v1/me/history", token: user.token,
                json: ["trackId": h.track, "secondsPlayed": 10, "startedAt": "58892-09-06T00:00:00Z"])
            #expect(native.status == .badRequest, "\(native.body)")
        }
    }

    @Test func anOversizedSubsonicFormIsAnsweredInTheEnvelope() async throws {
        let server = try await InProcessServer.start()
        let user = try await server.addUser("mallory")
        let form = "application/x-www-form-urlencoded"
        try await server.withClient { client in
            let big = try await client.send(
                .post, "/rest/ping?v=1.16.1&c=tests&f=json&apiKey=\(user.apiKey)",
                body: "comment=" + String(repeating: "a", count: 100_000), contentType: form)
            #expect(big.status == .ok)
            #expect(big.subsonicError == 0, "\(big.body)")
            #expect(big.body.contains("64 KiB"))
            // The same call with a form under the limit is read (its credentials in the form).
            let small = try await client.send(
                .post, "/rest/ping?v=1.16.1&c=tests&f=json", body: "apiKey=\(user.apiKey)", contentType: form)
            #expect(small.status == .ok)
            #expect(small.subsonicError == nil, "\(small.body)")
        }
    }

    @Test func hugeNumbersAreRefusedNotTrapped() async throws {
        let server = try await InProcessServer.start()
        let h = try await AccessMatrixTests.hiddenItems(server)
        let user = try await server.addUser("mallory")
        let huge = "999999999999999999999999999999"
        try await server.withClient { client in
            let cases: [(String, [(String, String)])] = [
                ("stream", [("id", h.track), ("timeOffset", huge)]),
                ("stream", [("id", h.track), ("timeOffset", "1e300")]),
                ("stream", [("id", h.track), ("timeOffset", "nan")]),
                ("stream", [("id", h.track), ("maxBitRate", "9223372036854775807")]),
                ("createBookmark", [("id", h.track), ("position", "9223372036854775807")]),
                ("savePlayQueue", [("id", h.track), ("position", "9223372036854775807")]),
                ("getCoverArt", [("id", h.album), ("size", "9223372036854775807")]),
                ("getAlbumList2", [("type", "newest"), ("offset", huge)]),
            ]
            for (method, parameters) in cases {
                let answer = try await client.subsonic(method, parameters, as: user)
                #expect(answer.status == .ok, "\(method)")
                #expect(answer.subsonicError == 0, "\(method) \(parameters): \(answer.body.prefix(200))")
            }
            for query in ["offset=\(huge)", "offset=1e300", "offset=inf", "bitrate=\(huge)", "offset=-1"] {
                let answer = try await client.send(.get, "/api/v1/tracks/\(h.track)/stream?\(query)", token: user.token)
                #expect(answer.status == .badRequest, "\(query): \(answer.status)")
            }
            for query in ["size=\(huge)", "size=9223372036854775807"] {
                let answer = try await client.send(.get, "/api/v1/covers/\(h.album)?\(query)", token: user.token)
                #expect(answer.status == .badRequest, "\(query): \(answer.status)")
            }
            let albums = try await client.send(.get, "/api/v1/albums?offset=\(huge)", token: user.token)
            #expect(albums.status == .badRequest)
            // The server still serves: a seek within range works.
            let seek = try await client.subsonic("stream", [("id", h.track), ("timeOffset", "1")], as: user)
            #expect(seek.status == .ok)
            #expect(seek.headers[.contentType]?.hasPrefix("audio/") == true, "\(seek.body.prefix(200))")
        }
    }
}

extension HostileInputTests {
    /// One rule for display names: an admin cannot store one the user's own profile refuses.
    @Test func anAdminCannotSetAnEmptyDisplayName() async throws {
        let server = try await InProcessServer.start()
        let user = try await server.addUser("nina")
        let admin = try await server.addAdminSession()
        try await server.withClient { client in
            for name in ["", "   ", String(repeating: "x", count: 101)] {
                let own = try await client.send(.patch, "/api/v1/me", token: user.token, json: ["displayName": name])
                #expect(own.status == .badRequest)
                let edit = try await client.send(
                    .patch, "/api/v1/admin/users/\(user.user.id.rawValue)", token: admin, json: ["displayName": name])
                #expect(edit.status == .badRequest, "\(edit.body)")
            }
            let fine = try await client.send(
                .patch, "/api/v1/admin/users/\(user.user.id.rawValue)", token: admin, json: ["displayName": "Nina"])
            #expect(fine.status == .ok)
        }
    }
}
