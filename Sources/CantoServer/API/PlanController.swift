import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Hummingbird

extension Wire {
    struct PlanItem: Codable, ResponseEncodable {
        var id: String
        var name: String
        var priceMinor: Int
        var currency: String
        var interval: String
        var trialDays: Int
        var entitlements: Entitlements

        init(_ plan: Plan) {
            id = plan.id.rawValue
            name = plan.name
            priceMinor = plan.priceMinor
            currency = plan.currency
            interval = plan.interval.rawValue
            trialDays = plan.trialDays
            entitlements = plan.entitlements
        }
    }

    /// A plan as an admin sends it (its ID is in the path).
    struct PlanBody: Codable {
        var name: String
        var priceMinor: Int
        var currency: String
        var interval: String
        var trialDays: Int
        var entitlements: Entitlements
    }

    struct PlanList: ResponseEncodable {
        var items: [PlanItem]
        /// The payment providers a listener can pay through (plugin IDs, running now).
        var providers: [String]
    }

    struct CheckoutRequest: Codable {
        var planId: String?
        /// A payment plugin's ID; the only one running when left out.
        var provider: String?
    }

    struct Redirect: ResponseEncodable {
        /// Where to send the listener (the provider's page).
        var url: String
    }

    /// The caller's plan now: which, from whom, until when, and what it grants them.
    struct MyPlan: ResponseEncodable {
        var plan: PlanItem
        /// "manual", "stripe"; nil on the free plan.
        var provider: String?
        /// active, trialing, past_due, canceled; nil on the free plan.
        var status: String?
        /// When the paid or granted period ends (nil: does not end).
        var periodEnd: Date?
        var graceUntil: Date?
        /// What the caller may do (everything for an admin).
        var entitlements: Entitlements
    }

    struct PlanChange: Codable {
        var planId: String
        /// The end of the granted period (nil: until revoked).
        var until: Date?
        var note: String?
        /// Money received for it, in minor units (cash from a family member), for the ledger.
        var amountMinor: Int?
        var currency: String?
    }

    struct LedgerItem: Codable, ResponseEncodable {
        var id: Int64
        var at: Date
        var userId: String
        var kind: String
        var planId: String?
        var amountMinor: Int
        var currency: String
        var provider: String
        var reference: String?
        var note: String?

        init(_ entry: LedgerEntry) {
            id = entry.id
            at = entry.at
            userId = entry.userID.rawValue
            kind = entry.kind.rawValue
            planId = entry.planID?.rawValue
            amountMinor = entry.amountMinor
            currency = entry.currency
            provider = entry.provider
            reference = entry.reference
            note = entry.note
        }
    }

    struct MonthTotal: Codable {
        /// "2026-12".
        var month: String
        var currency: String
        /// Payments less refunds, in minor units.
        var amountMinor: Int
        var entries: Int
    }

    struct Ledger: ResponseEncodable {
        var items: [LedgerItem]
        /// Admins' view: totals by month and currency.
        var months: [MonthTotal]?
    }
}

/// Plans: everyone sees the plans and their own plan and ledger lines; admins define plans, give a
/// listener a plan by hand (the manual provider) and read the whole ledger, as JSON or CSV.
struct PlanController {
    let plans: PlanService
    let accounts: AccountService
    let registry: PluginRegistry
    /// The libraries a plan may name.
    let catalogs: CatalogService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("plans", use: list)
        group.get("me/plan", use: mine)
        group.get("me/ledger", use: myLedger)
        group.post("me/plan/checkout", use: checkout)
        group.post("me/plan/portal", use: portal)
    }

    /// The payment plugins running now, by ID.
    private func providers() async -> [(String, any PaymentProviderPlugin)] {
        var found: [(String, any PaymentProviderPlugin)] = []
        for id in registry.instances.keys.sorted() {
            if let plugin = registry.instances[id] as? any PaymentProviderPlugin, await registry.isRunning(id) {
                found.append((id, plugin))
            }
        }
        return found
    }

    private func provider(_ named: String?) async throws -> (String, any PaymentProviderPlugin) {
        let running = await providers()
        if let named {
            guard let found = running.first(where: { $0.0 == named }) else {
                throw APIError(.notFound, "no_provider", "No such payment provider is running.")
            }
            return found
        }
        guard let only = running.first else {
            throw APIError(.notFound, "no_provider", "No payment provider is set up here; ask an admin for a plan.")
        }
        return only
    }

    private static func returnURL(_ request: Request, _ context: CantoRequestContext) throws -> URL {
        guard let authority = request.head.authority,
            let url = URL(string: "\(context.isSecure ? "https" : "http")://\(authority)/#/profile?plan=back")
        else { throw APIError.badRequest("The request does not name the server's address (Host).") }
        return url
    }

    /// Starts paying for a plan: the provider's checkout page (the plan changes when the provider says so).
    @Sendable func checkout(_ request: Request, context: CantoRequestContext) async throws -> Wire.Redirect {
        let user = try context.requireUser()
        let body = try await request.decode(as: Wire.CheckoutRequest.self, context: context)
        guard let planID = body.planId, let plan = try await plans.plans().first(where: { $0.id.rawValue == planID }),
            plan.id != Plan.freeID, plan.priceMinor > 0
        else { throw APIError.badRequest("planId must name a paid plan.") }
        let (id, provider) = try await provider(body.provider)
        let url = try await PluginCalls.run(id, deadline: .seconds(20)) {
            try await provider.checkout(
                plan, for: PaymentCustomer(userID: user.id, username: user.username, email: user.email),
                returnURL: try Self.returnURL(request, context))
        }
        return Wire.Redirect(url: url.absoluteString)
    }

    /// The provider's self-service page (change card, cancel) for the caller's paid plan.
    @Sendable func portal(_ request: Request, context: CantoRequestContext) async throws -> Wire.Redirect {
        let user = try context.requireUser()
        let body = try await request.decode(as: Wire.CheckoutRequest.self, context: context)
        let (_, grant) = try await plans.current(of: user)
        let (id, provider) = try await provider(body.provider ?? grant?.provider)
        guard
            let url = try await PluginCalls.run(
                id, deadline: .seconds(20),
                {
                    try await provider.portal(
                        for: PaymentCustomer(userID: user.id, username: user.username, email: user.email),
                        returnURL: try Self.returnURL(request, context))
                })
        else { throw APIError(.notFound, "no_subscription", "You have not paid through this provider.") }
        return Wire.Redirect(url: url.absoluteString)
    }

    func addAdminRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.put("plans/:id", use: save)
        group.delete("plans/:id", use: delete)
        group.put("users/:id/plan", use: grant)
        group.get("ledger", use: ledger)
    }

    @Sendable func list(_ request: Request, context: CantoRequestContext) async throws -> Wire.PlanList {
        Wire.PlanList(items: try await plans.plans().map(Wire.PlanItem.init), providers: await providers().map(\.0))
    }

    @Sendable func mine(_ request: Request, context: CantoRequestContext) async throws -> Wire.MyPlan {
        try await plan(of: try context.requireUser())
    }

    /// A listener's plan now, as the API shows it.
    private func plan(of user: User) async throws -> Wire.MyPlan {
        let (plan, grant) = try await plans.current(of: user)
        return Wire.MyPlan(
            plan: Wire.PlanItem(plan), provider: grant?.provider, status: grant?.status.rawValue,
            periodEnd: grant?.periodEnd, graceUntil: grant?.graceUntil,
            entitlements: try await plans.entitlements(of: user))
    }

    @Sendable func save(_ request: Request, context: CantoRequestContext) async throws -> Wire.PlanItem {
        let admin = try context.requireUser()
        let id = try context.parameters.require("id")
        guard (1...40).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { throw APIError.badRequest("A plan ID is 1 to 40 letters, digits or dashes.") }
        let body = try await request.decode(as: Wire.PlanBody.self, context: context)
        guard let interval = Plan.Interval(rawValue: body.interval) else {
            throw APIError.badRequest("interval must be month, year or none.")
        }
        if let named = body.entitlements.libraries {
            let known = Set(try await catalogs.allLibraries().map(\.id))
            if let unknown = named.first(where: { !known.contains($0) }) {
                throw APIError.badRequest("entitlements.libraries: no library \(unknown.rawValue).")
            }
        }
        let plan = Plan(
            id: PlanID(id), name: body.name, priceMinor: body.priceMinor, currency: body.currency,
            interval: interval, trialDays: body.trialDays, entitlements: body.entitlements)
        return Wire.PlanItem(try await plans.save(plan, by: admin))
    }

    @Sendable func delete(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let admin = try context.requireUser()
        guard try await plans.delete(PlanID(try context.parameters.require("id")), by: admin) else {
            throw APIError.notFound
        }
        return .noContent
    }

    /// An admin gives a listener a plan by hand (or the free plan back).
    @Sendable func grant(_ request: Request, context: CantoRequestContext) async throws -> Wire.MyPlan {
        let admin = try context.requireUser()
        let id = UserID(try context.parameters.require("id"))
        guard let user = try await accounts.user(id) else { throw APIError.notFound }
        let body = try await request.decode(as: Wire.PlanChange.self, context: context)
        if let amount = body.amountMinor, !(0...10_000_000).contains(amount) {
            throw APIError.badRequest("amountMinor must be 0 to 10000000.")
        }
        try await plans.grant(
            PlanID(body.planId), to: user.id, until: body.until, by: admin,
            note: body.note.map { String($0.prefix(500)) }, amountMinor: body.amountMinor ?? 0,
            currency: body.currency ?? "EUR")
        return try await plan(of: user)
    }

    @Sendable func myLedger(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try answer(try await plans.ledger(for: user, everyone: false), totals: false, request, context)
    }

    @Sendable func ledger(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let admin = try context.requireUser()
        return try answer(try await plans.ledger(for: admin, everyone: true), totals: true, request, context)
    }

    private func answer(_ entries: [LedgerEntry], totals: Bool, _ request: Request, _ context: CantoRequestContext)
        throws -> Response
    {
        let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
        guard ["json", "csv"].contains(format) else { throw APIError.badRequest("format must be json or csv.") }
        let formatter = ISO8601DateFormatter()
        if format == "csv" {
            let rows =
                [
                    [
                        "id", "at", "user_id", "kind", "plan_id", "amount_minor", "currency", "provider", "reference",
                        "note",
                    ]
                ]
                + entries.map {
                    [
                        "\($0.id)", formatter.string(from: $0.at), $0.userID.rawValue, $0.kind.rawValue,
                        $0.planID?.rawValue ?? "", "\($0.amountMinor)", $0.currency, $0.provider, $0.reference ?? "",
                        $0.note ?? "",
                    ]
                }
            return CSV.response(rows, filename: "ledger")
        }
        var months: [Wire.MonthTotal]?
        if totals {
            var sums: [String: Wire.MonthTotal] = [:]
            let calendar = Calendar(identifier: .gregorian)
            for entry in entries {
                var utc = calendar
                utc.timeZone = .gmt
                let parts = utc.dateComponents([.year, .month], from: entry.at)
                let month = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
                let key = "\(month)|\(entry.currency)"
                var total =
                    sums[key] ?? Wire.MonthTotal(month: month, currency: entry.currency, amountMinor: 0, entries: 0)
                total.amountMinor += entry.amountMinor
                total.entries += 1
                sums[key] = total
            }
            months = sums.values.sorted { ($0.month, $0.currency) > ($1.month, $1.currency) }
        }
        return try Wire.Ledger(items: entries.map(Wire.LedgerItem.init), months: months).response(
            from: request, context: context)
    }
}
