import Crypto
public import Foundation

/// Message authentication for plugins that check what a service signs (webhooks) or sign what
/// they send: HMAC-SHA256 in lowercase hex, and a comparison whose time does not depend on
/// where two strings differ.
public enum Signatures {
    /// HMAC-SHA256 of `message` with `key`, as lowercase hex.
    public static func hmacSHA256(_ message: Data, key: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// Whether two strings are equal, in time that does not depend on where they differ.
    public static func equal(_ left: String, _ right: String) -> Bool {
        let (a, b) = (Array(left.utf8), Array(right.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
