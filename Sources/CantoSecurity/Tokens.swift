import Crypto
import Foundation

/// Random secrets (session tokens, app passwords, API keys), their stored hashes, and the
/// comparison to use on them. Every random byte comes from `SystemRandomNumberGenerator`,
/// the operating system's cryptographic source.
public enum Tokens {
    /// Characters of the 256-bit tokens: base64url.
    static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    /// App password characters: letters and digits that cannot be mistaken for one another
    /// when read off a screen (no 0/O/o, 1/l/I/i).
    public static let appPasswordAlphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    /// What every API key starts with, so a leaked one is easy to recognise (and to scan for).
    public static let apiKeyPrefix = "canto_"
    /// Length of a token from `sessionToken()`: 32 bytes in base64url without padding.
    public static let tokenLength = 43
    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    private static let lowercaseAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// `count` random bytes.
    public static func randomBytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A random 256-bit token in base64url without padding (43 characters), for sessions and
    /// the setup link. Store only its `hash(_:)`.
    public static func sessionToken() -> String {
        base64URL(randomBytes(count: 32))
    }

    /// Whether `token` has the shape of a `sessionToken()`: worth hashing and looking up.
    public static func isWellFormed(_ token: String) -> Bool {
        token.count == tokenLength && token.allSatisfy { base64URLAlphabet.contains($0) }
    }

    /// A random Subsonic app password: `length` characters of `appPasswordAlphabet`
    /// (24 give about 138 bits).
    public static func appPassword(length: Int = 24) -> String {
        randomString(length: length, alphabet: appPasswordAlphabet)
    }

    /// A random OpenSubsonic API key: `apiKeyPrefix` and 43 letters and digits (about 256 bits),
    /// all selectable with one double-click. Store only its `hash(_:)`.
    public static func apiKey() -> String {
        apiKeyPrefix + randomString(length: 43, alphabet: alphanumerics)
    }

    /// A random identifier for a stored row (20 lower-case letters and digits, about 103 bits):
    /// unique, not secret.
    public static func identifier() -> String {
        randomString(length: 20, alphabet: lowercaseAlphanumerics)
    }

    /// The PKCE S256 challenge of a code verifier (RFC 7636): base64url of its SHA-256, unpadded.
    public static func pkceChallenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The SHA-256 of a token's UTF-8 bytes in lower-case hex: what the database keeps in
    /// place of a session token, setup token or API key.
    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    /// Whether two strings have the same UTF-8 bytes, in time that depends only on their
    /// lengths, not on where they first differ.
    public static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        constantTimeEqual(Array(lhs.utf8), Array(rhs.utf8))
    }

    /// Whether two byte strings are equal, in time that depends only on their lengths.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Uniform characters: `Int.random(in:using:)` rejects the biased draws.
    private static func randomString(length: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
