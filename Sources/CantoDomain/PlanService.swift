public import CantoCore
public import Foundation
import Synchronization

/// Plans and what they let each listener do: the plans an admin defines, each listener's current
/// plan (their grant while it lasts — a failed renewal keeps it through the grace period, a
/// cancelled one until its paid period ends — else the free plan; an admin is never limited),
/// the refusals that name a plan which would allow the thing, plans granted by hand, and the ledger.
public struct PlanService: Sendable {
    let store: any PlanStore
    let audit: any AuditStore
    let clock: any WallClock
    /// The plans, read once until an admin changes one (every request asks about libraries).
    private let cached = PlansCache()

    final class PlansCache: Sendable {
        let plans = Mutex<[Plan]?>(nil)
    }

    public init(store: any PlanStore, audit: any AuditStore, clock: any WallClock) {
        self.store = store
        self.audit = audit
        self.clock = clock
    }

    /// The things a plan may withhold that have a yes or no.
    public enum Feature: String, Sendable, CaseIterable {
        case downloads, shares, originalFiles

        var words: String {
            switch self {
            case .downloads: "Downloads"
            case .shares: "Public share links"
            case .originalFiles: "Original files"
            }
        }

        func granted(by entitlements: Entitlements) -> Bool {
            switch self {
            case .downloads: entitlements.downloads
            case .shares: entitlements.shares
            case .originalFiles: entitlements.originalFiles
            }
        }
    }

    public func plans() async throws -> [Plan] {
        if let plans = cached.plans.withLock({ $0 }) { return plans }
        let plans = try await store.plans()
        cached.plans.withLock { $0 = plans }
        return plans
    }

    /// Adds or changes a plan (an admin's), checked.
    public func save(_ plan: Plan, by admin: User) async throws -> Plan {
        guard admin.role == .admin else { throw DomainError.forbidden }
        let plan = try plan.checked()
        try await store.savePlan(plan)
        cached.plans.withLock { $0 = nil }
        try await audit.record(
            .planChanged, actor: admin.id, subject: "plan \(plan.id.rawValue)", address: nil, at: clock.now)
        return plan
    }

    public func delete(_ id: PlanID, by admin: User) async throws -> Bool {
        guard admin.role == .admin else { throw DomainError.forbidden }
        let deleted = try await store.deletePlan(id)
        cached.plans.withLock { $0 = nil }
        if deleted {
            try await audit.record(
                .planChanged, actor: admin.id, subject: "plan \(id.rawValue) deleted", address: nil, at: clock.now)
        }
        return deleted
    }

    /// The listener's plan now, and their grant (nil on the free plan).
    public func current(of user: User) async throws -> (plan: Plan, grant: PlanGrant?) {
        let plans = try await plans()
        let free = plans.first { $0.id == Plan.freeID } ?? Plan(id: Plan.freeID, name: "Free")
        guard let grant = try await store.grant(of: user.id), grant.isCurrent(at: clock.now),
            let plan = plans.first(where: { $0.id == grant.planID })
        else { return (free, nil) }
        return (plan, grant)
    }

    /// What the listener may do now (everything for an admin).
    public func entitlements(of user: User) async throws -> Entitlements {
        guard user.role != .admin else { return .unlimited }
        return try await current(of: user).plan.entitlements
    }

    /// Refuses (`paymentRequired`) when the listener's plan lacks `feature`, naming the cheapest
    /// plan that has it.
    public func require(_ feature: Feature, for user: User) async throws {
        guard user.role != .admin else { return }
        let (plan, _) = try await current(of: user)
        guard !feature.granted(by: plan.entitlements) else { return }
        throw try await refusal(feature.words, plan: plan) { feature.granted(by: $0.entitlements) }
    }

    /// The listener as their plan lets them act: their libraries narrowed to the plan's (an admin,
    /// and everyone while no plan names libraries, as they are). Every request's caller passes here.
    public func scoped(_ user: User) async throws -> User {
        guard user.role != .admin, try await plans().contains(where: { $0.entitlements.libraries != nil }) else {
            return user
        }
        var scoped = user
        scoped.libraryIDs = try await current(of: user).plan.entitlements.libraries(within: user.libraryIDs)
        return scoped
    }

    /// Refuses another API key when the listener holds `held` and their plan allows no more.
    public func requireAPIKey(for user: User, held: Int) async throws {
        guard user.role != .admin else { return }
        let (plan, _) = try await current(of: user)
        guard let limit = plan.entitlements.apiKeys, held >= limit else { return }
        throw try await refusal(
            limit == 0 ? "API keys" : "More than \(limit) API key\(limit == 1 ? "" : "s")", plan: plan
        ) { $0.entitlements.apiKeys.map { $0 > held } ?? true }
    }

    /// Refuses an upload that would take the listener's kept uploads to `total` bytes past their plan's room.
    public func requireStorage(for user: User, total: Int) async throws {
        guard user.role != .admin else { return }
        let (plan, _) = try await current(of: user)
        guard let limit = plan.entitlements.storageKB, total > limit * 1024 else { return }
        let needed = (total + 1023) / 1024
        throw try await refusal("More than \(limit) KiB of uploads (this needs \(needed) KiB)", plan: plan) {
            $0.entitlements.storageKB.map { $0 >= needed } ?? true
        }
    }

    /// The refusal for something `current` lacks, naming the cheapest plan with `allows`.
    public func refusal(_ what: String, plan current: Plan, allows: (Plan) -> Bool) async throws -> DomainError {
        let offer = try await plans().filter(allows).min { ($0.priceMinor, $0.name) < ($1.priceMinor, $1.name) }
        let message =
            offer.map { "\(what) come with the \($0.name) plan; your plan (\(current.name)) does not include them." }
            ?? "\(what) are not part of any plan on this server; ask an admin."
        return DomainError(.paymentRequired, message, code: "plan_required")
    }

    /// An admin gives a listener a plan by hand (the manual provider: cash from a family member)
    /// until `until` (nil: until revoked); the ledger keeps it.
    public func grant(
        _ plan: PlanID, to user: UserID, until: Date?, by admin: User, note: String? = nil, amountMinor: Int = 0,
        currency: String = "EUR"
    ) async throws {
        guard admin.role == .admin else { throw DomainError.forbidden }
        guard try await plans().contains(where: { $0.id == plan }) else {
            throw DomainError(.notFound, "No such plan.")
        }
        if let until, until <= clock.now { throw DomainError.invalid("until", "must be in the future") }
        guard Plan.isCurrencyCode(currency) else {
            throw DomainError.invalid("currency", "must be an ISO 4217 code such as EUR")
        }
        let now = clock.now
        try await store.setGrant(
            plan == Plan.freeID
                ? nil
                : PlanGrant(userID: user, planID: plan, provider: "manual", status: .active, periodEnd: until),
            of: user,
            entry: LedgerEntry(
                at: now, userID: user, kind: amountMinor > 0 ? .payment : .planChange, planID: plan,
                amountMinor: amountMinor, currency: currency, provider: "manual", actorID: admin.id, note: note))
        try await audit.record(
            .planChanged, actor: admin.id, subject: "user \(user.rawValue) → \(plan.rawValue)", address: nil, at: now)
    }

    /// Ledger lines, newest first: the listener's own, or (an admin asking, `everyone`) all.
    public func ledger(for user: User, everyone: Bool, limit: Int = 10_000) async throws -> [LedgerEntry] {
        if everyone {
            guard user.role == .admin else { throw DomainError.forbidden }
            return try await store.ledger(of: nil, limit: limit)
        }
        return try await store.ledger(of: user.id, limit: limit)
    }
}
