import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import Foundation
import GRDB
import HTTPTypes
import Testing

@testable import CantoServer

/// Plans through a real server: an admin limits the free plan and defines a paid one; a free
/// listener is refused downloads and share links with a message naming the plan that has them
/// (a Subsonic error; 402 in the native API would be the same message), and their streams are
/// transcoded within the plan's cap while a listener given the plan by hand (the manual provider)
/// streams the original; the grant lasts until its end date, then the free plan is back; every
/// change is in the ledger (append-only: the database refuses to alter a line) and the audit log.
@Suite("Plans and entitlements")
struct PlansTests {
    @Test func theFreePlanIsLimitedAndAGrantedPlanLiftsTheLimits() async throws {
        let clock = ManualClock(Date())
        let server = try await InProcessServer.start(clock: clock)
        let admin = InProcessServer.Caller(user: server.admin, apiKey: "", token: try await server.addAdminSession())
        let ola = try await server.addUser("ola")
        let bo = try await server.addUser("bo")
        let track = try #require(try await server.trackIDs().first)
        try await server.withClient { client in
            let free = try await client.send(
                .put, "/api/v1/admin/plans/free", token: admin.token,
                json: [
                    "name": "Free", "priceMinor": 0, "currency": "EUR", "interval": "none", "trialDays": 0,
                    "entitlements": [
                        "maxBitrate": 128, "originalFiles": false, "downloads": false, "shares": false,
                        "concurrentStreams": 1,
                    ] as [String: Any],
                ])
            #expect(free.status == .ok, "\(free.body)")
            let family = try await client.send(
                .put, "/api/v1/admin/plans/family", token: admin.token,
                json: [
                    "name": "Family", "priceMinor": 300, "currency": "EUR", "interval": "month", "trialDays": 0,
                    "entitlements": ["originalFiles": true, "downloads": true, "shares": true] as [String: Any],
                ])
            #expect(family.status == .ok, "\(family.body)")
            let bad = try await client.send(
                .put, "/api/v1/admin/plans/odd", token: admin.token,
                json: [
                    "name": "Odd", "priceMinor": -5, "currency": "euro", "interval": "month", "trialDays": 0,
                    "entitlements": ["originalFiles": true, "downloads": true, "shares": true] as [String: Any],
                ])
            #expect(bad.status == .badRequest)
            // Listeners cannot define plans.
            let sneaky = try await client.send(
                .put, "/api/v1/admin/plans/free", token: ola.token,
                json: ["name": "Free", "priceMinor": 0, "currency": "EUR", "interval": "none", "trialDays": 0])
            #expect(sneaky.status == .forbidden)

            // A free listener: refused with the plan that would allow it named.
            let download = try await client.subsonic("download", [("id", track.rawValue)], as: ola)
            #expect(download.body.contains("Downloads come with the Family plan"), "\(download.body)")
            let share = try await client.subsonic("createShare", [("id", track.rawValue)], as: ola)
            #expect(share.body.contains("Public share links come with the Family plan"), "\(share.body)")
            let capped = try await client.send(
                .get, "/api/v1/tracks/\(track.rawValue)/stream?format=raw", token: ola.token)
            #expect(capped.status == .ok && capped.headers[.eTag] == nil, "a free stream is a transcode")
            let mine = try await client.send(.get, "/api/v1/me/plan", token: ola.token)
            #expect((mine.json["plan"] as? [String: Any])?["id"] as? String == "free")
            #expect((mine.json["entitlements"] as? [String: Any])?["maxBitrate"] as? Int == 128)

            // The admin gives Ola the Family plan for a month (cash); Bo stays free.
            let until = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(30 * 86_400))
            let badCurrency = try await client.send(
                .put, "/api/v1/admin/users/\(ola.user.id.rawValue)/plan", token: admin.token,
                json: ["planId": "family", "amountMinor": 300, "currency": "euro"])
            #expect(badCurrency.status == .badRequest)
            let granted = try await client.send(
                .put, "/api/v1/admin/users/\(ola.user.id.rawValue)/plan", token: admin.token,
                json: ["planId": "family", "until": until, "note": "cash from Ola", "amountMinor": 300])
            #expect(granted.status == .ok, "\(granted.body)")
            let original = try await client.send(
                .get, "/api/v1/tracks/\(track.rawValue)/stream?format=raw", token: ola.token)
            #expect(original.status == .ok && original.headers[.eTag] != nil, "a Family stream is the original")
            let allowed = try await client.subsonic("createShare", [("id", track.rawValue)], as: ola)
            #expect(allowed.body.contains("\"status\":\"ok\""), "\(allowed.body)")
            let stillFree = try await client.subsonic("download", [("id", track.rawValue)], as: bo)
            #expect(stillFree.body.contains("Family plan"))
            let bos = try await client.send(.get, "/api/v1/me/ledger", token: bo.token)
            #expect((bos.json["items"] as? [[String: Any]])?.isEmpty == true, "\(bos.body)")
            let olas = try await client.send(.get, "/api/v1/me/ledger", token: ola.token)
            #expect((olas.json["items"] as? [[String: Any]])?.count == 1, "\(olas.body)")
            // An admin is never limited.
            let adminShare = try await client.send(
                .get, "/api/v1/tracks/\(track.rawValue)/stream?format=raw", token: admin.token)
            #expect(adminShare.headers[.eTag] != nil)
        }
        // One stream at once on the free plan: one after another is fine; while one plays (its slot
        // held), another track is refused with the plan that allows more; the playing track's own
        // range requests are the same stream.
        let tracks = try await server.trackIDs()
        try await server.withClient { client in
            for id in tracks.prefix(2) {
                let played = try await client.send(.get, "/api/v1/tracks/\(id.rawValue)/stream", token: bo.token)
                #expect(played.status == .ok)
            }
        }
        #expect(await server.services.delivery.slots.take(bo.user.id, tracks[0], limit: 1, seconds: 120))
        try await server.withClient { client in
            let second = try await client.send(.get, "/api/v1/tracks/\(tracks[1].rawValue)/stream", token: bo.token)
            #expect(second.status.code == 402, "\(second.status)")
            #expect(second.body.contains("More than 1 stream at once come with the Family plan"), "\(second.body)")
            let subsonic = try await client.subsonic("stream", [("id", tracks[1].rawValue)], as: bo)
            #expect(subsonic.body.contains("More than 1 stream at once"), "\(subsonic.body)")
            let same = try await client.send(.get, "/api/v1/tracks/\(tracks[0].rawValue)/stream", token: bo.token)
            #expect(same.status == .ok)
        }
        await server.services.delivery.slots.release(bo.user.id, tracks[0])
        try await server.withClient { client in
            let freed = try await client.send(.get, "/api/v1/tracks/\(tracks[1].rawValue)/stream", token: bo.token)
            #expect(freed.status == .ok)
        }
        // A month on, the granted period is over: the free plan is back.
        clock.advance(by: 31 * 86_400)
        let adminLater = InProcessServer.Caller(
            user: server.admin, apiKey: "", token: try await server.addAdminSession())
        try await server.withClient { client in
            let after = try await client.subsonic("download", [("id", track.rawValue)], as: ola)
            #expect(after.body.contains("Family plan"), "\(after.body)")
            // The ledger: the grant with its money, for the admin with totals, for Ola her own.
            let ledger = try await client.send(.get, "/api/v1/admin/ledger", token: adminLater.token)
            let items = ledger.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1 && items.first?["amountMinor"] as? Int == 300, "\(ledger.body)")
            #expect(items.first?["provider"] as? String == "manual" && items.first?["kind"] as? String == "payment")
            let csv = try await client.send(.get, "/api/v1/admin/ledger?format=csv", token: adminLater.token)
            #expect(csv.body.hasPrefix("id,at,user_id,kind,plan_id,amount_minor,currency,provider,reference,note\r\n"))
            #expect(csv.body.contains(",payment,family,300,EUR,manual,,cash from Ola"))
        }
        // Append-only: the database refuses to change or remove a line.
        await #expect(throws: (any Error).self) {
            try await server.services.scanning.database.pool.write { db in
                try db.execute(sql: "UPDATE ledger SET amount_minor = 0")
            }
        }
        await #expect(throws: (any Error).self) {
            try await server.services.scanning.database.pool.write { db in try db.execute(sql: "DELETE FROM ledger") }
        }
        let audit = try await AccountRepository(database: server.services.scanning.database).auditEvents(
            offset: 0, limit: 50)
        #expect(audit.filter { $0.kind == .planChanged }.count >= 3)
    }

    /// API keys, storage for uploads and libraries follow the plan: the free plan opens one library
    /// (the other's tracks cannot be found or streamed, in either API), one API key, 1 KiB of
    /// uploads; a listener given the paid plan has them all; a share of theirs stops when their plan
    /// no longer has share links.
    @Test func apiKeysStorageAndLibrariesFollowThePlan() async throws {
        let server = try await InProcessServer.start()
        let admin = try await server.addAdminSession()
        let ola = try await server.addUser("ola")
        let libraries = try await server.services.catalogs.allLibraries()
        let open = try #require(libraries.first { $0.path == server.open.path }?.id.rawValue)
        let hidden = try await server.withClient { client in
            let found = try await client.send(.get, "/api/v1/search?q=Quiet", token: admin)
            return TrackID((found.json["tracks"] as? [[String: Any]])?.first?["id"] as? String ?? "")
        }
        try await server.withClient { client in
            let free = try await client.send(
                .put, "/api/v1/admin/plans/free", token: admin,
                json: [
                    "name": "Free", "priceMinor": 0, "currency": "EUR", "interval": "none", "trialDays": 0,
                    "entitlements": [
                        "originalFiles": true, "downloads": true, "shares": false, "apiKeys": 1, "storageKB": 1,
                        "libraries": [open],
                    ] as [String: Any],
                ])
            #expect(free.status == .ok, "\(free.body)")
            let unknown = try await client.send(
                .put, "/api/v1/admin/plans/odd", token: admin,
                json: [
                    "name": "Odd", "priceMinor": 0, "currency": "EUR", "interval": "none", "trialDays": 0,
                    "entitlements": [
                        "originalFiles": true, "downloads": true, "shares": true, "libraries": ["nope"],
                    ] as [String: Any],
                ])
            #expect(unknown.status == .badRequest, "\(unknown.body)")
            let premium = try await client.send(
                .put, "/api/v1/admin/plans/premium", token: admin,
                json: [
                    "name": "Premium", "priceMinor": 499, "currency": "EUR", "interval": "month", "trialDays": 0,
                    "entitlements": ["originalFiles": true, "downloads": true, "shares": true] as [String: Any],
                ])
            #expect(premium.status == .ok, "\(premium.body)")

            // Free: one library, in both APIs.
            let found = try await client.send(.get, "/api/v1/search?q=Quiet", token: ola.token)
            #expect((found.json["tracks"] as? [[String: Any]])?.isEmpty == true, "\(found.body)")
            let streamed = try await client.send(.get, "/api/v1/tracks/\(hidden.rawValue)/stream", token: ola.token)
            #expect(streamed.status == .notFound)
            let searched = try await client.subsonic("search3", [("query", "Quiet")], as: ola)
            #expect(!searched.body.contains("Quiet Door"), "\(searched.body)")
            let folders = try await client.subsonic("getMusicFolders", as: ola)
            #expect(
                ((folders.subsonic["musicFolders"] as? [String: Any])?["musicFolder"] as? [[String: Any]])?.count == 1,
                "\(folders.body)")
            let adminSees = try await client.send(.get, "/api/v1/search?q=Quiet", token: admin)
            #expect((adminSees.json["tracks"] as? [[String: Any]])?.isEmpty == false, "an admin is never limited")

            // One API key (Ola holds one), 1 KiB of uploads.
            let key = try await client.send(.post, "/api/v1/me/api-keys", token: ola.token, json: ["name": "phone"])
            #expect(key.status.code == 402, "\(key.body)")
            #expect(key.body.contains("More than 1 API key come with the Premium plan"), "\(key.body)")
            let small = try await client.send(
                .post, "/api/v1/playlists/import?name=Small", token: ola.token,
                body: "#EXTM3U\nOpen Skies/Bright Day.flac\n",
                contentType: "audio/x-mpegurl")
            #expect(small.status == .created, "\(small.body)")
            let big = String(repeating: "#EXTINF:1,padding\nOpen Skies/Bright Day.flac\n", count: 40)
            let refused = try await client.send(
                .post, "/api/v1/playlists/import?name=Big", token: ola.token, body: big, contentType: "audio/x-mpegurl")
            #expect(refused.status.code == 402 && refused.body.contains("KiB of uploads"), "\(refused.body)")
        }
        // Premium, by hand: everything opens.
        _ = try await server.services.plans.grant(PlanID("premium"), to: ola.user.id, until: nil, by: server.admin)
        let shareID = try await server.withClient { client in
            let found = try await client.send(.get, "/api/v1/search?q=Quiet", token: ola.token)
            #expect((found.json["tracks"] as? [[String: Any]])?.isEmpty == false, "\(found.body)")
            let key = try await client.send(.post, "/api/v1/me/api-keys", token: ola.token, json: ["name": "phone"])
            #expect(key.status == .created, "\(key.body)")
            let big = String(repeating: "#EXTINF:1,padding\nOpen Skies/Bright Day.flac\n", count: 40)
            let imported = try await client.send(
                .post, "/api/v1/playlists/import?name=Big", token: ola.token, body: big, contentType: "audio/x-mpegurl")
            #expect(imported.status == .created, "\(imported.body)")
            let shared = try await client.subsonic("createShare", [("id", hidden.rawValue)], as: ola)
            let share = ((shared.subsonic["shares"] as? [String: Any])?["share"] as? [[String: Any]])?.first
            let page = try await client.send(.get, "/share/\(share?["id"] as? String ?? "")")
            #expect(page.status == .ok, "\(page.body)")
            return share?["id"] as? String ?? ""
        }
        // Back to free: the share answers as gone.
        _ = try await server.services.plans.grant(Plan.freeID, to: ola.user.id, until: nil, by: server.admin)
        try await server.withClient { client in
            let page = try await client.send(.get, "/share/\(shareID)")
            #expect(page.status == .notFound)
        }
    }

    /// A payment provider as a plugin would be: checkout and portal pages, and a webhook that
    /// records what happened through the host.
    struct PayTest: PaymentProviderPlugin, RoutedPlugin {
        static let descriptor = PluginDescriptor(
            id: "paytest", name: "Pay test", version: "1", enabledByDefault: true,
            permissions: PluginPermissions(publicRoutes: true, payments: true))
        let grants: any PlanGrants

        init(configuration: PluginConfiguration, context: PluginContext) throws {
            grants = context.planGrants
        }

        func checkout(_ plan: Plan, for user: PaymentCustomer, returnURL: URL) async throws -> URL {
            URL(string: "https://pay.example/checkout?plan=\(plan.id.rawValue)&user=\(user.userID.rawValue)")
                ?? returnURL
        }

        func portal(for user: PaymentCustomer, returnURL: URL) async throws -> URL? {
            try await grants.grant(of: user.userID) == nil ? nil : URL(string: "https://pay.example/portal")
        }

        func handle(_ request: PluginRequest) async throws -> PluginResponse { .json(["error": "none"], status: 404) }

        /// `POST webhook` {id, user, plan, status, days, amount}: the provider's event.
        func handlePublic(_ request: PluginRequest) async throws -> PluginResponse {
            guard let event = request.json, let id = event["id"] as? String, let user = event["user"] as? String,
                let plan = event["plan"] as? String, let status = event["status"] as? String
            else { return .json(["error": "bad event"], status: 400) }
            let end = Date().addingTimeInterval(Double(event["days"] as? Int ?? 30) * 86_400)
            let change: GrantChange =
                status == "ended"
                ? .end
                : .set(
                    PlanGrant(
                        userID: UserID(user), planID: PlanID(plan), provider: "someone else",
                        status: PlanGrant.Status(rawValue: status) ?? .active, periodEnd: end))
            let amount = event["amount"] as? Int ?? 0
            let entry =
                amount == 0
                ? nil
                : LedgerEntry(
                    at: Date(), userID: UserID(user), kind: amount > 0 ? .payment : .refund, planID: PlanID(plan),
                    amountMinor: amount, currency: "EUR", provider: "someone else", reference: id)
            let applied = try await grants.apply(eventID: id, user: UserID(user), grant: change, entry: entry)
            return .json(["applied": applied])
        }
    }

    @Test func aPaymentProviderChecksOutAndItsEventsApplyOnce() async throws {
        let server = try await InProcessServer.start(plugins: [PayTest.self])
        let ola = try await server.addUser("ola")
        _ = try await server.services.plans.save(
            Plan(id: PlanID("family"), name: "Family", priceMinor: 300, interval: .month), by: server.admin)
        let who = ola.user.id.rawValue
        try await server.withClient { client in
            let listed = try await client.send(.get, "/api/v1/plans", token: ola.token)
            #expect(listed.json["providers"] as? [String] == ["paytest"], "\(listed.body)")
            let checkout = try await client.send(
                .post, "/api/v1/me/plan/checkout", token: ola.token, json: ["planId": "family"])
            #expect(checkout.json["url"] as? String == "https://pay.example/checkout?plan=family&user=\(who)")
            let free = try await client.send(
                .post, "/api/v1/me/plan/checkout", token: ola.token, json: ["planId": "free"])
            #expect(free.status == .badRequest)
            let noPortal = try await client.send(.post, "/api/v1/me/plan/portal", token: ola.token, json: [:])
            #expect(noPortal.status == .notFound)

            // Paid: the plan is on, with the plugin as its provider whatever the event said.
            let paid: [String: Any] = ["id": "evt_1", "user": who, "plan": "family", "status": "active", "amount": 300]
            let first = try await client.send(.post, "/plugins/paytest/webhook", json: paid)
            #expect(first.json["applied"] as? Bool == true, "\(first.body)")
            let again = try await client.send(.post, "/plugins/paytest/webhook", json: paid)
            #expect(again.json["applied"] as? Bool == false)
            let mine = try await client.send(.get, "/api/v1/me/plan", token: ola.token)
            #expect((mine.json["plan"] as? [String: Any])?["id"] as? String == "family", "\(mine.body)")
            #expect(mine.json["provider"] as? String == "paytest")
            let ledger = try await client.send(.get, "/api/v1/me/ledger", token: ola.token)
            let lines = ledger.json["items"] as? [[String: Any]] ?? []
            #expect(lines.count == 1 && lines.first?["provider"] as? String == "paytest", "\(ledger.body)")
            let portal = try await client.send(.post, "/api/v1/me/plan/portal", token: ola.token, json: [:])
            #expect(portal.json["url"] as? String == "https://pay.example/portal")

            // An event for a plan not here yet fails whole (nothing kept, not even its mark) and
            // applies when delivered again once the plan exists.
            let gold: [String: Any] = ["id": "evt_2", "user": who, "plan": "gold", "status": "active", "amount": 900]
            let early = try await client.send(.post, "/plugins/paytest/webhook", json: gold)
            #expect(early.status.code >= 400)
        }
        _ = try await server.services.plans.save(
            Plan(id: PlanID("gold"), name: "Gold", priceMinor: 900, interval: .month), by: server.admin)
        try await server.withClient { client in
            let gold: [String: Any] = ["id": "evt_2", "user": who, "plan": "gold", "status": "active", "amount": 900]
            let late = try await client.send(.post, "/plugins/paytest/webhook", json: gold)
            #expect(late.json["applied"] as? Bool == true, "\(late.body)")
            let ended = try await client.send(
                .post, "/plugins/paytest/webhook",
                json: ["id": "evt_3", "user": who, "plan": "gold", "status": "ended"])
            #expect(ended.json["applied"] as? Bool == true)
            let mine = try await client.send(.get, "/api/v1/me/plan", token: ola.token)
            #expect((mine.json["plan"] as? [String: Any])?["id"] as? String == "free", "\(mine.body)")
            let ledger = try await client.send(.get, "/api/v1/me/ledger", token: ola.token)
            #expect((ledger.json["items"] as? [[String: Any]])?.count == 2, "\(ledger.body)")
        }
        // A plugin that has not declared payments may not touch plans.
        let undeclared = HostPlanGrants(
            pluginID: "other", allowed: false, store: PlanRepository(database: server.services.scanning.database),
            audit: AccountRepository(database: server.services.scanning.database), graceDays: 7,
            clock: SystemClock())
        await #expect(throws: PluginPermissionDenied.self) {
            _ = try await undeclared.apply(eventID: "x", user: ola.user.id, grant: .end, entry: nil)
        }
    }
}
