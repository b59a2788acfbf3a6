/// The one-time token that lets the first admin be created. The token goes to whoever runs
/// the server (in the log or on the console) once; only its hash is stored.
public struct SetupToken: Sendable, Equatable {
    /// The token to show, once.
    public let token: String
    /// Its SHA-256 hex, to store.
    public let hash: String

    /// A fresh random token and its hash.
    public static func generate() -> SetupToken {
        let token = Tokens.sessionToken()
        return SetupToken(token: token, hash: Tokens.hash(token))
    }

    /// Whether `candidate` is the token whose hash was stored, compared in constant time.
    public static func matches(_ candidate: String, storedHash: String) -> Bool {
        Tokens.isWellFormed(candidate) && Tokens.constantTimeEqual(Tokens.hash(candidate), storedHash)
    }
}
