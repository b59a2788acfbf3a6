import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import HTTPTypes
import ScrobblerFakes
import Testing

@testable import CantoServer

/// Stripe through a real server on loopback and the stateful fake Stripe: checkout on the hosted
/// page, webhooks signed and delivered to the server's public route, processed after the answer;
/// the whole life of a subscription (paid, renewed, failed and in grace, back to free, cancelled at
/// period end, refunded), deliveries doubled, reversed, late and signed while a secret rolls, each
/// leaving the same state; signatures that fail change nothing.
@Suite("Stripe payments", .serialized)
struct StripeTests {
    static let premium = Plan(
        id: PlanID("premium"), name: "Premium", priceMinor: 499, currency: "EUR", interval: .month)
    static let free = Plan(
        id: Plan.freeID, name: "Free",
        entitlements: Entitlements(
            maxBitrate: 128, originalFiles: false, downloads: false, shares: false, concurrentStreams: 1))

    /// A server with Stripe set up against the fake, and its two plans.
    static func start(
        _ fake: FakeStripe, base: String, clock: ManualClock, extra: [String: String] = [:]
    ) async throws -> InProcessServer {
        let server = try await InProcessServer.start(
            environment: [
                "CANTO_PLUGINS_STRIPE_ENABLED": "true", "CANTO_PLUGINS_STRIPE_SECRET_KEY": FakeStripe.secretKey,
                "CANTO_PLUGINS_STRIPE_WEBHOOK_SECRET": await fake.signingSecret, "CANTO_PLUGINS_STRIPE_API_URL": base,
            ].merging(extra) { _, new in new }.filter { !$0.value.isEmpty }, clock: clock)
        _ = try await server.services.plans.save(free, by: server.admin)
        _ = try await server.services.plans.save(premium, by: server.admin)
        return server
    }

    /// Waits (up to 20 s) for `condition`; records an issue when it never holds.
    static func waitUntil(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting until \(what)")
    }

    /// Waits until every delivery is answered and the plugin's inbox is empty (all processed).
    static func settle(_ fake: FakeStripe, _ services: CantoServices) async throws {
        await fake.settled()
        try await waitUntil("the inbox is empty") {
            try await services.scanning.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM stripe_inbox") ?? 1
            } == 0
        }
    }

    /// Both clocks move together: the server's and the fake's.
    static func advance(_ fake: FakeStripe, _ clock: ManualClock, by seconds: TimeInterval) async {
        clock.advance(by: seconds)
        await fake.advance(by: seconds)
    }

    static func plan(_ services: CantoServices, _ user: User) async throws -> (PlanID, PlanGrant?) {
        let (plan, grant) = try await services.plans.current(of: user)
        return (plan.id, try await PlanRepository(database: services.scanning.database).grant(of: user.id) ?? grant)
    }

    static func ledger(_ services: CantoServices, _ user: User) async throws -> [LedgerEntry] {
        try await services.plans.ledger(for: user, everyone: false)
    }

    @Test func theWholeLifeOfASubscription() async throws {
        let clock = ManualClock(Date())
        try await FakeStripe.run(now: clock.now) { fake, base in
            let server = try await Self.start(fake, base: base, clock: clock)
            let services = server.services
            let ola = try await server.addUser("ola")
            let track = try #require(try await server.trackIDs().first)
            try await server.withLiveClient { client, port in
                await fake.setEndpoint("http://127.0.0.1:\(port)/plugins/stripe/webhook")
                let capped = try await client.send(
                    .get, "/api/v1/tracks/\(track.rawValue)/stream?format=raw", token: ola.token)
                #expect(capped.status == .ok && capped.headers[.eTag] == nil, "a free stream is a transcode")

                // Checkout: the hosted page, asked for with an idempotency key and the pinned version.
                let checkout = try await client.send(
                    .post, "/api/v1/me/plan/checkout", token: ola.token, json: ["planId": "premium"])
                let url = try #require(checkout.json["url"] as? String, "\(checkout.body)")
                #expect(url.hasPrefix(base + "/c/pay/cs_test_"), "\(url)")
                #expect(await fake.versionsSeen.last == "2026-03-25.dahlia")
                #expect(await fake.idempotencyKeys.last.flatMap { $0 } != nil)
                let session = String(url.split(separator: "/").last ?? "")

                // Coming back to the success page grants nothing while the session is unpaid.
                let early = try await client.send(
                    .post, "/api/v1/plugins/stripe/return", token: ola.token, json: ["sessionId": session])
                #expect(early.json["confirmed"] as? Bool == false, "\(early.body)")
                #expect(try await Self.plan(services, ola.user).0 == Plan.freeID)

                // A declined card leaves the session open; a good one pays.
                #expect(await fake.pay(session: session, card: "4000 0000 0000 0002") == "Your card was declined.")
                #expect(await fake.pay(session: session) == nil)
                try await Self.settle(fake, services)
                let (paid, grant) = try await Self.plan(services, ola.user)
                #expect(paid == PlanID("premium"))
                #expect(grant?.status == .active && grant?.provider == "stripe")
                let subscription = try #require(await fake.subscription(ofUser: ola.user.id.rawValue))
                #expect(grant?.reference == subscription)
                let original = try await client.send(
                    .get, "/api/v1/tracks/\(track.rawValue)/stream?format=raw", token: ola.token)
                #expect(original.headers[.eTag] != nil, "a Premium stream is the original")
                #expect(original.headers[.cacheControl] == "private, no-cache", "never replayed to another sign-in")
                let shared = try await client.subsonic("createShare", [("id", track.rawValue)], as: ola)
                #expect(shared.subsonicError == nil, "\(shared.body)")
                let payments = try await Self.ledger(services, ola.user).filter { $0.kind == .payment }
                #expect(payments.count == 1 && payments.first?.amountMinor == 499 && payments.first?.currency == "EUR")
                #expect(payments.first?.reference?.hasPrefix("in_test_") == true)
                // The portal is Stripe's page for this customer.
                let portal = try await client.send(.post, "/api/v1/me/plan/portal", token: ola.token, json: [:])
                #expect((portal.json["url"] as? String)?.hasPrefix(base + "/p/session/bps_test_") == true)

                // Renewed a month on: a second payment, the period moved.
                let firstEnd = try #require(grant?.periodEnd)
                await Self.advance(fake, clock, by: firstEnd.timeIntervalSince(clock.now) + 3_600)
                try await Self.settle(fake, services)
                let renewed = try await Self.plan(services, ola.user)
                #expect(renewed.0 == PlanID("premium") && (renewed.1?.periodEnd ?? .distantPast) > clock.now)
                #expect(try await Self.ledger(services, ola.user).filter { $0.kind == .payment }.count == 2)

                // The card fails at the next renewal: past due, the plan kept through the grace days,
                // then free while Stripe still retries; Stripe gives up and the grant ends.
                await fake.setCardFails(subscription: subscription, true)
                let secondEnd = try #require(renewed.1?.periodEnd)
                await Self.advance(fake, clock, by: secondEnd.timeIntervalSince(clock.now) + 3_600)
                try await Self.settle(fake, services)
                let failing = try await Self.plan(services, ola.user)
                #expect(
                    failing.0 == PlanID("premium") && failing.1?.status == .pastDue, "\(String(describing: failing.1))")
                let grace = try #require(failing.1?.graceUntil)
                #expect(abs(grace.timeIntervalSince(secondEnd) - 7 * 86_400) < 2, "seven days from the period's end")
                await Self.advance(fake, clock, by: 4 * 86_400)
                try await Self.settle(fake, services)
                #expect(try await Self.plan(services, ola.user).0 == PlanID("premium"), "still in grace")
                await Self.advance(fake, clock, by: 4 * 86_400)
                try await Self.settle(fake, services)
                let lapsed = try await Self.plan(services, ola.user)
                #expect(lapsed.0 == Plan.freeID && lapsed.1?.status == .pastDue, "grace over, Stripe still retrying")
                await Self.advance(fake, clock, by: 2 * 86_400)
                try await Self.settle(fake, services)
                #expect(await fake.status(ofSubscription: subscription) == "canceled")
                #expect(try await Self.plan(services, ola.user).1 == nil, "the grant ended with the subscription")

                // A new subscription, cancelled in the portal: kept until its paid period ends.
                let again = try await client.send(
                    .post, "/api/v1/me/plan/checkout",
                    token: try await services.accounts.login(
                        username: "ola", password: "user-password-1", address: nil, client: "tests"
                    ).token,
                    json: ["planId": "premium"])
                let second = String((again.json["url"] as? String ?? "").split(separator: "/").last ?? "")
                #expect(await fake.pay(session: second) == nil)
                try await Self.settle(fake, services)
                let newer = try #require(await fake.subscription(ofUser: ola.user.id.rawValue))
                #expect(newer != subscription)
                await fake.cancelAtPeriodEnd(subscription: newer)
                try await Self.settle(fake, services)
                let cancelled = try await Self.plan(services, ola.user)
                #expect(cancelled.0 == PlanID("premium") && cancelled.1?.status == .canceled)
                // A refund of its payment joins the ledger, negative.
                #expect(await fake.refundLatest(subscription: newer, amount: 200) != nil)
                try await Self.settle(fake, services)
                let refunds = try await Self.ledger(services, ola.user).filter { $0.kind == .refund }
                #expect(refunds.count == 1 && refunds.first?.amountMinor == -200, "\(refunds)")
                let end = try #require(cancelled.1?.periodEnd)
                await Self.advance(fake, clock, by: end.timeIntervalSince(clock.now) + 60)
                try await Self.settle(fake, services)
                #expect(try await Self.plan(services, ola.user) == (Plan.freeID, nil))
            }
            // Every change is in the audit log, and nothing was left in the inbox.
            let audit = try await AccountRepository(database: services.scanning.database).auditEvents(
                offset: 0, limit: 200)
            #expect(audit.filter { $0.kind == .planChanged && ($0.subject ?? "").hasPrefix("stripe event") }.count >= 6)
        }
    }

    /// How the fake hands over the story's events.
    enum Delivery: String, CaseIterable {
        case inOrder, twice, reversed, late, dropped, rollingSecret
    }

    /// What the story leaves: the grant, and the money in the ledger (payments and refunds; the
    /// plan-change lines record what the server saw in the order it saw it).
    struct Outcome: Equatable, CustomStringConvertible {
        var plan: PlanID
        var grant: PlanGrant?
        var money: [String]
        var description: String { "\(plan.rawValue) \(String(describing: grant)) \(money)" }
    }

    /// One listener's story — paid, renewed, cancelled at period end, partly refunded — with the
    /// events delivered as `delivery` says.
    static func story(_ delivery: Delivery, start: Date) async throws -> Outcome {
        let clock = ManualClock(start)
        return try await FakeStripe.run(now: start) { fake, base in
            var extra: [String: String] = [:]
            if delivery == .rollingSecret {
                // The secret is set on the admin page (so the admin can roll it without a restart of the server).
                extra["CANTO_PLUGINS_STRIPE_WEBHOOK_SECRET"] = ""
            }
            let server = try await Self.start(fake, base: base, clock: clock, extra: extra)
            let services = server.services
            let ola = try await server.addUser("ola")
            let adminToken = try await server.addAdminSession()
            return try await server.withLiveClient { client, port in
                await fake.setEndpoint("http://127.0.0.1:\(port)/plugins/stripe/webhook")
                if delivery == .rollingSecret {
                    let set = try await client.send(
                        .put, "/api/v1/admin/plugins/stripe", token: adminToken,
                        json: ["values": ["webhook_secret": await fake.signingSecret]])
                    #expect(set.status == .ok, "\(set.body)")
                    // Stripe rolls the secret: both signatures are sent for a while; the server knows the old.
                    await fake.rollSecret()
                }
                if [.reversed, .late].contains(delivery) { await fake.setHold(true) }
                if delivery == .twice { await fake.setDuplicate(true) }
                if delivery == .dropped { await fake.dropDeliveries(3) }
                let checkout = try await client.send(
                    .post, "/api/v1/me/plan/checkout", token: ola.token, json: ["planId": "premium"])
                let session = String((checkout.json["url"] as? String ?? "").split(separator: "/").last ?? "")
                #expect(await fake.pay(session: session) == nil)
                let firstBatch = await fake.pendingEvents
                let subscription = try #require(await fake.subscription(ofUser: ola.user.id.rawValue))
                if delivery == .rollingSecret {
                    try await Self.settle(fake, services)
                    // The old secret retired at Stripe: deliveries fail until the admin enters the new one.
                    await fake.retireOldSecrets()
                    await fake.setHold(true)
                }
                // A month on: renewed.
                await Self.advance(fake, clock, by: 31 * 86_400 + 3_600)
                await fake.cancelAtPeriodEnd(subscription: subscription)
                _ = await fake.refundLatest(subscription: subscription, amount: 100)
                switch delivery {
                case .reversed:
                    await fake.releaseReversed()
                case .late:
                    // The first checkout's events arrive last.
                    let all = await fake.pendingEvents
                    await fake.release(order: all.filter { !firstBatch.contains($0) } + firstBatch)
                case .rollingSecret:
                    let pending = await fake.pendingEvents
                    let refused = await fake.deliver(eventID: try #require(pending.first))
                    #expect(refused == 400, "the server does not know the new secret yet")
                    let later = try await services.accounts.login(
                        username: "admin", password: "admin-password-1", address: nil, client: "tests")
                    let set = try await client.send(
                        .put, "/api/v1/admin/plugins/stripe", token: later.token,
                        json: ["values": ["webhook_secret": await fake.signingSecret]])
                    #expect(set.status == .ok, "\(set.body)")
                    await fake.release()
                default:
                    break
                }
                await fake.setHold(false)
                try await Self.settle(fake, services)
                let refused = await fake.deliveries.filter { $0.status != 200 }
                #expect(refused.count == (delivery == .dropped ? 3 : 0), "\(refused)")
                if delivery == .twice {
                    #expect(Set(await fake.deliveries.map(\.eventID)).count * 2 == (await fake.deliveries.count))
                }
                let (plan, grant) = try await Self.plan(services, ola.user)
                let money = try await Self.ledger(services, ola.user).filter { $0.kind != .planChange }
                    .map { "\($0.kind.rawValue) \($0.amountMinor) \($0.currency) \($0.planID?.rawValue ?? "-")" }
                    .sorted()
                // The listener and the subscription are new in each run; the rest must match.
                let kept = grant.map {
                    var kept = $0
                    kept.reference = nil
                    kept.userID = UserID("")
                    return kept
                }
                return Outcome(plan: plan, grant: kept, money: money)
            }
        }
    }

    @Test func eventsTwiceShuffledLateDroppedOrUnderARollingSecretLeaveTheSameState() async throws {
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let expected = try await Self.story(.inOrder, start: start)
        #expect(expected.plan == PlanID("premium") && expected.grant?.status == .canceled, "\(expected)")
        #expect(expected.money == ["payment 499 EUR premium", "payment 499 EUR premium", "refund -100 EUR premium"])
        for delivery in Delivery.allCases.dropFirst() {
            let outcome = try await Self.story(delivery, start: start)
            #expect(outcome == expected, "\(delivery): \(outcome)")
        }
    }

    @Test func signaturesThatFailChangeNothing() async throws {
        let clock = ManualClock(Date())
        try await FakeStripe.run(now: clock.now) { fake, base in
            let server = try await Self.start(fake, base: base, clock: clock)
            let services = server.services
            let ola = try await server.addUser("ola")
            try await server.withLiveClient { client, port in
                await fake.setEndpoint("http://127.0.0.1:\(port)/plugins/stripe/webhook")
                let checkout = try await client.send(
                    .post, "/api/v1/me/plan/checkout", token: ola.token, json: ["planId": "premium"])
                let session = String((checkout.json["url"] as? String ?? "").split(separator: "/").last ?? "")
                await fake.setHold(true)
                #expect(await fake.pay(session: session) == nil)
                let events = await fake.pendingEvents
                #expect(events.count >= 3)
                for event in events {
                    #expect(
                        await fake.deliver(eventID: event, signedAt: Date().addingTimeInterval(-301)) == 400, "a replay"
                    )
                    #expect(await fake.deliver(eventID: event, signedAt: Date().addingTimeInterval(400)) == 400)
                    #expect(await fake.deliver(eventID: event, tamper: true) == 400, "a changed body")
                    #expect(await fake.deliver(eventID: event, secret: "whsec_not_the_one") == 400, "a wrong secret")
                    #expect(await fake.deliver(eventID: event, unsigned: true) == 400, "no signature")
                }
                // Signed but not an event, or an event of a kind not handled: refused or acknowledged; nothing changes.
                #expect(await fake.postSigned(Data("{not json".utf8)) == 400)
                #expect(
                    await fake.postSigned(Data(#"{"id":"evt_x","object":"event","type":"invoice.paid"}"#.utf8)) == 400)
                let other = Data(
                    #"{"id":"evt_other","object":"event","type":"customer.tax_id.created","data":{"object":{}}}"#.utf8)
                #expect(await fake.postSigned(other) == 200)
                let wrongRoute = try await client.send(.get, "/plugins/stripe/webhook")
                #expect(wrongRoute.status == .notFound)
                #expect(try await Self.plan(services, ola.user) == (Plan.freeID, nil))
                #expect(try await Self.ledger(services, ola.user).isEmpty)
                let inbox = try await services.scanning.database.pool.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM stripe_inbox") ?? -1
                }
                #expect(inbox == 0)
                // The genuine deliveries then apply.
                await fake.setHold(false)
                await fake.release()
                try await Self.settle(fake, services)
                #expect(try await Self.plan(services, ola.user).0 == PlanID("premium"))
            }
        }
    }

    @Test func anAdminGrantsExtendsAndRevokesByHand() async throws {
        let server = try await InProcessServer.start(environment: [
            "CANTO_PLUGINS_MANUAL_ENABLED": "true", "CANTO_PLUGINS_MANUAL_INSTRUCTIONS": "Cash to Anna: 4.99 a month.",
        ])
        _ = try await server.services.plans.save(Self.free, by: server.admin)
        _ = try await server.services.plans.save(Self.premium, by: server.admin)
        let ola = try await server.addUser("ola")
        let bo = try await server.addUser("bo")
        let admin = try await server.addAdminSession()
        let services = server.services
        let who = ola.user.id.rawValue
        try await server.withClient { client in
            // Ola asks: the request waits for an admin, with the household's instructions.
            let asked = try await client.send(
                .post, "/api/v1/me/plan/checkout", token: ola.token, json: ["planId": "premium", "provider": "manual"])
            #expect((asked.json["url"] as? String)?.hasSuffix("plan=back&manual=requested") == true, "\(asked.body)")
            let instructions = try await client.send(.get, "/api/v1/plugins/manual/instructions", token: ola.token)
            #expect(instructions.json["instructions"] as? String == "Cash to Anna: 4.99 a month.")
            #expect(instructions.json["requested"] as? String == "premium")
            let requests = try await client.send(.get, "/api/v1/plugins/manual/requests", token: admin)
            #expect((requests.json["items"] as? [[String: Any]])?.first?["username"] as? String == "ola")
            // Only admins grant.
            let sneaky = try await client.send(
                .post, "/api/v1/plugins/manual/grant", token: bo.token,
                json: ["userId": bo.user.id.rawValue, "planId": "premium", "days": 30])
            #expect(sneaky.status == .forbidden)
            let bad = try await client.send(
                .post, "/api/v1/plugins/manual/grant", token: admin,
                json: ["userId": who, "planId": "gold", "days": 30])
            #expect(bad.status == .badRequest)
            let granted = try await client.send(
                .post, "/api/v1/plugins/manual/grant", token: admin,
                json: ["userId": who, "planId": "premium", "days": 30, "amountMinor": 499, "note": "cash"])
            #expect(granted.json["planId"] as? String == "premium", "\(granted.body)")
            let after = try await client.send(.get, "/api/v1/plugins/manual/requests", token: admin)
            #expect((after.json["items"] as? [[String: Any]])?.isEmpty == true, "the request is answered")
        }
        let first = try #require(try await Self.plan(services, ola.user).1)
        #expect(first.planID == PlanID("premium") && first.provider == "manual")
        try await server.withClient { client in
            let extended = try await client.send(
                .post, "/api/v1/plugins/manual/extend", token: admin, json: ["userId": who, "days": 30])
            #expect(extended.status == .ok, "\(extended.body)")
            let none = try await client.send(
                .post, "/api/v1/plugins/manual/extend", token: admin, json: ["userId": bo.user.id.rawValue, "days": 30])
            #expect(none.status == .conflict)
        }
        let longer = try #require(try await Self.plan(services, ola.user).1)
        #expect(
            abs((longer.periodEnd ?? .distantPast).timeIntervalSince(first.periodEnd ?? .distantFuture) - 30 * 86_400)
                < 2)
        try await server.withClient { client in
            let revoked = try await client.send(
                .post, "/api/v1/plugins/manual/revoke", token: admin, json: ["userId": who, "note": "moved out"])
            #expect(revoked.json["planId"] as? String == "free", "\(revoked.body)")
        }
        #expect(try await Self.plan(services, ola.user) == (Plan.freeID, nil))
        let ledger = try await Self.ledger(services, ola.user)
        #expect(ledger.map(\.kind) == [.planChange, .planChange, .payment], "newest first: \(ledger)")
        #expect(
            ledger.last?.amountMinor == 499 && ledger.last?.note == "by admin: cash"
                && ledger.last?.provider == "manual")
    }

    /// The binary killed (SIGKILL) at random moments while it takes and processes deliveries, four
    /// times; Stripe delivers everything again each time; at the end every listener's grant and the
    /// ledger are what Stripe's state says, each payment and refund once, the database intact.
    @Test func killedMidWebhookTheRedeliveriesConverge() async throws {
        try await FakeStripe.run { fake, base in
            let data = try TemporaryDirectory(prefix: "canto-stripe-kill")
            let environment = [
                "CANTO_PLUGINS_STRIPE_ENABLED": "true", "CANTO_PLUGINS_STRIPE_SECRET_KEY": FakeStripe.secretKey,
                "CANTO_PLUGINS_STRIPE_WEBHOOK_SECRET": await fake.signingSecret, "CANTO_PLUGINS_STRIPE_API_URL": base,
            ]
            var server = try await TestServer.start(environment: environment, scan: false, data: data)
            let admin = try await server.setUpAdmin()
            let plan = try await admin.json(
                "PUT", "/api/v1/admin/plans/premium",
                [
                    "name": "Premium", "priceMinor": 499, "currency": "EUR", "interval": "month", "trialDays": 0,
                    "entitlements": ["originalFiles": true, "downloads": true, "shares": true] as [String: Any],
                ])
            #expect(plan.status == 200, "\(plan.body)")
            var subscriptions: [String: String] = [:]
            await fake.setHold(true)
            for name in ["ola", "bo", "kim"] {
                let listener = try await server.addUser(name, as: admin)
                let checkout = try await listener.json("POST", "/api/v1/me/plan/checkout", ["planId": "premium"])
                let session = String((checkout.json["url"] as? String ?? "").split(separator: "/").last ?? "")
                #expect(await fake.pay(session: session) == nil, "\(checkout.body)")
                subscriptions[name] = try #require(await fake.subscription(ofUser: listener.userID))
            }
            // Bo's card fails at the renewal; Kim cancels at period end; Ola is partly refunded.
            await fake.setCardFails(subscription: subscriptions["bo"] ?? "", true)
            await fake.cancelAtPeriodEnd(subscription: subscriptions["kim"] ?? "")
            await fake.advance(by: 31 * 86_400 + 3_600)
            #expect(await fake.refundLatest(subscription: subscriptions["ola"] ?? "", amount: 150) != nil)
            let events = await fake.events.count
            #expect(events >= 15, "\(events) events")

            for _ in 0..<4 {
                await fake.setEndpoint(server.url("/plugins/stripe/webhook"))
                let process = server.process
                async let delivered = fake.redeliverAll()
                try await Task.sleep(for: .milliseconds(Int.random(in: 2...40)))
                process.signal(SIGKILL)
                _ = await delivered
                try await process.waitForExit()
                server = try await TestServer.start(environment: environment, scan: false, data: data)
            }
            await fake.setEndpoint(server.url("/plugins/stripe/webhook"))
            var taken = false
            for _ in 0..<5 where !taken { taken = await fake.redeliverAll() }
            #expect(taken, "the last redelivery reached the server")
            let database = try CantoDatabase(dataDirectory: data.url)
            try await Self.waitUntil("the inbox is empty") {
                try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM stripe_inbox") }
                    == 0
            }
            let integrity = try await database.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check")
            }
            #expect(integrity == "ok")

            let again = try await server.login("admin", "admin-password-1")
            let users = try await again.get("/api/v1/admin/users").json["items"] as? [[String: Any]] ?? []
            let ledger = try await again.get("/api/v1/admin/ledger").json["items"] as? [[String: Any]] ?? []
            let money = ledger.filter { $0["kind"] as? String != "plan_change" }
            let references = money.compactMap { $0["reference"] as? String }
            #expect(Set(references).count == references.count, "each payment and refund once: \(references)")
            let store = PlanRepository(database: database)
            for name in ["ola", "bo", "kim"] {
                let id = try #require(users.first { $0["username"] as? String == name }?["id"] as? String)
                let grant = try await store.grant(of: UserID(id))
                let status = await fake.status(ofSubscription: subscriptions[name] ?? "")
                let mine = money.filter { $0["userId"] as? String == id }.compactMap { $0["amountMinor"] as? Int }
                    .sorted()
                switch name {
                case "ola":
                    #expect(status == "active" && grant?.status == .active && grant?.planID == PlanID("premium"))
                    #expect(mine == [-150, 499, 499], "\(mine)")
                case "bo":
                    #expect(status == "past_due" && grant?.status == .pastDue && grant?.graceUntil != nil)
                    #expect(mine == [499], "\(mine)")
                default:
                    #expect(status == "canceled" && grant == nil, "\(String(describing: grant))")
                    #expect(mine == [499], "\(mine)")
                }
            }
        }
    }
}
