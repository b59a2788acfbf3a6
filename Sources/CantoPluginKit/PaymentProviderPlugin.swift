public import CantoCore
public import Foundation

/// A payment provider (Stripe, …): it starts a checkout for a plan and opens its self-service
/// page for a listener; what then happens at the provider (paid, renewed, failed, cancelled,
/// refunded) reaches it through its public webhook route, and it records the outcome with
/// ``PlanGrants``. Declare ``PluginPermissions/payments`` (and `publicRoutes` for webhooks). No
/// card data ever passes through Canto: the provider's own pages take it.
public protocol PaymentProviderPlugin: CantoPlugin {
    /// The provider's page where `user` pays for `plan`; they come back to `returnURL`. Access
    /// is granted from the provider's event, never from their return.
    func checkout(_ plan: Plan, for user: PaymentCustomer, returnURL: URL) async throws -> URL
    /// The provider's self-service page for `user` (change card, cancel); nil when they have
    /// never paid through this provider.
    func portal(for user: PaymentCustomer, returnURL: URL) async throws -> URL?
}

/// Who is paying, as a provider needs to know them.
public struct PaymentCustomer: Sendable, Equatable {
    public var userID: UserID
    public var username: String
    public var email: String?

    public init(userID: UserID, username: String, email: String?) {
        self.userID = userID
        self.username = username
        self.email = email
    }
}

/// Listeners' plans and the ledger as a payment provider changes them. Each event is applied
/// once: the same event ID again changes nothing (providers deliver twice); its grant and its
/// ledger line are written together, with the event's mark, in one transaction.
public protocol PlanGrants: Sendable {
    func plans() async throws -> [Plan]
    func grant(of user: UserID) async throws -> PlanGrant?
    /// Applies the provider's event `eventID`: the listener's grant becomes `grant` (nil: back to
    /// the free plan; `.keep`: unchanged) and `entry` joins the ledger. False when the event had
    /// been applied before. The provider of the grant and the entry is the plugin, whatever they say.
    @discardableResult
    func apply(eventID: String, user: UserID, grant: GrantChange, entry: LedgerEntry?) async throws -> Bool
}

/// What an event does to a listener's grant.
public enum GrantChange: Sendable, Equatable {
    case keep
    case set(PlanGrant)
    /// Back to the free plan.
    case end
}

/// No plans to change (a plugin that has not declared payments, or a host without them).
public struct NoPlanGrants: PlanGrants {
    public init() {}
    public func plans() async throws -> [Plan] { [] }
    public func grant(of user: UserID) async throws -> PlanGrant? { nil }
    public func apply(eventID: String, user: UserID, grant: GrantChange, entry: LedgerEntry?) async throws -> Bool {
        false
    }
}
