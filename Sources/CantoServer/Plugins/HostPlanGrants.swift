import CantoCore
import CantoPluginKit
import Foundation
import Metrics

/// A payment plugin's view of plans and grants: refused unless it declares `payments`; every
/// grant and ledger line it writes is marked as its own (the provider is the plugin). A renewal
/// that failed (`pastDue` without a `graceUntil`) keeps its plan for the configured grace days
/// from the end of the paid period, the first such day kept while the grant stays past due.
/// Every applied change is in the audit log.
struct HostPlanGrants: PlanGrants {
    let pluginID: String
    let allowed: Bool
    let store: any PlanStore
    let audit: any AuditStore
    let graceDays: Int
    let clock: any WallClock

    private func check() throws {
        guard allowed else { throw PluginPermissionDenied(pluginID: pluginID, permission: "payments") }
    }

    func plans() async throws -> [Plan] {
        try check()
        return try await store.plans()
    }

    func grant(of user: UserID) async throws -> PlanGrant? {
        try check()
        return try await store.grant(of: user)
    }

    func apply(eventID: String, user: UserID, grant: GrantChange, entry: LedgerEntry?) async throws -> Bool {
        try check()
        // A payment event the plugin processed, on /metrics: applied, a duplicate, or failed.
        let outcome: String
        defer {
            Counter(label: "canto_payment_events_total", dimensions: [("plugin", pluginID), ("outcome", outcome)])
                .increment()
        }
        do {
            let applied = try await change(eventID: eventID, user: user, grant: grant, entry: entry)
            outcome = applied ? "applied" : "duplicate"
            return applied
        } catch {
            outcome = "failed"
            throw error
        }
    }

    private func change(eventID: String, user: UserID, grant: GrantChange, entry: LedgerEntry?) async throws -> Bool {
        var entry = entry
        entry?.provider = pluginID
        entry?.userID = user
        entry?.actorID = nil
        let applied: Bool
        let subject: String
        switch grant {
        case .keep:
            applied = try await store.applyEvent(
                provider: pluginID, eventID: eventID, user: user, keep: true, grant: nil, entry: entry)
            subject = "user \(user.rawValue) plan kept"
        case .end:
            applied = try await store.applyEvent(
                provider: pluginID, eventID: eventID, user: user, keep: false, grant: nil, entry: entry)
            subject = "user \(user.rawValue) → free"
        case .set(var given):
            given.provider = pluginID
            given.userID = user
            if given.status == .pastDue, given.graceUntil == nil {
                given.graceUntil = try await graceEnd(of: given)
            }
            applied = try await store.applyEvent(
                provider: pluginID, eventID: eventID, user: user, keep: false, grant: given, entry: entry)
            subject = "user \(user.rawValue) → \(given.planID.rawValue) (\(given.status.rawValue))"
        }
        if applied, grant != .keep || entry != nil {
            try await audit.record(
                .planChanged, actor: nil, subject: "\(pluginID) event \(eventID): \(subject)", address: nil,
                at: clock.now)
        }
        return applied
    }

    /// The end of a failed renewal's grace: the one already given while the same grant stays past
    /// due, else the grace days from the end of the paid period (from now when it has none).
    private func graceEnd(of grant: PlanGrant) async throws -> Date {
        if let held = try await store.grant(of: grant.userID), held.status == .pastDue,
            held.reference == grant.reference, held.provider == grant.provider, let until = held.graceUntil
        {
            return until
        }
        let from = min(grant.periodEnd ?? clock.now, clock.now)
        return from.addingTimeInterval(Double(graceDays) * 86_400)
    }
}
