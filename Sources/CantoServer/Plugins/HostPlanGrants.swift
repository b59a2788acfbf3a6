import CantoCore
import CantoPluginKit
import Foundation

/// A payment plugin's view of plans and grants: refused unless it declares `payments`; every
/// grant and ledger line it writes is marked as its own (the provider is the plugin).
struct HostPlanGrants: PlanGrants {
    let pluginID: String
    let allowed: Bool
    let store: any PlanStore

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
        var entry = entry
        entry?.provider = pluginID
        entry?.userID = user
        entry?.actorID = nil
        switch grant {
        case .keep:
            return try await store.applyEvent(
                provider: pluginID, eventID: eventID, user: user, keep: true, grant: nil, entry: entry)
        case .end:
            return try await store.applyEvent(
                provider: pluginID, eventID: eventID, user: user, keep: false, grant: nil, entry: entry)
        case .set(var given):
            given.provider = pluginID
            given.userID = user
            return try await store.applyEvent(
                provider: pluginID, eventID: eventID, user: user, keep: false, grant: given, entry: entry)
        }
    }
}
