import CantoPluginKit
public import Foundation

/// Stripe's webhook signatures, checked on the raw body before anything reads it: the
/// `Stripe-Signature` header is `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (several `v1` while a
/// secret rolls; other schemes ignored), each `v1` the HMAC-SHA256 of `"<t>." + body` with the
/// endpoint's secret (`whsec_…`, as is). Accepted when any `v1` matches any secret (compared in
/// constant time) and `t` is within the tolerance of now, either side.
public enum StripeSignature {
    /// Why a delivery was refused.
    public enum Refusal: Error, Equatable, Sendable {
        /// No `Stripe-Signature` header.
        case unsigned
        /// No timestamp or no `v1` in it.
        case malformed
        /// Older (or newer) than the tolerance: a replay, or a clock far off.
        case outsideTolerance
        /// No `v1` matches: a wrong secret or a changed body.
        case mismatch
    }

    /// Checks `header` against `body` with any of `secrets`; throws why it is refused.
    public static func verify(
        header: String?, body: Data, secrets: [String], now: Date, tolerance: TimeInterval = 300
    ) throws(Refusal) {
        guard let header, !header.isEmpty else { throw .unsigned }
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int(pair[1])
            case "v1": signatures.append(pair[1].lowercased())
            default: continue
            }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformed }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { throw .outsideTolerance }
        for secret in secrets where !secret.isEmpty {
            let expected = sign(body, timestamp: timestamp, secret: secret)
            if signatures.contains(where: { Signatures.equal($0, expected) }) { return }
        }
        throw .mismatch
    }

    /// The `v1` signature of `body` sent at `timestamp` with `secret` (lowercase hex).
    public static func sign(_ body: Data, timestamp: Int, secret: String) -> String {
        var payload = Data("\(timestamp).".utf8)
        payload.append(body)
        return Signatures.hmacSHA256(payload, key: Data(secret.utf8))
    }
}
