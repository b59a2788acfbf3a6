public import Foundation

public enum PlanKind {}
/// A plan's ID ("free" is the plan of everyone without another).
public typealias PlanID = Identifier<PlanKind>

/// What a plan lets its listeners do, each enforced where it applies. An admin is never limited.
public struct Entitlements: Sendable, Equatable, Codable {
    /// The highest bitrate a stream is sent at, in kbit/s; nil: no cap.
    public var maxBitrate: Int?
    /// Whether files may be streamed as they are (lossless included) rather than transcoded.
    public var originalFiles: Bool
    /// Whether whole files may be downloaded.
    public var downloads: Bool
    /// Whether public share links may be made.
    public var shares: Bool
    /// How many streams may play at once; nil: no limit.
    public var concurrentStreams: Int?
    /// How many API keys (one per app or device) a listener may hold; nil: no limit.
    public var apiKeys: Int?
    /// Room for what a listener uploads and the server keeps (their avatar, the playlist files
    /// they import), in KiB; nil: no limit.
    public var storageKB: Int?
    /// The libraries the plan opens, within those the listener is given; nil: all of theirs.
    public var libraries: [LibraryID]?

    public init(
        maxBitrate: Int? = nil, originalFiles: Bool = true, downloads: Bool = true, shares: Bool = true,
        concurrentStreams: Int? = nil, apiKeys: Int? = nil, storageKB: Int? = nil, libraries: [LibraryID]? = nil
    ) {
        self.maxBitrate = maxBitrate
        self.originalFiles = originalFiles
        self.downloads = downloads
        self.shares = shares
        self.concurrentStreams = concurrentStreams
        self.apiKeys = apiKeys
        self.storageKB = storageKB
        self.libraries = libraries
    }

    /// The libraries `user` sees under these entitlements: theirs (nil: all) within the plan's.
    public func libraries(within given: [LibraryID]?) -> [LibraryID]? {
        guard let libraries else { return given }
        guard let given else { return libraries }
        return given.filter(libraries.contains)
    }

    /// Everything (admins; the free plan until an admin limits it).
    public static let unlimited = Entitlements()

    /// A value an admin sent, checked: caps positive and within reason.
    public func checked() throws -> Entitlements {
        if let maxBitrate, !(32...10_000).contains(maxBitrate) {
            throw DomainError.invalid("maxBitrate", "must be 32 to 10000 kbit/s, or none")
        }
        if let concurrentStreams, !(1...100).contains(concurrentStreams) {
            throw DomainError.invalid("concurrentStreams", "must be 1 to 100, or none")
        }
        if let apiKeys, !(0...1_000).contains(apiKeys) {
            throw DomainError.invalid("apiKeys", "must be 0 to 1000, or none")
        }
        if let storageKB, !(0...100_000_000).contains(storageKB) {
            throw DomainError.invalid("storageKB", "must be 0 to 100000000 KiB, or none")
        }
        if let libraries {
            guard libraries.count <= 1_000, Set(libraries).count == libraries.count else {
                throw DomainError.invalid("libraries", "must name each library once")
            }
        }
        return self
    }
}

/// A plan an admin defines: its price (in minor units of an ISO currency, per interval), its
/// free trial, and what it grants.
public struct Plan: Sendable, Equatable, Codable {
    public enum Interval: String, Sendable, Codable, CaseIterable {
        case month, year
        /// Not renewed (a free plan, or one granted for a period by hand).
        case none
    }

    public var id: PlanID
    public var name: String
    public var priceMinor: Int
    /// ISO 4217, upper case ("EUR").
    public var currency: String
    public var interval: Interval
    public var trialDays: Int
    public var entitlements: Entitlements

    public static let freeID = PlanID("free")

    public init(
        id: PlanID, name: String, priceMinor: Int = 0, currency: String = "EUR", interval: Interval = .none,
        trialDays: Int = 0, entitlements: Entitlements = .unlimited
    ) {
        self.id = id
        self.name = name
        self.priceMinor = priceMinor
        self.currency = currency
        self.interval = interval
        self.trialDays = trialDays
        self.entitlements = entitlements
    }

    /// Whether `code` has the shape of an ISO 4217 code ("EUR").
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.count == 3 && code.allSatisfy { $0.isASCII && $0.isUppercase }
    }

    /// The plan as an admin sent it, checked.
    public func checked() throws -> Plan {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count) else { throw DomainError.invalid("name", "must be 1 to 80 characters") }
        guard (0...10_000_000).contains(priceMinor) else {
            throw DomainError.invalid("priceMinor", "must be 0 to 10000000 (minor units)")
        }
        guard Self.isCurrencyCode(currency) else {
            throw DomainError.invalid("currency", "must be an ISO 4217 code such as EUR")
        }
        guard (0...365).contains(trialDays) else { throw DomainError.invalid("trialDays", "must be 0 to 365") }
        var plan = self
        plan.name = name
        plan.entitlements = try entitlements.checked()
        return plan
    }
}

/// A listener's plan beyond the free one: who provides it, until when, in what state.
public struct PlanGrant: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case active, trialing
        /// A renewal failed: access stays until `graceUntil`.
        case pastDue = "past_due"
        /// Cancelled: access stays until the paid period ends.
        case canceled
    }

    public var userID: UserID
    public var planID: PlanID
    /// "manual", "stripe", …
    public var provider: String
    public var status: Status
    /// When the paid (or granted) period ends; nil: until revoked.
    public var periodEnd: Date?
    public var graceUntil: Date?
    /// The provider's reference (a subscription ID).
    public var reference: String?

    public init(
        userID: UserID, planID: PlanID, provider: String, status: Status, periodEnd: Date?, graceUntil: Date? = nil,
        reference: String? = nil
    ) {
        self.userID = userID
        self.planID = planID
        self.provider = provider
        self.status = status
        self.periodEnd = periodEnd
        self.graceUntil = graceUntil
        self.reference = reference
    }

    /// Whether it still gives its plan at `date`.
    public func isCurrent(at date: Date) -> Bool {
        switch status {
        case .active, .trialing, .canceled: return periodEnd.map { date < $0 } ?? true
        case .pastDue: return (graceUntil ?? periodEnd).map { date < $0 } ?? false
        }
    }
}

/// One line of the append-only ledger: a payment, a refund or a plan change.
public struct LedgerEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case payment, refund
        case planChange = "plan_change"
    }

    public var id: Int64
    public var at: Date
    public var userID: UserID
    public var kind: Kind
    public var planID: PlanID?
    /// In minor units; a refund is negative.
    public var amountMinor: Int
    public var currency: String
    public var provider: String
    public var reference: String?
    /// Who did it (an admin granting a plan by hand), when someone did.
    public var actorID: UserID?
    public var note: String?

    public init(
        id: Int64 = 0, at: Date, userID: UserID, kind: Kind, planID: PlanID?, amountMinor: Int = 0,
        currency: String = "EUR", provider: String, reference: String? = nil, actorID: UserID? = nil,
        note: String? = nil
    ) {
        self.id = id
        self.at = at
        self.userID = userID
        self.kind = kind
        self.planID = planID
        self.amountMinor = amountMinor
        self.currency = currency
        self.provider = provider
        self.reference = reference
        self.actorID = actorID
        self.note = note
    }
}

/// Plans, listeners' grants and the ledger, kept together: a grant changes with its ledger line
/// in one transaction.
public protocol PlanStore: Sendable {
    func plans() async throws -> [Plan]
    func savePlan(_ plan: Plan) async throws
    /// Removes a plan nobody holds (the free plan stays); false when there was none.
    func deletePlan(_ id: PlanID) async throws -> Bool
    func grant(of user: UserID) async throws -> PlanGrant?
    /// Sets (or, nil, ends) the listener's grant and appends `entry` to the ledger, together.
    func setGrant(_ grant: PlanGrant?, of user: UserID, entry: LedgerEntry) async throws
    /// Ledger lines, newest first (one listener's, or everyone's).
    func ledger(of user: UserID?, limit: Int) async throws -> [LedgerEntry]
    /// Applies a provider's event once (false when `eventID` of `provider` was applied before):
    /// the grant is kept (`keep`), set, or removed (`end`), and `entry` appended, with the event's
    /// mark, in one transaction.
    func applyEvent(
        provider: String, eventID: String, user: UserID, keep: Bool, grant: PlanGrant?, entry: LedgerEntry?
    ) async throws -> Bool
}
