public import CantoCore
public import CantoPluginKit
public import Foundation
import Logging

/// Stripe as a household's payment provider. A listener's upgrade opens a Stripe Checkout Session
/// in subscription mode (the plan's price inline, `client_reference_id` and metadata naming the
/// listener and the plan, an `Idempotency-Key` on every POST, the pinned `Stripe-Version`); their
/// "manage" button opens Stripe's Customer Portal. No card data ever reaches Canto.
///
/// Stripe's events arrive at the public route `POST /plugins/stripe/webhook`: the signature is
/// checked on the raw body before anything reads it (``StripeSignature``: 300 s either side,
/// every `v1`, the current and the previous secret while one rolls), the event is kept in the
/// plugin's inbox and answered 200 at once; it is processed after, one at a time. Each event is
/// applied once (``PlanGrants`` marks its ID with its effects, in one transaction) and from the
/// subscription as Stripe holds it now (read again), so duplicates, shuffles and late deliveries
/// all converge; an event that fails stays in the inbox and is tried again (a job every minute,
/// and at start, so a kill mid-processing loses nothing). Access is never granted from the
/// browser's return to the success page: that return only asks the plugin to read the session
/// from Stripe, server to server.
///
/// Routes (signed in): `POST return` (`{"sessionId"}`: read the finished checkout now),
/// `GET status` (admins: whether keys are set, the webhook address, the inbox).
public struct StripePlugin: PaymentProviderPlugin, RoutedPlugin, ScheduledPlugin {
    public static let descriptor = PluginDescriptor(
        id: "stripe", name: "Stripe", version: "1.0.0", enabledByDefault: false,
        configurationKeys: ["secret_key", "webhook_secret", "previous_webhook_secret", "api_url"],
        secretKeys: ["secret_key", "webhook_secret", "previous_webhook_secret"],
        permissions: PluginPermissions(
            networkHosts: ["api.stripe.com"], networkHostKeys: ["api_url"], routes: true, publicRoutes: true,
            payments: true),
        migrations: [
            PluginMigration(
                "1-inbox",
                [
                    "CREATE TABLE stripe_customer (user_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL UNIQUE)",
                    """
                    CREATE TABLE stripe_inbox (event_id TEXT PRIMARY KEY, type TEXT NOT NULL, body BLOB NOT NULL,
                        received_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT)
                    """,
                ])
        ])

    /// The event types the plugin acts on; others are acknowledged and left alone.
    public static let handledEvents: Set<String> = [
        "checkout.session.completed", "checkout.session.async_payment_succeeded", "customer.subscription.created",
        "customer.subscription.updated", "customer.subscription.deleted", "customer.subscription.paused",
        "customer.subscription.resumed", "invoice.paid", "invoice.payment_failed", "refund.created",
    ]

    /// Deliveries tried this many times are left for an admin (shown by `status`).
    static let maxAttempts = 20

    let client: StripeClient?
    let webhookSecrets: [String]
    let grants: any PlanGrants
    let tables: any PluginTables
    let logger: Logger
    let worker = InboxWorker()

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        let text = try configuration.string("api_url") ?? "https://api.stripe.com"
        guard let base = URL(string: text), base.scheme == "https" || base.scheme == "http", base.host != nil else {
            throw PluginConfigurationError(pluginID: "stripe", key: "api_url", message: "must be an http(s) address")
        }
        let key = try configuration.string("secret_key")?.trimmingCharacters(in: .whitespaces) ?? ""
        if !key.isEmpty, !(key.hasPrefix("sk_") || key.hasPrefix("rk_")) {
            throw PluginConfigurationError(
                pluginID: "stripe", key: "secret_key", message: "must be a secret (sk_…) or restricted (rk_…) key")
        }
        client = key.isEmpty ? nil : StripeClient(http: context.http, base: base, secretKey: key)
        webhookSecrets = try ["webhook_secret", "previous_webhook_secret"].compactMap {
            let secret = try configuration.string($0)?.trimmingCharacters(in: .whitespaces) ?? ""
            return secret.isEmpty ? nil : secret
        }
        grants = context.planGrants
        tables = context.tables
        logger = context.logger
    }

    public func start() async throws {
        Task { await drain() }
    }

    public var jobs: [PluginJob] {
        [PluginJob(name: "inbox", every: .seconds(60)) { await drain() }]
    }

    func api() throws -> StripeClient {
        guard let client else { throw StripeNotSetUp() }
        return client
    }

    // MARK: - Checkout and portal

    public func checkout(_ plan: Plan, for user: PaymentCustomer, returnURL: URL) async throws -> URL {
        let api = try api()
        guard plan.interval != .none else { throw StripeFailure("Stripe sells plans by the month or the year.") }
        let back = returnURL.absoluteString
        let success = back + (back.contains("?") ? "&" : "?") + "session_id={CHECKOUT_SESSION_ID}"
        var form: StripeClient.Form = [
            ("mode", "subscription"),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", plan.currency.lowercased()),
            ("line_items[0][price_data][unit_amount]", String(plan.priceMinor)),
            ("line_items[0][price_data][recurring][interval]", plan.interval.rawValue),
            ("line_items[0][price_data][product_data][name]", plan.name),
            ("success_url", success), ("cancel_url", back),
            ("client_reference_id", user.userID.rawValue),
            ("metadata[canto_user]", user.userID.rawValue), ("metadata[canto_plan]", plan.id.rawValue),
            ("subscription_data[metadata][canto_user]", user.userID.rawValue),
            ("subscription_data[metadata][canto_plan]", plan.id.rawValue),
        ]
        if plan.trialDays > 0 { form.append(("subscription_data[trial_period_days]", String(plan.trialDays))) }
        if let customer = try await customer(of: user.userID) {
            form.append(("customer", customer))
        } else if let email = user.email, !email.isEmpty {
            form.append(("customer_email", email))
        }
        let session = try await api.post("checkout/sessions", form)
        guard let text = session["url"] as? String, let url = URL(string: text) else {
            throw StripeFailure("Stripe's checkout session has no page address.")
        }
        return url
    }

    public func portal(for user: PaymentCustomer, returnURL: URL) async throws -> URL? {
        let api = try api()
        guard let customer = try await customer(of: user.userID) else { return nil }
        let session = try await api.post(
            "billing_portal/sessions", [("customer", customer), ("return_url", returnURL.absoluteString)])
        return (session["url"] as? String).flatMap(URL.init(string:))
    }

    // MARK: - Routes

    public func handle(_ request: PluginRequest) async throws -> PluginResponse {
        guard let caller = request.caller else { return .json(["error": "Sign in first."], status: 401) }
        switch (request.method, request.path) {
        case ("POST", "return"):
            guard let session = request.json?["sessionId"] as? String, session.hasPrefix("cs_"), session.count < 256
            else { return .json(["error": "sessionId must name a checkout session."], status: 400) }
            let applied = try await confirm(session: session, for: caller.userID)
            return .json(["confirmed": applied])
        case ("GET", "status"):
            guard caller.isAdmin else { return .json(["error": "Admins only."], status: 403) }
            return .json(try await status())
        default:
            return .json(["error": "No such route."], status: 404)
        }
    }

    public func handlePublic(_ request: PluginRequest) async throws -> PluginResponse {
        guard request.method == "POST", request.path == "webhook" else {
            return .json(["error": "No such route."], status: 404)
        }
        guard !webhookSecrets.isEmpty else {
            return .json(["error": "The webhook signing secret is not set up."], status: 503)
        }
        do {
            try StripeSignature.verify(
                header: request.headers["stripe-signature"], body: request.body, secrets: webhookSecrets, now: Date())
        } catch {
            logger.warning("stripe webhook refused", metadata: ["reason": "\(error)"])
            return .json(["error": "Signature refused: \(error)."], status: 400)
        }
        guard let event = request.json, event["object"] as? String == "event",
            let id = event["id"] as? String, id.hasPrefix("evt_"), id.count < 256,
            let type = event["type"] as? String, type.count < 100,
            (event["data"] as? [String: Any])?["object"] is [String: Any]
        else { return .json(["error": "Not a Stripe event."], status: 400) }
        guard Self.handledEvents.contains(type) else { return .json(["received": true, "handled": false]) }
        let body = request.body
        let received = Date().timeIntervalSince1970
        try await tables.write { sql in
            try sql.execute(
                "INSERT OR IGNORE INTO stripe_inbox (event_id, type, body, received_at) VALUES (?, ?, ?, ?)",
                [.text(id), .text(type), .blob(body), .real(received)])
        }
        Task { await drain() }
        return .json(["received": true, "handled": true])
    }

    // MARK: - Processing

    /// Processes what the inbox holds, oldest first, one at a time (a call while one runs makes
    /// it go round again); a processed event leaves the inbox, a failed one stays for the next try.
    func drain() async {
        guard await worker.begin() else { return }
        repeat {
            do {
                let due = try await tables.read { sql in
                    try sql.rows(
                        "SELECT event_id, type, body FROM stripe_inbox WHERE attempts < ? ORDER BY received_at, event_id",
                        [.integer(Int64(Self.maxAttempts))])
                }
                // Another pass while one made progress and something failed: an event may need
                // another processed first (a refund before the checkout that names its listener).
                var left = due
                while !left.isEmpty {
                    var failed: [PluginRow] = []
                    for row in left {
                        guard let id = row["event_id"].text, let type = row["type"].text, let body = row["body"].blob
                        else { continue }
                        if !(await processStored(id: id, type: type, body: body)) { failed.append(row) }
                    }
                    if failed.count == left.count { break }
                    left = failed
                }
            } catch {
                logger.error("stripe inbox unreadable", metadata: ["error": "\(error)"])
            }
        } while await worker.again()
    }

    /// Processes one kept event; false when it failed (it stays, its attempts counted).
    private func processStored(id: String, type: String, body: Data) async -> Bool {
        do {
            guard let event = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
                let object = (event["data"] as? [String: Any])?["object"] as? [String: Any]
            else { throw StripeFailure("not an event") }
            try await process(type: type, object: object, eventID: id)
            try await tables.write { sql in
                try sql.execute("DELETE FROM stripe_inbox WHERE event_id = ?", [.text(id)])
            }
            return true
        } catch {
            logger.warning("stripe event not processed yet", metadata: ["event": "\(id)", "error": "\(error)"])
            let message = String("\(error)".prefix(500))
            try? await tables.write { sql in
                try sql.execute(
                    "UPDATE stripe_inbox SET attempts = attempts + 1, last_error = ? WHERE event_id = ?",
                    [.text(message), .text(id)])
            }
            return false
        }
    }

    /// One event's effect: the listener's grant from their subscription as Stripe has it now, and
    /// the ledger line of a payment or a refund.
    func process(type: String, object: [String: Any], eventID: String) async throws {
        switch type {
        case "checkout.session.completed", "checkout.session.async_payment_succeeded":
            try await applySession(object, eventID: eventID)
        case "invoice.paid", "invoice.payment_failed":
            let parent = (object["parent"] as? [String: Any])?["subscription_details"] as? [String: Any]
            guard let subscription = StripeSubscription.id(of: parent?["subscription"]) else { return }
            var entry: LedgerEntry?
            if type == "invoice.paid", let paid = object["amount_paid"] as? Int, paid > 0,
                let currency = object["currency"] as? String, let invoice = object["id"] as? String
            {
                entry = LedgerEntry(
                    at: StripeSubscription.date(object["created"]) ?? Date(), userID: UserID(""), kind: .payment,
                    planID: nil, amountMinor: paid, currency: currency.uppercased(), provider: "stripe",
                    reference: invoice, note: object["billing_reason"] as? String)
            }
            try await applySubscription(subscription, eventID: eventID, entry: entry)
        case "refund.created":
            try await applyRefund(object, eventID: eventID)
        default:
            guard let subscription = object["id"] as? String, type.hasPrefix("customer.subscription.") else { return }
            try await applySubscription(subscription, eventID: eventID, entry: nil)
        }
    }

    private func applySession(_ session: [String: Any], eventID: String) async throws {
        guard session["mode"] as? String == "subscription",
            let subscription = StripeSubscription.id(of: session["subscription"])
        else { return }
        if let user = session["client_reference_id"] as? String,
            let customer = StripeSubscription.id(of: session["customer"])
        {
            try await remember(customer: customer, of: UserID(user))
        }
        try await applySubscription(subscription, eventID: eventID, entry: nil)
    }

    /// Reads the subscription from Stripe and applies what it means now.
    private func applySubscription(_ id: String, eventID: String, entry: LedgerEntry?) async throws {
        let object = try await api().get("subscriptions/\(id)")
        guard let subscription = StripeSubscription(object) else { throw StripeFailure("not a subscription: \(id)") }
        var user = subscription.user
        if user == nil, let customer = subscription.customer { user = try await self.user(of: customer) }
        guard let user, let plan = subscription.plan else {
            // A subscription sold elsewhere on the same Stripe account: not the household's.
            logger.info("stripe subscription of no Canto listener left alone", metadata: ["subscription": "\(id)"])
            return
        }
        if let customer = subscription.customer { try await remember(customer: customer, of: user) }
        let held = try await grants.grant(of: user)
        let change = subscription.change(for: user, plan: plan, held: held)
        var entry = entry
        entry?.planID = plan
        if entry == nil { entry = Self.planChange(change, held: held, plan: plan, reference: id) }
        try await grants.apply(eventID: eventID, user: user, grant: change, entry: entry)
    }

    /// A plan-change line when the listener's plan changes (not for a renewal of the same plan).
    static func planChange(_ change: GrantChange, held: PlanGrant?, plan: PlanID, reference: String) -> LedgerEntry? {
        switch change {
        case .keep: return nil
        case .end:
            guard let held else { return nil }
            return LedgerEntry(
                at: Date(), userID: held.userID, kind: .planChange, planID: Plan.freeID, provider: "stripe",
                reference: reference, note: "ended")
        case .set(let grant):
            guard held?.planID != grant.planID || held?.reference != grant.reference else { return nil }
            return LedgerEntry(
                at: Date(), userID: grant.userID, kind: .planChange, planID: plan, provider: "stripe",
                reference: reference, note: grant.status.rawValue)
        }
    }

    private func applyRefund(_ refund: [String: Any], eventID: String) async throws {
        guard let amount = refund["amount"] as? Int, amount > 0, let currency = refund["currency"] as? String,
            let refundID = refund["id"] as? String, let charge = StripeSubscription.id(of: refund["charge"])
        else { return }
        let read = try await api().get("charges/\(charge)")
        guard let customer = StripeSubscription.id(of: read["customer"]), let user = try await user(of: customer)
        else { throw StripeFailure("refund \(refundID): charge \(charge) is of no Canto listener") }
        try await grants.apply(
            eventID: eventID, user: user, grant: .keep,
            entry: LedgerEntry(
                at: StripeSubscription.date(refund["created"]) ?? Date(), userID: user, kind: .refund,
                planID: try await grants.grant(of: user)?.planID, amountMinor: -amount,
                currency: currency.uppercased(), provider: "stripe", reference: refundID, note: "charge \(charge)"))
    }

    /// The browser came back from checkout: read the session from Stripe (never trusting the
    /// return itself) and apply it when it is complete and the caller's.
    func confirm(session id: String, for user: UserID) async throws -> Bool {
        let session = try await api().get("checkout/sessions/\(id)")
        guard session["status"] as? String == "complete", session["client_reference_id"] as? String == user.rawValue
        else { return false }
        try await applySession(session, eventID: "return_\(id)")
        return true
    }

    // MARK: - Customers

    func customer(of user: UserID) async throws -> String? {
        try await tables.read { sql in
            try sql.rows("SELECT customer_id FROM stripe_customer WHERE user_id = ?", [.text(user.rawValue)]).first?[
                "customer_id"
            ].text
        }
    }

    func user(of customer: String) async throws -> UserID? {
        try await tables.read { sql in
            try sql.rows("SELECT user_id FROM stripe_customer WHERE customer_id = ?", [.text(customer)]).first?[
                "user_id"
            ].text.map { UserID($0) }
        }
    }

    private func remember(customer: String, of user: UserID) async throws {
        try await tables.write { sql in
            try sql.execute(
                "DELETE FROM stripe_customer WHERE customer_id = ? AND user_id <> ?",
                [
                    .text(customer), .text(user.rawValue),
                ])
            try sql.execute(
                "INSERT INTO stripe_customer (user_id, customer_id) VALUES (?, ?) "
                    + "ON CONFLICT(user_id) DO UPDATE SET customer_id = excluded.customer_id",
                [.text(user.rawValue), .text(customer)])
        }
    }

    private func status() async throws -> [String: Any] {
        let inbox = try await tables.read { sql in
            try sql.rows("SELECT event_id, type, attempts, last_error FROM stripe_inbox ORDER BY received_at", [])
        }
        return [
            "secretKey": client != nil, "webhookSecrets": webhookSecrets.count, "apiVersion": StripeClient.version,
            "webhookPath": "/plugins/stripe/webhook", "events": Array(Self.handledEvents).sorted(),
            "inbox": inbox.map {
                [
                    "id": $0["event_id"].text ?? "", "type": $0["type"].text ?? "",
                    "attempts": Int($0["attempts"].integer ?? 0), "error": $0["last_error"].text ?? "",
                ] as [String: Any]
            },
        ]
    }
}

/// Keeps one drain of the inbox running at a time; a request for another while it runs makes
/// the running one go round again.
actor InboxWorker {
    private var running = false
    private var requested = false

    func begin() -> Bool {
        guard !running else {
            requested = true
            return false
        }
        running = true
        requested = false
        return true
    }

    /// Whether to go round again (and if not, the drain is over).
    func again() -> Bool {
        if requested {
            requested = false
            return true
        }
        running = false
        return false
    }
}

/// The admin has not entered Stripe's secret key yet.
struct StripeNotSetUp: Error, CustomStringConvertible {
    var description: String { "Stripe is not set up yet: an admin enters its secret key on the plugins page." }
}

struct StripeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
