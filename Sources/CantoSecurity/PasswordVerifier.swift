/// What checks a login password against its stored hash: `PasswordHasher` (bcrypt), or a
/// stand-in in tests that counts the calls.
public protocol PasswordVerifier: Sendable {
    /// Whether `password` matches `hash`. Throws only `CancellationError`.
    func verify(_ password: String, hash: String) async throws -> Bool
    /// Spends about the time of one `verify`, for a user that does not exist.
    func simulateVerification(of password: String) async
}

extension PasswordHasher: PasswordVerifier {}
