public import CantoCore
public import CantoPluginKit
public import Foundation

/// Payments an admin takes by hand (cash from a family member, a bank transfer): a listener's
/// "upgrade" sends the admin a request (with the household's own instructions for paying), and
/// the admin grants a plan for a period, extends it or revokes it. Every change goes through the
/// same grants, ledger and entitlements as a card provider's, applied once each.
///
/// Routes (signed in): `GET instructions` (how to pay, and the caller's open request),
/// `GET requests` (admins: open requests), `POST grant` (`{"userId", "planId", "days"` or
/// `"until"`, optional `"amountMinor"`, `"currency"`, `"note"}`), `POST extend` (`{"userId",
/// "days"}`, optional amount and note), `POST revoke` (`{"userId"}`, optional `"note"`); the last
/// three are for admins.
public struct ManualPaymentsPlugin: PaymentProviderPlugin, RoutedPlugin {
    public static let descriptor = PluginDescriptor(
        id: "manual", name: "Manual payments", version: "1.0.0", enabledByDefault: false,
        configurationKeys: ["instructions"],
        permissions: PluginPermissions(routes: true, payments: true),
        migrations: [
            PluginMigration(
                "1-requests",
                [
                    """
                    CREATE TABLE manual_request (user_id TEXT PRIMARY KEY, username TEXT NOT NULL, plan_id TEXT NOT NULL,
                        asked_at REAL NOT NULL)
                    """
                ])
        ])

    let grants: any PlanGrants
    let tables: any PluginTables
    let instructions: String

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        grants = context.planGrants
        tables = context.tables
        let text = try configuration.string("instructions")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard text.count <= 2_000 else {
            throw PluginConfigurationError(
                pluginID: "manual", key: "instructions", message: "must be at most 2000 characters")
        }
        instructions =
            text.isEmpty ? "Ask an admin of this server; they will give you the plan once you have paid." : text
    }

    /// No page to pay on: the request waits for an admin, and the listener is sent back with a note.
    public func checkout(_ plan: Plan, for user: PaymentCustomer, returnURL: URL) async throws -> URL {
        let asked = Date().timeIntervalSince1970
        try await tables.write { sql in
            try sql.execute(
                "INSERT INTO manual_request (user_id, username, plan_id, asked_at) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT(user_id) DO UPDATE SET plan_id = excluded.plan_id, asked_at = excluded.asked_at",
                [.text(user.userID.rawValue), .text(user.username), .text(plan.id.rawValue), .real(asked)])
        }
        let back = returnURL.absoluteString
        return URL(string: back + (back.contains("?") ? "&" : "?") + "manual=requested") ?? returnURL
    }

    /// Nothing to manage at a provider: the admin changes the plan.
    public func portal(for user: PaymentCustomer, returnURL: URL) async throws -> URL? { nil }

    public func handle(_ request: PluginRequest) async throws -> PluginResponse {
        guard let caller = request.caller else { return .json(["error": "Sign in first."], status: 401) }
        switch (request.method, request.path) {
        case ("GET", "instructions"):
            let open = try await tables.read { sql in
                try sql.rows("SELECT plan_id FROM manual_request WHERE user_id = ?", [.text(caller.userID.rawValue)])
                    .first?["plan_id"].text
            }
            return .json(
                ["instructions": instructions, "requested": open.map { $0 as Any } ?? NSNull()] as [String: Any])
        case ("GET", "requests"), ("POST", "grant"), ("POST", "extend"), ("POST", "revoke"):
            guard caller.isAdmin else { return .json(["error": "Admins only."], status: 403) }
            do {
                return try await admin(request.path, body: request.json ?? [:], by: caller)
            } catch let refusal as Refusal {
                return .json(["error": refusal.message], status: refusal.status)
            }
        default:
            return .json(["error": "No such route."], status: 404)
        }
    }

    struct Refusal: Error {
        var status: Int
        var message: String
        init(_ message: String, status: Int = 400) {
            self.message = message
            self.status = status
        }
    }

    private func admin(_ action: String, body: [String: Any], by admin: PluginCaller) async throws -> PluginResponse {
        if action == "requests" {
            let rows = try await tables.read { sql in
                try sql.rows("SELECT user_id, username, plan_id, asked_at FROM manual_request ORDER BY asked_at", [])
            }
            return .json([
                "items": rows.map {
                    [
                        "userId": $0["user_id"].text ?? "", "username": $0["username"].text ?? "",
                        "planId": $0["plan_id"].text ?? "", "askedAt": $0["asked_at"].real ?? 0,
                    ] as [String: Any]
                }
            ])
        }
        guard let user = (body["userId"] as? String).map({ UserID($0) }), !user.rawValue.isEmpty else {
            throw Refusal("userId is required.")
        }
        let note = try Self.note(body["note"], by: admin)
        let held = try await grants.grant(of: user)
        let now = Date()
        let change: GrantChange
        let plan: PlanID
        switch action {
        case "grant":
            guard let planText = body["planId"] as? String,
                let chosen = try await grants.plans().first(where: { $0.id.rawValue == planText })
            else { throw Refusal("planId must name a plan.") }
            plan = chosen.id
            let until: Date?
            if let days = body["days"] as? Int {
                guard (1...3_660).contains(days) else { throw Refusal("days must be 1 to 3660.") }
                until = now.addingTimeInterval(Double(days) * 86_400)
            } else if let text = body["until"] as? String {
                guard let date = ISO8601DateFormatter().date(from: text), date > now else {
                    throw Refusal("until must be a future ISO 8601 date.")
                }
                until = date
            } else {
                until = nil
            }
            change =
                plan == Plan.freeID
                ? .end
                : .set(PlanGrant(userID: user, planID: plan, provider: "manual", status: .active, periodEnd: until))
        case "extend":
            guard let days = body["days"] as? Int, (1...3_660).contains(days) else {
                throw Refusal("days must be 1 to 3660.")
            }
            guard var grant = held, grant.provider == "manual", grant.isCurrent(at: now) else {
                throw Refusal("Only a plan given by hand that still runs can be extended.", status: 409)
            }
            guard let end = grant.periodEnd else { throw Refusal("That plan does not end.", status: 409) }
            grant.periodEnd = max(end, now).addingTimeInterval(Double(days) * 86_400)
            grant.status = .active
            plan = grant.planID
            change = .set(grant)
        default:
            guard let grant = held else { throw Refusal("That listener has no plan to revoke.", status: 409) }
            plan = Plan.freeID
            _ = grant
            change = .end
        }
        let amount = body["amountMinor"] as? Int ?? 0
        guard (0...10_000_000).contains(amount) else { throw Refusal("amountMinor must be 0 to 10000000.") }
        let currency = (body["currency"] as? String) ?? "EUR"
        guard Plan.isCurrencyCode(currency) else {
            throw Refusal("currency must be an ISO 4217 code such as EUR.")
        }
        let entry = LedgerEntry(
            at: now, userID: user, kind: amount > 0 ? .payment : .planChange, planID: plan, amountMinor: amount,
            currency: currency, provider: "manual", note: note)
        try await grants.apply(eventID: "manual_\(UUID().uuidString)", user: user, grant: change, entry: entry)
        try await tables.write { sql in
            try sql.execute("DELETE FROM manual_request WHERE user_id = ?", [.text(user.rawValue)])
        }
        let after = try await grants.grant(of: user)
        return .json([
            "userId": user.rawValue, "planId": after?.planID.rawValue ?? Plan.freeID.rawValue,
            "periodEnd": after?.periodEnd.map { ISO8601DateFormatter().string(from: $0) } ?? NSNull(),
        ])
    }

    /// The ledger's note: who did it and why (at most 500 characters of the admin's words).
    static func note(_ value: Any?, by admin: PluginCaller) throws -> String {
        let words = (value as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard words.count <= 500 else { throw Refusal("note must be at most 500 characters.") }
        return words.isEmpty ? "by \(admin.username)" : "by \(admin.username): \(words)"
    }
}
