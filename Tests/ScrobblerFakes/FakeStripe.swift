import AsyncHTTPClient
import CantoPluginKitTesting
import Crypto
public import Foundation
import NIOCore
import NIOHTTP1

/// A local, stateful stand-in for Stripe as its API stands at the Dahlia version (2026-03-25),
/// following `integrations.md` Part B and Stripe's API reference:
///
/// - **API** (`/v1/…`): form-encoded bodies with bracket names, `Authorization: Bearer sk_test_…`
///   (else 401), errors as `{"error":{"type","code","message","param"}}`. Every POST may carry an
///   `Idempotency-Key`: the first answer is kept and replayed (`Idempotent-Replayed: true`); the same
///   key with other parameters is a 400 `idempotency_error`. Periods live on subscription items;
///   invoices name their subscription under `parent.subscription_details`; Checkout's `ui_mode`
///   takes `hosted_page`/`embedded_page`/`elements` (the old names fail).
/// - **Checkout** (`POST /v1/checkout/sessions`, mode `subscription`, `line_items[0][price]` or
///   `[price_data]`): a hosted page at `/c/pay/<id>` that a test or a browser pays (card
///   `4242 4242 4242 4242`; `4000 0000 0000 0002` is declined; `4000 0000 0000 0341` pays now and
///   fails at renewal), then 303 to `success_url` with `{CHECKOUT_SESSION_ID}` filled in.
/// - **Billing**: customers, products and prices (from `price_data`), subscriptions with trials
///   and monthly or yearly periods, invoices and charges; the fake's own clock (`advance(by:)`)
///   renews them, fails a renewal on a failing card (past due, retried every 3 days, cancelled after
///   the third retry), ends those cancelled at period end. Refunds (`POST /v1/refunds`).
/// - **Customer Portal** (`POST /v1/billing_portal/sessions`): a page at `/p/session/<id>` to
///   cancel at period end or change the card.
/// - **Webhooks**: every change emits its events (snapshots of the object then), signed
///   `Stripe-Signature: t=<now>,v1=…` with every current secret (several while one rolls), posted
///   to the endpoint. Deliveries can be held and released in any order, doubled, failed, replayed.
public actor FakeStripe {
    public static let secretKey = "sk_test_canto_fake_key"
    public static let apiVersion = "2026-03-25.dahlia"

    typealias JSON = [String: Any]

    struct Customer {
        var id: String
        var email: String?
        var cardFails = false
    }
    struct Price {
        var id: String
        var product: String
        var productName: String
        var unitAmount: Int
        var currency: String
        var interval: String
    }
    struct Session {
        var id: String
        var status = "open"
        var paymentStatus = "unpaid"
        var customer: String?
        var customerEmail: String?
        var subscription: String?
        var clientReferenceID: String?
        var metadata: [String: String]
        var subscriptionMetadata: [String: String]
        var trialDays: Int
        var price: String
        var successURL: String
        var cancelURL: String?
        var uiMode: String
        var created: Date
        var expiresAt: Date
    }
    struct Subscription {
        var id: String
        var itemID: String
        var customer: String
        var status: String
        var cancelAtPeriodEnd = false
        var canceledAt: Date?
        var endedAt: Date?
        var trialEnd: Date?
        var metadata: [String: String]
        var price: String
        var periodStart: Date
        var periodEnd: Date
        var created: Date
        var latestInvoice: String?
        /// The next try of a failed renewal.
        var retryAt: Date?
        var failedAttempts = 0
    }
    struct Invoice {
        var id: String
        var customer: String
        var subscription: String
        var metadata: [String: String]
        var amountDue: Int
        var amountPaid: Int
        var currency: String
        var status: String
        var billingReason: String
        var created: Date
        var periodStart: Date
        var periodEnd: Date
        var attemptCount: Int
        var nextPaymentAttempt: Date?
        var charge: String?
    }
    struct Charge {
        var id: String
        var customer: String
        var amount: Int
        var amountRefunded = 0
        var currency: String
        var created: Date
    }
    struct Refund {
        var id: String
        var charge: String
        var amount: Int
        var currency: String
        var created: Date
    }
    /// One webhook event, its body fixed when it is made (so a replay is byte for byte the same).
    public struct Event: Sendable {
        public var id: String
        public var type: String
        public var body: Data
    }
    /// One delivery attempt and what the endpoint answered (0: it never reached the endpoint).
    public struct Delivery: Sendable {
        public var eventID: String
        public var type: String
        public var status: Int
    }

    // MARK: - State

    var base = ""
    /// The fake's clock: when subscriptions renew and objects are created.
    public private(set) var now: Date
    var counter = 0
    var customers: [String: Customer] = [:]
    var prices: [String: Price] = [:]
    var sessions: [String: Session] = [:]
    var subscriptions: [String: Subscription] = [:]
    var invoices: [String: Invoice] = [:]
    var charges: [String: Charge] = [:]
    var refunds: [String: Refund] = [:]
    var portals: [String: (customer: String, returnURL: String)] = [:]
    var idempotent: [String: (fingerprint: String, response: StubResponse)] = [:]
    /// The `Stripe-Version` of every API request, in order.
    public private(set) var versionsSeen: [String?] = []
    /// The `Idempotency-Key` of every POST, in order (nil: none sent).
    public private(set) var idempotencyKeys: [String?] = []

    var endpoint: URL?
    /// The signing secrets in use: the newest first; more than one while a secret rolls.
    public private(set) var secrets: [String]
    public private(set) var events: [Event] = []
    /// Events made but not delivered yet (held, or their delivery failed).
    var pending: [String] = []
    public var holdDeliveries = false
    /// Every delivery posts each event twice.
    public var duplicateDeliveries = false
    /// The next this-many deliveries are dropped on the way (the endpoint never sees them).
    var dropNext = 0
    public private(set) var deliveries: [Delivery] = []
    var delivering = false
    /// The endpoint did not answer in this batch: the batch's other deliveries fail at once (as
    /// Stripe's do while an endpoint is down) instead of each waiting out its timeout.
    var unreachable = false

    init(now: Date) {
        self.now = now
        secrets = ["whsec_" + Self.random(32)]
    }

    /// Runs `body` with the fake listening on loopback; its base URL is `http://127.0.0.1:PORT`.
    /// `now` sets the fake's clock (match the server's when the server's is a test clock).
    public static func run<Value: Sendable>(
        now: Date = Date(), _ body: @Sendable (FakeStripe, String) async throws -> Value
    ) async throws -> Value {
        let fake = FakeStripe(now: now)
        return try await StubUpstream.run({ request in await fake.handle(request) }) { _, base in
            await fake.setBase(base)
            return try await body(fake, base)
        }
    }

    private func setBase(_ url: String) { base = url }

    static func random(_ count: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<count).map { _ in letters.randomElement() ?? "x" })
    }

    func newID(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_test_\(String(format: "%06d", counter))\(Self.random(12))"
    }

    // MARK: - Test controls

    /// Where events are posted (`http://127.0.0.1:PORT/plugins/stripe/webhook`).
    public func setEndpoint(_ url: String) {
        endpoint = URL(string: url)
        unreachable = false
    }

    /// The current signing secret (the newest).
    public var signingSecret: String { secrets[0] }

    /// Rolls the signing secret: events are signed with the new one and, until
    /// ``retireOldSecrets()``, the old ones too (as Stripe does for up to 24 hours).
    @discardableResult
    public func rollSecret() -> String {
        secrets.insert("whsec_" + Self.random(32), at: 0)
        return secrets[0]
    }

    public func retireOldSecrets() { secrets = [secrets[0]] }

    public func setHold(_ hold: Bool) { holdDeliveries = hold }
    public func setDuplicate(_ duplicate: Bool) { duplicateDeliveries = duplicate }
    /// Drops the next `count` deliveries on the way (they stay pending, for ``redeliverPending()``).
    public func dropDeliveries(_ count: Int) { dropNext = count }

    /// The events waiting to be delivered, oldest first.
    public var pendingEvents: [String] { pending }

    /// Delivers what is pending, in `order` (event IDs; those not named follow in their own order).
    public func release(order: [String]? = nil) async {
        unreachable = false
        var queue = pending
        if let order {
            let named = order.filter(queue.contains)
            queue = named + queue.filter { !named.contains($0) }
        }
        pending = []
        for id in queue { await deliver(id) }
    }

    /// Delivers the pending events newest first.
    public func releaseReversed() async { await release(order: pending.reversed()) }

    /// Posts every event ever made again, in order (Stripe's "resend" on each); true when the
    /// endpoint took every one (answered 2xx).
    @discardableResult
    public func redeliverAll() async -> Bool {
        unreachable = false
        let before = deliveries.count
        for event in events { await deliver(event.id) }
        return deliveries[before...].allSatisfy { (200..<300).contains($0.status) }
    }

    /// Waits until nothing is being delivered and nothing waits that is not held.
    public func settled() async {
        while delivering || (!pending.isEmpty && !holdDeliveries) {
            if !delivering, !pending.isEmpty { await release() }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Posts one event with chosen faults: signed at `signedAt` (real time by default), with
    /// `secret` instead of the current ones, or with its body changed after signing. Answers the
    /// endpoint's status.
    public func deliver(
        eventID: String, signedAt: Date = Date(), secret: String? = nil, tamper: Bool = false, unsigned: Bool = false
    ) async -> Int {
        guard let event = events.first(where: { $0.id == eventID }) else { return 0 }
        var body = event.body
        let header = unsigned ? nil : signature(body, at: signedAt, secrets: secret.map { [$0] } ?? secrets)
        if tamper, let text = String(data: body, encoding: .utf8) {
            body = Data(text.replacingOccurrences(of: "\"livemode\":false", with: "\"livemode\":true ").utf8)
        }
        return await post(body, header: header)
    }

    /// Posts `body` signed with the current secrets (what Stripe would never send: a test's own bytes).
    public func postSigned(_ body: Data) async -> Int {
        await post(body, header: signature(body, at: Date(), secrets: secrets))
    }

    /// Moves the fake's clock: renewals, failed renewals and their retries, and period ends fall
    /// due in time order, each with its events.
    public func advance(by seconds: TimeInterval) async {
        let target = now.addingTimeInterval(seconds)
        while let (id, due) = nextDue(before: target) {
            now = due
            step(id)
        }
        now = target
        await flush()
    }

    /// The listener's (by `metadata[canto_user]`) newest subscription.
    public func subscription(ofUser user: String) -> String? {
        subscriptions.values.filter { $0.metadata["canto_user"] == user }.max { $0.created < $1.created }?.id
    }

    public func status(ofSubscription id: String) -> String? { subscriptions[id]?.status }

    /// Makes the subscription's customer's card fail (or work again).
    public func setCardFails(subscription id: String, _ fails: Bool) {
        guard let customer = subscriptions[id]?.customer else { return }
        customers[customer]?.cardFails = fails
    }

    /// Pays an open checkout session as the hosted page would (nil: paid; else the page's error).
    @discardableResult
    public func pay(session id: String, card: String = "4242424242424242") async -> String? {
        let answer = completeCheckout(id, card: card)
        await flush()
        return answer
    }

    /// The newest checkout session, for tests that follow a browser.
    public var latestSession: String? { sessions.values.max { $0.created < $1.created }?.id }

    /// Cancels at period end, as the portal's button does.
    public func cancelAtPeriodEnd(subscription id: String) async {
        setCancelAtPeriodEnd(id, true)
        await flush()
    }

    /// Refunds `amount` (all when nil) of the subscription's latest paid invoice.
    public func refundLatest(subscription id: String, amount: Int? = nil) async -> String? {
        guard let charge = subscriptions[id]?.latestInvoice.flatMap({ invoices[$0]?.charge }) else { return nil }
        let refund = try? makeRefund(charge: charge, amount: amount)
        await flush()
        return refund
    }

    // MARK: - HTTP

    func handle(_ request: StubRequest) async -> StubResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        if parts.first == "c" || parts.first == "p" {
            let answer = page(request, parts)
            await flush()
            return answer
        }
        guard parts.first == "v1" else { return Self.error(404, "invalid_request_error", "Unrecognized request URL") }
        guard let auth = request.headers["authorization"],
            auth.hasPrefix("Bearer sk_test_") || auth.hasPrefix("Bearer rk_test_")
        else {
            return Self.error(401, "invalid_request_error", "You did not provide an API key.")
        }
        versionsSeen.append(request.headers["stripe-version"])
        if let version = request.headers["stripe-version"], !Self.knownVersions.contains(version) {
            return Self.error(400, "invalid_request_error", "Invalid Stripe API version: \(version)")
        }
        let form = request.method == "POST" ? request.form : request.query
        var key: String?
        if request.method == "POST" {
            key = request.headers["idempotency-key"]
            idempotencyKeys.append(key)
            if let key {
                let fingerprint =
                    request.path + "?"
                    + form.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    .joined(separator: "&")
                if let saved = idempotent[key] {
                    guard saved.fingerprint == fingerprint else {
                        return Self.error(
                            400, "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters they were first used with."
                        )
                    }
                    var replay = saved.response
                    replay.headers["Idempotent-Replayed"] = "true"
                    return replay
                }
                let answer = api(request.method, Array(parts.dropFirst()), form)
                if answer.status != 400 { idempotent[key] = (fingerprint, answer) }
                await flush()
                return answer
            }
        }
        let answer = api(request.method, Array(parts.dropFirst()), form)
        await flush()
        return answer
    }

    static let knownVersions: Set<String> = [
        "2024-09-30.acacia", "2025-03-31.basil", "2025-09-30.clover", "2025-11-17.clover", "2026-02-25.clover",
        "2026-03-25.dahlia",
    ]

    static func error(_ status: Int, _ type: String, _ message: String, code: String? = nil, param: String? = nil)
        -> StubResponse
    {
        var error: JSON = ["type": type, "message": message]
        if let code { error["code"] = code }
        if let param { error["param"] = param }
        return .json(["error": error], status: status, headers: ["Request-Id": "req_fake"])
    }

    static func missing(_ what: String, _ id: String) -> StubResponse {
        error(404, "invalid_request_error", "No such \(what): '\(id)'", code: "resource_missing", param: "id")
    }

    func api(_ method: String, _ path: [String], _ form: [String: String]) -> StubResponse {
        switch (method, path.count, path.first) {
        case ("POST", 2, "checkout") where path[1] == "sessions": return createSession(form)
        case ("GET", 3, "checkout") where path[1] == "sessions":
            return sessions[path[2]].map { .json(sessionJSON($0)) } ?? Self.missing("checkout.session", path[2])
        case ("POST", 4, "checkout") where path[1] == "sessions" && path[3] == "expire":
            guard var session = sessions[path[2]] else { return Self.missing("checkout.session", path[2]) }
            guard session.status == "open" else {
                return Self.error(400, "invalid_request_error", "Only open sessions can be expired.")
            }
            session.status = "expired"
            sessions[session.id] = session
            emit("checkout.session.expired", sessionJSON(session))
            return .json(sessionJSON(session))
        case ("GET", 2, "subscriptions"):
            return subscriptions[path[1]].map { .json(subscriptionJSON($0)) } ?? Self.missing("subscription", path[1])
        case ("POST", 2, "subscriptions"):
            guard subscriptions[path[1]] != nil else { return Self.missing("subscription", path[1]) }
            if let value = form["cancel_at_period_end"] { setCancelAtPeriodEnd(path[1], value == "true") }
            return .json(subscriptionJSON(subscriptions[path[1]]!))
        case ("DELETE", 2, "subscriptions"):
            guard let subscription = subscriptions[path[1]] else { return Self.missing("subscription", path[1]) }
            end(subscription.id)
            return .json(subscriptionJSON(subscriptions[path[1]]!))
        case ("GET", 2, "invoices"):
            return invoices[path[1]].map { .json(invoiceJSON($0)) } ?? Self.missing("invoice", path[1])
        case ("GET", 2, "charges"):
            return charges[path[1]].map { .json(chargeJSON($0)) } ?? Self.missing("charge", path[1])
        case ("GET", 2, "customers"):
            return customers[path[1]].map { .json(customerJSON($0)) } ?? Self.missing("customer", path[1])
        case ("POST", 1, "refunds"):
            guard let charge = form["charge"] else {
                return Self.error(400, "invalid_request_error", "Missing required param: charge.", param: "charge")
            }
            do {
                let id = try makeRefund(charge: charge, amount: form["amount"].flatMap { Int($0) })
                return .json(refundJSON(refunds[id]!))
            } catch {
                return Self.error(
                    400, "invalid_request_error", "Charge \(charge) does not exist or has been refunded in full.",
                    param: "charge")
            }
        case ("POST", 2, "billing_portal") where path[1] == "sessions":
            guard let customer = form["customer"], customers[customer] != nil else {
                return Self.error(
                    400, "invalid_request_error", "No such customer: '\(form["customer"] ?? "")'",
                    code: "resource_missing",
                    param: "customer")
            }
            let id = newID("bps")
            let back = form["return_url"] ?? base
            portals[id] = (customer, back)
            return .json([
                "id": id, "object": "billing_portal.session", "customer": customer, "return_url": back,
                "url": "\(base)/p/session/\(id)", "created": Int(now.timeIntervalSince1970), "livemode": false,
            ])
        default:
            return Self.error(
                404, "invalid_request_error",
                "Unrecognized request URL (\(method): /v1/\(path.joined(separator: "/"))).")
        }
    }

    enum StubResponseError: Error { case missing }

    func createSession(_ form: [String: String]) -> StubResponse {
        guard form["mode"] == "subscription" || form["mode"] == "payment" else {
            return Self.error(
                400, "invalid_request_error", "Invalid mode: must be one of payment, setup, or subscription",
                param: "mode")
        }
        let uiMode = form["ui_mode"] ?? "hosted_page"
        guard ["hosted_page", "embedded_page", "elements"].contains(uiMode) else {
            return Self.error(
                400, "invalid_request_error", "Invalid ui_mode: must be one of hosted_page, embedded_page or elements",
                param: "ui_mode")
        }
        guard let success = form["success_url"],
            URL(string: success.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: "x"))?.scheme != nil
        else {
            return Self.error(
                400, "invalid_request_error", "Missing required param: success_url.", param: "success_url")
        }
        let priceID: String
        if let given = form["line_items[0][price]"] {
            guard prices[given] != nil else { return Self.missing("price", given) }
            priceID = given
        } else {
            guard let currency = form["line_items[0][price_data][currency]"], currency.count == 3,
                let amount = form["line_items[0][price_data][unit_amount]"].flatMap({ Int($0) }), amount >= 0,
                let name = form["line_items[0][price_data][product_data][name]"], !name.isEmpty
            else {
                return Self.error(
                    400, "invalid_request_error",
                    "line_items[0] needs a price or price_data with currency, unit_amount and product_data[name].",
                    param: "line_items[0]")
            }
            let interval = form["line_items[0][price_data][recurring][interval]"] ?? ""
            guard form["mode"] != "subscription" || ["day", "week", "month", "year"].contains(interval) else {
                return Self.error(
                    400, "invalid_request_error", "A subscription needs a recurring price.",
                    param: "line_items[0][price_data][recurring][interval]")
            }
            priceID = newID("price")
            prices[priceID] = Price(
                id: priceID, product: newID("prod"), productName: name, unitAmount: amount, currency: currency,
                interval: interval)
        }
        if let customer = form["customer"], customers[customer] == nil { return Self.missing("customer", customer) }
        func dictionary(_ prefix: String) -> [String: String] {
            var found: [String: String] = [:]
            for (key, value) in form where key.hasPrefix(prefix + "[") && key.hasSuffix("]") {
                found[String(key.dropFirst(prefix.count + 1).dropLast())] = value
            }
            return found
        }
        let id = newID("cs")
        let session = Session(
            id: id, customer: form["customer"], customerEmail: form["customer_email"],
            clientReferenceID: form["client_reference_id"], metadata: dictionary("metadata"),
            subscriptionMetadata: dictionary("subscription_data[metadata]"),
            trialDays: form["subscription_data[trial_period_days]"].flatMap { Int($0) } ?? 0, price: priceID,
            successURL: success, cancelURL: form["cancel_url"], uiMode: uiMode, created: now,
            expiresAt: now.addingTimeInterval(86_400))
        sessions[id] = session
        return .json(sessionJSON(session))
    }

    // MARK: - Pages (hosted checkout, portal)

    func page(_ request: StubRequest, _ parts: [String]) -> StubResponse {
        if parts.count >= 3, parts[0] == "c", parts[1] == "pay" {
            let id = parts[2]
            guard let session = sessions[id] else { return .text("No such checkout session.", status: 404) }
            if request.method == "POST" {
                if let problem = completeCheckout(id, card: request.form["card"] ?? "") {
                    return html(checkoutPage(session, problem: problem), status: 402)
                }
                let target = session.successURL.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: id)
                return StubResponse(status: 303, headers: ["Location": target])
            }
            return html(checkoutPage(session, problem: nil))
        }
        if parts.count >= 3, parts[0] == "p", parts[1] == "session", let portal = portals[parts[2]] {
            if request.method == "POST", parts.count == 5, parts[3] == "cancel" {
                if subscriptions[parts[4]]?.customer == portal.customer { setCancelAtPeriodEnd(parts[4], true) }
                return StubResponse(status: 303, headers: ["Location": portal.returnURL])
            }
            if request.method == "POST", parts.count == 4, parts[3] == "card" {
                customers[portal.customer]?.cardFails = Self.cardFailsLater(request.form["card"] ?? "")
                return StubResponse(status: 303, headers: ["Location": portal.returnURL])
            }
            return html(portalPage(parts[2], customer: portal.customer, back: portal.returnURL))
        }
        return .text("Not found.", status: 404)
    }

    func html(_ body: String, status: Int = 200) -> StubResponse {
        StubResponse(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Data(body.utf8))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    func checkoutPage(_ session: Session, problem: String?) -> String {
        let price = prices[session.price]
        let amount = String(format: "%.2f", Double(price?.unitAmount ?? 0) / 100)
        return """
            <!doctype html><html><head><title>Fake Stripe Checkout</title></head><body>
            <h1>Subscribe to \(Self.escape(price?.productName ?? ""))</h1>
            <p id="price">\(amount) \((price?.currency ?? "").uppercased()) per \(price?.interval ?? "")\
            \(session.trialDays > 0 ? " after a \(session.trialDays)-day trial" : "")</p>
            \(problem.map { "<p id=\"error\" role=\"alert\">\(Self.escape($0))</p>" } ?? "")
            \(session.status == "open" ? """
            <form method="post" action="/c/pay/\(session.id)">
            <label>Card number <input name="card" id="card" value="4242 4242 4242 4242"></label>
            <button type="submit" id="pay">Pay and subscribe</button></form>
            """ : "<p id=\"done\">This checkout session is \(session.status).</p>")
            \(session.cancelURL.map { "<a id=\"back\" href=\"\(Self.escape($0))\">Back</a>" } ?? "")
            </body></html>
            """
    }

    func portalPage(_ id: String, customer: String, back: String) -> String {
        let rows = subscriptions.values.filter { $0.customer == customer }.sorted { $0.created < $1.created }.map {
            subscription in
            let name = prices[subscription.price]?.productName ?? ""
            let cancel =
                subscription.status == "canceled" || subscription.cancelAtPeriodEnd
                ? "<span class=\"ending\">Ends \(Self.day(subscription.periodEnd))</span>"
                : "<form method=\"post\" action=\"/p/session/\(id)/cancel/\(subscription.id)\"><button class=\"cancel\">Cancel plan</button></form>"
            return "<li>\(Self.escape(name)): \(subscription.status) \(cancel)</li>"
        }
        return """
            <!doctype html><html><head><title>Fake Stripe customer portal</title></head><body>
            <h1>Your subscriptions</h1><ul>\(rows.joined())</ul>
            <form method="post" action="/p/session/\(id)/card"><label>New card <input name="card"></label>
            <button id="card-save">Update card</button></form>
            <a id="back" href="\(Self.escape(back))">Return</a></body></html>
            """
    }

    static func day(_ date: Date) -> String { ISO8601DateFormatter().string(from: date).prefix(10).description }

    static func digits(_ card: String) -> String { card.filter(\.isNumber) }
    static func cardFailsLater(_ card: String) -> Bool { digits(card) == "4000000000000341" }

    // MARK: - Billing

    /// Completes a checkout paid with `card`: nil, or why it was refused.
    func completeCheckout(_ id: String, card: String) -> String? {
        guard var session = sessions[id] else { return "No such session." }
        guard session.status == "open" else { return "This checkout session is \(session.status)." }
        guard now < session.expiresAt else { return "This checkout session has expired." }
        let number = Self.digits(card)
        if number == "4000000000000002" { return "Your card was declined." }
        guard number.count >= 12 else { return "Your card number is incomplete." }
        guard let price = prices[session.price] else { return "No price." }
        let customerID: String
        if let given = session.customer {
            customerID = given
        } else {
            customerID = newID("cus")
            customers[customerID] = Customer(id: customerID, email: session.customerEmail)
            emit("customer.created", customerJSON(customers[customerID]!))
        }
        customers[customerID]?.cardFails = Self.cardFailsLater(card)
        let subscriptionID = newID("sub")
        let trialEnd = session.trialDays > 0 ? now.addingTimeInterval(Double(session.trialDays) * 86_400) : nil
        var subscription = Subscription(
            id: subscriptionID, itemID: newID("si"), customer: customerID,
            status: trialEnd == nil ? "active" : "trialing",
            trialEnd: trialEnd, metadata: session.subscriptionMetadata, price: price.id, periodStart: now,
            periodEnd: trialEnd ?? Self.add(price.interval, to: now), created: now)
        let invoice = makeInvoice(
            for: subscription, amount: trialEnd == nil ? price.unitAmount : 0, reason: "subscription_create", paid: true
        )
        subscription.latestInvoice = invoice
        subscriptions[subscriptionID] = subscription
        session.status = "complete"
        session.paymentStatus = trialEnd == nil ? "paid" : "no_payment_required"
        session.customer = customerID
        session.subscription = subscriptionID
        sessions[id] = session
        emit("checkout.session.completed", sessionJSON(session))
        emit("customer.subscription.created", subscriptionJSON(subscription))
        emit("invoice.paid", invoiceJSON(invoices[invoice]!))
        return nil
    }

    static func add(_ interval: String, to date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let component: Calendar.Component =
            switch interval {
            case "day": .day
            case "week": .weekOfYear
            case "year": .year
            default: .month
            }
        return calendar.date(byAdding: component, value: 1, to: date) ?? date.addingTimeInterval(30 * 86_400)
    }

    func makeInvoice(for subscription: Subscription, amount: Int, reason: String, paid: Bool) -> String {
        let price = prices[subscription.price]
        let id = newID("in")
        var charge: String?
        if paid, amount > 0 {
            let chargeID = newID("ch")
            charges[chargeID] = Charge(
                id: chargeID, customer: subscription.customer, amount: amount, currency: price?.currency ?? "eur",
                created: now)
            charge = chargeID
        }
        invoices[id] = Invoice(
            id: id, customer: subscription.customer, subscription: subscription.id, metadata: subscription.metadata,
            amountDue: amount, amountPaid: paid ? amount : 0, currency: price?.currency ?? "eur",
            status: paid ? "paid" : "open", billingReason: reason, created: now, periodStart: subscription.periodStart,
            periodEnd: subscription.periodEnd, attemptCount: 1, nextPaymentAttempt: nil, charge: charge)
        return id
    }

    func setCancelAtPeriodEnd(_ id: String, _ cancel: Bool) {
        guard var subscription = subscriptions[id], subscription.status != "canceled",
            subscription.cancelAtPeriodEnd != cancel
        else { return }
        subscription.cancelAtPeriodEnd = cancel
        subscription.canceledAt = cancel ? now : nil
        subscriptions[id] = subscription
        emit(
            "customer.subscription.updated", subscriptionJSON(subscription),
            previous: ["cancel_at_period_end": !cancel])
    }

    /// Ends a subscription now.
    func end(_ id: String) {
        guard var subscription = subscriptions[id], subscription.status != "canceled" else { return }
        subscription.status = "canceled"
        subscription.endedAt = now
        subscription.canceledAt = subscription.canceledAt ?? now
        subscription.retryAt = nil
        subscriptions[id] = subscription
        emit("customer.subscription.deleted", subscriptionJSON(subscription))
    }

    func nextDue(before target: Date) -> (String, Date)? {
        var best: (String, Date)?
        for subscription in subscriptions.values where subscription.status != "canceled" {
            let due =
                subscription.status == "past_due" || subscription.status == "unpaid"
                ? subscription.retryAt : subscription.periodEnd
            guard let due, due <= target else { continue }
            if best == nil || due < best!.1 || (due == best!.1 && subscription.id < best!.0) {
                best = (subscription.id, due)
            }
        }
        return best
    }

    /// What falls due for one subscription at `now`.
    func step(_ id: String) {
        guard var subscription = subscriptions[id], let price = prices[subscription.price] else { return }
        if subscription.status == "past_due" {
            guard let invoiceID = subscription.latestInvoice, var invoice = invoices[invoiceID] else { return }
            invoice.attemptCount += 1
            if customers[subscription.customer]?.cardFails == false {
                let chargeID = newID("ch")
                charges[chargeID] = Charge(
                    id: chargeID, customer: subscription.customer, amount: invoice.amountDue,
                    currency: invoice.currency,
                    created: now)
                invoice.status = "paid"
                invoice.amountPaid = invoice.amountDue
                invoice.charge = chargeID
                invoice.nextPaymentAttempt = nil
                invoices[invoiceID] = invoice
                subscription.status = "active"
                subscription.retryAt = nil
                subscription.failedAttempts = 0
                subscriptions[id] = subscription
                emit("invoice.paid", invoiceJSON(invoice))
                emit("customer.subscription.updated", subscriptionJSON(subscription), previous: ["status": "past_due"])
            } else if subscription.failedAttempts >= 3 {
                invoice.nextPaymentAttempt = nil
                invoices[invoiceID] = invoice
                emit("invoice.payment_failed", invoiceJSON(invoice))
                end(id)
            } else {
                subscription.failedAttempts += 1
                subscription.retryAt = now.addingTimeInterval(3 * 86_400)
                invoice.nextPaymentAttempt = subscription.retryAt
                invoices[invoiceID] = invoice
                subscriptions[id] = subscription
                emit("invoice.payment_failed", invoiceJSON(invoice))
            }
            return
        }
        // The period ends.
        if subscription.cancelAtPeriodEnd {
            end(id)
            return
        }
        let was = subscription.status
        subscription.periodStart = subscription.periodEnd
        subscription.periodEnd = Self.add(price.interval, to: subscription.periodStart)
        let fails = customers[subscription.customer]?.cardFails ?? false
        let invoice = makeInvoice(
            for: subscription, amount: price.unitAmount, reason: "subscription_cycle", paid: !fails)
        subscription.latestInvoice = invoice
        if fails {
            subscription.status = "past_due"
            subscription.failedAttempts = 1
            subscription.retryAt = now.addingTimeInterval(3 * 86_400)
            invoices[invoice]?.nextPaymentAttempt = subscription.retryAt
            subscriptions[id] = subscription
            emit("invoice.payment_failed", invoiceJSON(invoices[invoice]!))
        } else {
            subscription.status = "active"
            subscriptions[id] = subscription
            emit("invoice.paid", invoiceJSON(invoices[invoice]!))
        }
        emit("customer.subscription.updated", subscriptionJSON(subscription), previous: ["status": was])
    }

    func makeRefund(charge id: String, amount: Int?) throws -> String {
        guard var charge = charges[id] else { throw StubResponseError.missing }
        let amount = min(amount ?? charge.amount - charge.amountRefunded, charge.amount - charge.amountRefunded)
        guard amount > 0 else { throw StubResponseError.missing }
        charge.amountRefunded += amount
        charges[id] = charge
        let refundID = newID("re")
        refunds[refundID] = Refund(id: refundID, charge: id, amount: amount, currency: charge.currency, created: now)
        emit("refund.created", refundJSON(refunds[refundID]!))
        emit("charge.refunded", chargeJSON(charge))
        return refundID
    }

    // MARK: - Objects as Stripe shows them

    static func seconds(_ date: Date?) -> Any { date.map { Int($0.timeIntervalSince1970) } ?? NSNull() }

    func sessionJSON(_ session: Session) -> JSON {
        let price = prices[session.price]
        return [
            "id": session.id, "object": "checkout.session", "mode": "subscription", "status": session.status,
            "payment_status": session.paymentStatus, "customer": session.customer ?? NSNull(),
            "customer_email": session.customerEmail ?? NSNull(), "subscription": session.subscription ?? NSNull(),
            "client_reference_id": session.clientReferenceID ?? NSNull(), "metadata": session.metadata,
            "url": session.status == "open" ? "\(base)/c/pay/\(session.id)" : NSNull(),
            "success_url": session.successURL, "cancel_url": session.cancelURL ?? NSNull(),
            "ui_mode": session.uiMode, "livemode": false, "created": Self.seconds(session.created),
            "expires_at": Self.seconds(session.expiresAt), "amount_total": price?.unitAmount ?? 0,
            "currency": price?.currency ?? "eur",
        ]
    }

    func subscriptionJSON(_ subscription: Subscription) -> JSON {
        let price = prices[subscription.price]
        let priceJSON: JSON = [
            "id": subscription.price, "object": "price", "product": price?.product ?? "",
            "unit_amount": price?.unitAmount ?? 0, "currency": price?.currency ?? "eur", "type": "recurring",
            "recurring": ["interval": price?.interval ?? "month", "interval_count": 1],
        ]
        let item: JSON = [
            "id": subscription.itemID, "object": "subscription_item", "subscription": subscription.id,
            "current_period_start": Self.seconds(subscription.periodStart),
            "current_period_end": Self.seconds(subscription.periodEnd), "price": priceJSON, "quantity": 1,
        ]
        return [
            "id": subscription.id, "object": "subscription", "customer": subscription.customer,
            "status": subscription.status, "cancel_at_period_end": subscription.cancelAtPeriodEnd,
            "cancel_at": subscription.cancelAtPeriodEnd ? Self.seconds(subscription.periodEnd) : NSNull(),
            "canceled_at": Self.seconds(subscription.canceledAt), "ended_at": Self.seconds(subscription.endedAt),
            "trial_end": Self.seconds(subscription.trialEnd), "created": Self.seconds(subscription.created),
            "start_date": Self.seconds(subscription.created), "metadata": subscription.metadata,
            "latest_invoice": subscription.latestInvoice ?? NSNull(), "livemode": false,
            "currency": price?.currency ?? "eur",
            "items": [
                "object": "list", "data": [item], "has_more": false,
                "url": "/v1/subscription_items?subscription=\(subscription.id)",
            ] as JSON,
        ]
    }

    func invoiceJSON(_ invoice: Invoice) -> JSON {
        [
            "id": invoice.id, "object": "invoice", "customer": invoice.customer, "status": invoice.status,
            "amount_due": invoice.amountDue, "amount_paid": invoice.amountPaid,
            "amount_remaining": invoice.amountDue - invoice.amountPaid, "currency": invoice.currency,
            "billing_reason": invoice.billingReason, "attempt_count": invoice.attemptCount, "attempted": true,
            "next_payment_attempt": Self.seconds(invoice.nextPaymentAttempt), "created": Self.seconds(invoice.created),
            "period_start": Self.seconds(invoice.periodStart), "period_end": Self.seconds(invoice.periodEnd),
            "livemode": false,
            "parent": [
                "type": "subscription_details",
                "subscription_details": ["subscription": invoice.subscription, "metadata": invoice.metadata] as JSON,
            ] as JSON,
        ]
    }

    func chargeJSON(_ charge: Charge) -> JSON {
        [
            "id": charge.id, "object": "charge", "amount": charge.amount, "amount_refunded": charge.amountRefunded,
            "currency": charge.currency, "customer": charge.customer,
            "refunded": charge.amountRefunded >= charge.amount,
            "paid": true, "status": "succeeded", "created": Self.seconds(charge.created), "livemode": false,
        ]
    }

    func refundJSON(_ refund: Refund) -> JSON {
        [
            "id": refund.id, "object": "refund", "amount": refund.amount, "charge": refund.charge,
            "currency": refund.currency, "status": "succeeded", "created": Self.seconds(refund.created),
            "payment_intent": NSNull(), "reason": NSNull(),
        ]
    }

    func customerJSON(_ customer: Customer) -> JSON {
        ["id": customer.id, "object": "customer", "email": customer.email ?? NSNull(), "livemode": false]
    }

    // MARK: - Webhooks

    func emit(_ type: String, _ object: JSON, previous: JSON? = nil) {
        var data: JSON = ["object": object]
        if let previous { data["previous_attributes"] = previous }
        let id = newID("evt")
        let event: JSON = [
            "id": id, "object": "event", "api_version": Self.apiVersion, "created": Self.seconds(now), "data": data,
            "livemode": false, "pending_webhooks": 1, "request": ["id": NSNull(), "idempotency_key": NSNull()] as JSON,
            "type": type,
        ]
        let body = (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])) ?? Data()
        events.append(Event(id: id, type: type, body: body))
        pending.append(id)
    }

    /// Delivers what is pending unless deliveries are held.
    func flush() async {
        guard !holdDeliveries, !delivering else { return }
        delivering = true
        unreachable = false
        while !pending.isEmpty, !holdDeliveries {
            let id = pending.removeFirst()
            await deliver(id)
        }
        delivering = false
    }

    func deliver(_ id: String) async {
        guard let event = events.first(where: { $0.id == id }), endpoint != nil else { return }
        for _ in 0..<(duplicateDeliveries ? 2 : 1) {
            if dropNext > 0 {
                dropNext -= 1
                deliveries.append(Delivery(eventID: id, type: event.type, status: 0))
                if !pending.contains(id) { pending.append(id) }
                continue
            }
            let status = await post(event.body, header: signature(event.body, at: Date(), secrets: secrets))
            deliveries.append(Delivery(eventID: id, type: event.type, status: status))
        }
    }

    func signature(_ body: Data, at date: Date, secrets: [String]) -> String {
        let timestamp = Int(date.timeIntervalSince1970)
        var payload = Data("\(timestamp).".utf8)
        payload.append(body)
        let signatures = secrets.map { secret in
            HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: Data(secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
        }
        return (["t=\(timestamp)"] + signatures.map { "v1=\($0)" }).joined(separator: ",")
    }

    func post(_ body: Data, header: String?) async -> Int {
        guard let endpoint, !unreachable else { return 0 }
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        if let header { request.headers.add(name: "Stripe-Signature", value: header) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let started = ContinuousClock.now
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            // Refused or reset at once: the endpoint is down. (A slow answer is not.)
            if ContinuousClock.now - started < .seconds(1) { unreachable = true }
            return 0
        }
    }
}
