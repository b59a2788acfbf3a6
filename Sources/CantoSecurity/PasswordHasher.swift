import HummingbirdBcrypt

/// Hashes and checks login passwords with bcrypt, off the cooperative thread pool.
///
/// Each hasher has its own small queue, as wide as the machine has cores, so bcrypt never runs
/// on the threads that serve requests.
public struct PasswordHasher: Sendable {
    /// The production work factor: about a quarter of a second per hash on a current core.
    public static let defaultCost = 12
    /// The work factors bcrypt accepts. Tests may go as low as 4; production stays at 12 or more.
    public static let allowedCosts = 4...31

    /// log2 of bcrypt's rounds.
    public let cost: Int
    private let queue: WorkQueue

    /// - Parameter cost: bcrypt's work factor; must be within `allowedCosts`.
    public init(cost: Int = PasswordHasher.defaultCost) {
        precondition(Self.allowedCosts.contains(cost), "bcrypt cost must be 4 to 31")
        self.cost = cost
        queue = WorkQueue(label: "canto.bcrypt")
    }

    /// A new bcrypt hash (`$2b$<cost>$…`) of a password that meets `PasswordPolicy`.
    ///
    /// Throws `PasswordPolicyError` for a password the policy refuses, or `CancellationError`
    /// when the task is cancelled before the work starts.
    public func hash(_ password: String) async throws -> String {
        try PasswordPolicy.check(password)
        try Task.checkCancellation()
        let cost = UInt8(cost)
        return await queue.run { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches a bcrypt `hash`. A malformed hash never matches.
    ///
    /// Throws only `CancellationError`, when the task is cancelled before the work starts.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        // bcrypt would stop at a NUL or the 72nd byte and match a longer text: refuse both.
        guard password.utf8.count <= PasswordPolicy.maximumBytes, !password.utf8.contains(0) else { return false }
        try Task.checkCancellation()
        return await queue.run { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends about the time of one `verify`, for a username that does not exist, so response
    /// times do not tell which usernames do.
    public func simulateVerification(of password: String) async {
        let cost = UInt8(cost)
        _ = await queue.run { Bcrypt.hash(password, cost: cost) }
    }
}
