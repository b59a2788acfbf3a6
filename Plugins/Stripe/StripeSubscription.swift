public import CantoCore
public import CantoPluginKit
public import Foundation

/// What a Stripe subscription, as Stripe holds it now, means for the listener's grant. The
/// subscription's state decides, never the order its events arrived in: every event about it is
/// answered by reading it again, so the last one processed leaves the grant as the subscription
/// stands, however the deliveries were shuffled, doubled or delayed.
public struct StripeSubscription: Sendable, Equatable {
    public var id: String
    public var customer: String?
    /// incomplete, incomplete_expired, trialing, active, past_due, canceled, unpaid, paused.
    public var status: String
    public var cancelAtPeriodEnd: Bool
    /// The current period of its (first) item (Basil and later keep periods on items).
    public var periodStart: Date?
    public var periodEnd: Date?
    public var trialEnd: Date?
    /// `metadata[canto_user]` and `metadata[canto_plan]`, set at checkout.
    public var user: UserID?
    public var plan: PlanID?

    /// Reads Stripe's subscription object; nil when it is not one.
    public init?(_ object: [String: Any]) {
        guard object["object"] as? String == "subscription", let id = object["id"] as? String,
            let status = object["status"] as? String
        else { return nil }
        self.id = id
        self.status = status
        customer = Self.id(of: object["customer"])
        cancelAtPeriodEnd = object["cancel_at_period_end"] as? Bool ?? false
        let item = ((object["items"] as? [String: Any])?["data"] as? [[String: Any]])?.first
        periodStart = Self.date(item?["current_period_start"])
        periodEnd = Self.date(item?["current_period_end"])
        trialEnd = Self.date(object["trial_end"])
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        user = (metadata["canto_user"] as? String).map { UserID($0) }
        plan = (metadata["canto_plan"] as? String).map { PlanID($0) }
    }

    /// The grant change for `user` whose grant now is `held`. A subscription that ended ends the
    /// grant only when the grant is this subscription's (a listener who resubscribed keeps the new one).
    public func change(for user: UserID, plan: PlanID, held: PlanGrant?) -> GrantChange {
        func grant(_ status: PlanGrant.Status, until: Date?) -> GrantChange {
            .set(
                PlanGrant(
                    userID: user, planID: plan, provider: "stripe", status: status, periodEnd: until, reference: id))
        }
        let ours = held?.reference == id
        switch status {
        case "active":
            return grant(cancelAtPeriodEnd ? .canceled : .active, until: periodEnd)
        case "trialing":
            return grant(cancelAtPeriodEnd ? .canceled : .trialing, until: trialEnd ?? periodEnd)
        case "past_due", "unpaid":
            // The paid period ended when the failed one began; the host adds the grace days.
            return ours || held == nil ? grant(.pastDue, until: periodStart ?? periodEnd) : .keep
        case "canceled", "incomplete_expired", "paused":
            return ours ? .end : .keep
        default:
            // incomplete: nothing paid yet.
            return .keep
        }
    }

    static func id(of value: Any?) -> String? {
        if let text = value as? String { return text }
        return (value as? [String: Any])?["id"] as? String
    }

    static func date(_ value: Any?) -> Date? {
        if let seconds = value as? Int { return Date(timeIntervalSince1970: Double(seconds)) }
        if let seconds = value as? Double { return Date(timeIntervalSince1970: seconds) }
        return nil
    }
}
