import CantoCore
import CantoDomain
import CantoTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// Smart playlists through the router: every operator on the field kinds it takes, nested groups,
/// sort and limit, rules refused with a message; the tracks follow stars, ratings, plays and a
/// scan without being asked; each listener's libraries bound them; `.nsp` files import and export;
/// Subsonic apps see them read-only.
@Suite("Smart playlists")
struct SmartPlaylistTests {
    /// The titles the rules pick now for `caller`, in order.
    static func picked(
        _ client: InProcessServer.Client, _ rules: [String: Any], as caller: InProcessServer.Caller
    ) async throws -> [String] {
        let answer = try await client.send(
            .post, "/api/v1/smart-playlists/preview", token: caller.token, json: ["rules": rules])
        #expect(answer.status == .ok, "\(rules): \(answer.body)")
        return (answer.json["tracks"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
    }

    @Test func everyOperatorNestingSortAndLimit() async throws {
        let server = try await InProcessServer.start()
        let ola = try await server.addUser("ola")
        try await server.withClient { client in
            let cases: [([String: Any], Set<String>)] = [
                (["all": [["is": ["title": "bright day"]]]], ["Bright Day"]),
                (["all": [["isNot": ["artist": "Alpha Open"]]]], ["Quiet Door", "Low Hall"]),
                (["all": [["contains": ["title": "a"]]]], ["Bright Day", "Low Hall"]),
                (["all": [["notContains": ["album": "Open"]]]], ["Quiet Door", "Low Hall"]),
                (["all": [["startsWith": ["title": "Wi"]]]], ["Wide Field"]),
                (["all": [["endsWith": ["title": "hall"]]]], ["Low Hall"]),
                (["all": [["is": ["genre": "Secret Jazz"]]]], ["Quiet Door", "Low Hall"]),
                (["all": [["isNot": ["genre": "Secret Jazz"]]]], ["Bright Day", "Wide Field"]),
                (["all": [["is": ["year": 2001]]]], ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"]),
                (["all": [["gt": ["year": 2001]]]], []),
                (["all": [["lt": ["tracknumber": 2]]]], ["Bright Day", "Quiet Door"]),
                (
                    ["all": [["inTheRange": ["duration": [1, 3]]]]],
                    ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"]
                ),
                (["all": [["isNot": ["loved": true]]]], ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"]),
                (
                    ["all": [["is": ["filetype": "mp3"]], ["is": ["compilation": false]]]],
                    ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"]
                ),
                (
                    ["all": [["after": ["dateadded": "2000-01-01"]]]],
                    ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"]
                ),
                (["all": [["before": ["dateadded": "2000-01-01"]]]], []),
                (["all": [["inTheRange": ["dateadded": ["1990-01-01", "1999-12-31"]]]]], []),
                (["all": [["inTheLast": ["dateadded": 2]]]], ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"]),
                (
                    ["all": [["notInTheLast": ["lastplayed": 30]]]],
                    ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"]
                ),
                (
                    [
                        "any": [
                            ["is": ["title": "Bright Day"]],
                            ["all": [["contains": ["album": "Hidden"]], ["endsWith": ["title": "Door"]]]],
                        ]
                    ], ["Bright Day", "Quiet Door"]
                ),
                (["any": [] as [Any]], []),
            ]
            for (rules, expected) in cases {
                let titles = try await Self.picked(client, rules, as: ola)
                #expect(Set(titles) == expected && titles.count == expected.count, "\(rules) → \(titles)")
            }
            // Sort and limit.
            let sorted = try await Self.picked(
                client, ["all": [["gt": ["year": 1990]]], "sort": "title", "order": "desc", "limit": 3], as: ola)
            #expect(sorted == ["Wide Field", "Quiet Door", "Low Hall"])
            // Refused, with a message.
            for (rules, words) in [
                (["all": [["is": ["mood": "x"]]]], "unknown field mood"),
                (["all": [["gt": ["title": "x"]]]], "gt does not apply to title"),
                (["all": [["inTheLast": ["dateadded": "soon"]]]], "a number of days"),
                (["all": [["is": ["year": "two"]]]], "takes a number"),
                (["everything": true], "start with"),
                (["all": [["is": ["title": "x"]]], "limit": 0], "limit"),
            ] as [([String: Any], String)] {
                let answer = try await client.send(
                    .post, "/api/v1/smart-playlists/preview", token: ola.token, json: ["rules": rules])
                #expect(answer.status == .badRequest && answer.body.contains(words), "\(rules): \(answer.body)")
            }
        }
    }

    @Test func tracksFollowMarksPlaysAndScansAndStayWithinLibraries() async throws {
        let server = try await InProcessServer.start()
        let ola = try await server.addUser("ola")
        let open = try #require(
            try await server.services.catalogs.allLibraries().first { $0.path == server.open.path }?.id)
        let bo = try await server.addUser("bo", libraries: [open])
        let ids = try await server.withClient { client in
            var ids: [String: String] = [:]
            for title in ["Bright Day", "Wide Field", "Quiet Door", "Low Hall"] {
                let found = try await client.send(
                    .get, "/api/v1/search?q=\(title.replacingOccurrences(of: " ", with: "%20"))", token: ola.token)
                ids[title] = (found.json["tracks"] as? [[String: Any]])?.first?["id"] as? String
            }
            return ids
        }
        #expect(ids.count == 4)
        let loved = try await server.withClient { client in
            let made = try await client.send(
                .post, "/api/v1/smart-playlists", token: ola.token,
                json: ["name": "Loved", "public": true, "rules": ["all": [["is": ["loved": true]]]]])
            #expect(made.status == .created && made.json["smart"] as? Bool == true, "\(made.body)")
            return made.json["id"] as? String ?? ""
        }
        func titles(_ id: String, as caller: InProcessServer.Caller) async throws -> [String] {
            try await server.withClient { client in
                let page = try await client.send(.get, "/api/v1/playlists/\(id)", token: caller.token)
                return (page.json["tracks"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
            }
        }
        #expect(try await titles(loved, as: ola).isEmpty)
        // Stars, ratings and plays: the lists follow without being asked to.
        try await server.withClient { client in
            for title in ["Bright Day", "Quiet Door"] {
                let starred = try await client.send(
                    .put, "/api/v1/me/annotations/\(ids[title] ?? "")", token: ola.token,
                    json: ["kind": "track", "starred": true])
                #expect(starred.status.code < 300, "\(starred.body)")
            }
        }
        #expect(Set(try await titles(loved, as: ola)) == ["Bright Day", "Quiet Door"])
        // Bo sees Ola's public list within the one library he has.
        #expect(try await titles(loved, as: bo) == ["Bright Day"])
        let (rated, played) = try await server.withClient { client in
            let rated = try await client.send(
                .post, "/api/v1/smart-playlists", token: ola.token,
                json: [
                    "name": "Top rated", "rules": ["all": [["gt": ["rating": 3]]], "sort": "rating", "order": "desc"],
                ])
            let played = try await client.send(
                .post, "/api/v1/smart-playlists", token: ola.token,
                json: [
                    "name": "Recent", "rules": ["all": [["gt": ["playcount": 0]], ["inTheLast": ["lastplayed": 7]]]],
                ])
            _ = try await client.send(
                .put, "/api/v1/me/annotations/\(ids["Low Hall"] ?? "")", token: ola.token,
                json: ["kind": "track", "rating": 5])
            let play = try await client.send(
                .post, "/api/v1/me/history", token: ola.token,
                json: ["trackId": ids["Wide Field"] ?? "", "secondsPlayed": 2])
            #expect(play.status.code < 300, "\(play.body)")
            return (rated.json["id"] as? String ?? "", played.json["id"] as? String ?? "")
        }
        #expect(try await titles(rated, as: ola) == ["Low Hall"])
        #expect(try await titles(played, as: ola) == ["Wide Field"])
        // A scan brings a new file in: a list over everything added lately takes it.
        let fresh = try await server.withClient { client in
            let made = try await client.send(
                .post, "/api/v1/smart-playlists", token: ola.token,
                json: ["name": "New", "rules": ["all": [["inTheLast": ["dateadded": 3]]]]])
            return made.json["id"] as? String ?? ""
        }
        #expect(try await titles(fresh, as: ola).count == 4)
        try AudioClip(seconds: 2).encode(
            .mp3, to: server.open.appendingPathComponent("Alpha Open/Open Skies/3 New Morning.mp3"),
            metadata: ["title": "New Morning", "artist": "Alpha Open", "album": "Open Skies", "track": "3"])
        _ = try await server.services.scans.scanNow()
        #expect(try await titles(fresh, as: ola).contains("New Morning"))
        // Its tracks are not edited by hand, in either API.
        try await server.withClient { client in
            let appended = try await client.send(
                .post, "/api/v1/playlists/\(loved)/tracks", token: ola.token,
                json: ["trackIds": [ids["Wide Field"] ?? ""]])
            #expect(appended.status == .conflict, "\(appended.body)")
            let listed = try await client.subsonic("getPlaylists", as: ola)
            let lists = (listed.subsonic["playlists"] as? [String: Any])?["playlist"] as? [[String: Any]] ?? []
            #expect(lists.first { $0["id"] as? String == loved }?["readonly"] as? Bool == true, "\(listed.body)")
            let added = try await client.subsonic(
                "updatePlaylist", [("playlistId", loved), ("songIdToAdd", ids["Wide Field"] ?? "")], as: ola)
            #expect(added.subsonicError == 50, "\(added.body)")
            let entries = try await client.subsonic("getPlaylist", [("id", loved)], as: ola)
            let songs = (entries.subsonic["playlist"] as? [String: Any])?["entry"] as? [[String: Any]] ?? []
            #expect(Set(songs.compactMap { $0["title"] as? String }) == ["Bright Day", "Quiet Door"])
            // Others cannot change the rules.
            let foreign = try await client.send(
                .put, "/api/v1/smart-playlists/\(loved)", token: bo.token, json: ["rules": ["all": [] as [Any]]])
            #expect(foreign.status == .forbidden)
        }
    }

    /// Rules on the measured sound: nothing matches before the analysis has measured the tracks,
    /// every one after; bounds on either side hold.
    @Test func rulesOnTheMeasuredSound() async throws {
        let server = try await InProcessServer.start()
        let ola = try await server.addUser("ola")
        @Sendable func loud() -> [String: Any] {
            ["all": [["gt": ["loudness": -1000]], ["inTheRange": ["tempo": [-1, 100_000]]]]]
        }
        let before = try await server.withClient { client in try await Self.picked(client, loud(), as: ola) }
        #expect(before.isEmpty, "unmeasured tracks match no rule on their sound: \(before)")
        await server.services.sonic.runOnce()
        try await server.withClient { client in
            let after = try await Self.picked(client, loud(), as: ola)
            #expect(after.count == 4, "\(after)")
            let none = try await Self.picked(client, ["all": [["lt": ["brightness": -1]]]], as: ola)
            #expect(none.isEmpty)
            let bright = try await Self.picked(
                client, ["all": [["gt": ["brightness": 0]]], "sort": "brightness"], as: ola)
            #expect(bright.count == 4, "\(bright)")
        }
    }

    @Test func nspFilesImportAndExport() async throws {
        let server = try await InProcessServer.start()
        let ola = try await server.addUser("ola")
        let nsp = """
            {
              "name": "Jazz of 2001",
              "comment": "From Navidrome",
              "all": [
                {"is": {"genre": "Secret Jazz"}},
                {"any": [{"is": {"year": 2001}}, {"inTheRange": {"year": [1990, 1999]}}]}
              ],
              "sort": "title",
              "order": "asc",
              "limit": 100
            }
            """
        try await server.withClient { client in
            let imported = try await client.send(
                .post, "/api/v1/smart-playlists/import", token: ola.token, body: nsp, contentType: "application/json")
            #expect(imported.status == .created, "\(imported.body)")
            #expect(imported.json["name"] as? String == "Jazz of 2001" && imported.json["trackCount"] as? Int == 2)
            let id = imported.json["id"] as? String ?? ""
            let exported = try await client.send(.get, "/api/v1/smart-playlists/\(id)", token: ola.token)
            let original = try #require(try JSONSerialization.jsonObject(with: Data(nsp.utf8)) as? NSDictionary)
            let back = try #require(try JSONSerialization.jsonObject(with: Data(exported.body.utf8)) as? NSDictionary)
            #expect(back == original, "\(exported.body)")
            #expect(exported.headers[.contentDisposition]?.contains("Jazz of 2001.nsp") == true)
            // New rules through PUT: the tracks follow at once.
            let changed = try await client.send(
                .put, "/api/v1/smart-playlists/\(id)", token: ola.token,
                json: ["rules": ["all": [["is": ["title": "Low Hall"]]]]])
            #expect(changed.json["trackCount"] as? Int == 1, "\(changed.body)")
            let notSmart = try await client.send(
                .post, "/api/v1/playlists", token: ola.token, json: ["name": "Plain", "trackIds": [String]()])
            let plain = try await client.send(
                .get, "/api/v1/smart-playlists/\(notSmart.json["id"] as? String ?? "")", token: ola.token)
            #expect(plain.status == .notFound)
        }
    }
}
