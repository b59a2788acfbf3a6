import Foundation
import StripePlugin
import Testing

/// Stripe's webhook signatures: a good one, several `v1` while a secret rolls, a replay outside
/// the tolerance (either side), a changed body, a wrong secret, an unknown scheme ignored, and a
/// missing or malformed header — each refused for its own reason.
@Suite("Stripe signatures")
struct StripeSignatureTests {
    let body = Data(#"{"id":"evt_1","object":"event","type":"invoice.paid"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let secret = "whsec_test_secret"

    func header(_ signatures: [String], at time: Int) -> String {
        (["t=\(time)"] + signatures.map { "v1=\($0)" }).joined(separator: ",")
    }

    @Test func aGoodSignatureIsAcceptedAndEveryBadOneRefusedForItsReason() throws {
        let time = Int(now.timeIntervalSince1970)
        let good = StripeSignature.sign(body, timestamp: time, secret: secret)
        #expect(good.count == 64)
        try StripeSignature.verify(header: header([good], at: time), body: body, secrets: [secret], now: now)
        // While the secret rolls: the old one signs too, and the endpoint knows both.
        let old = StripeSignature.sign(body, timestamp: time, secret: "whsec_old")
        try StripeSignature.verify(
            header: header([old, good], at: time) + ",v0=ignored", body: body, secrets: ["whsec_new", secret], now: now)
        try StripeSignature.verify(header: header([old], at: time), body: body, secrets: ["whsec_old"], now: now)

        func refusal(_ header: String?, body: Data? = nil, secrets: [String]? = nil, at date: Date? = nil)
            -> StripeSignature.Refusal?
        {
            do {
                try StripeSignature.verify(
                    header: header, body: body ?? self.body, secrets: secrets ?? [secret], now: date ?? now)
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal(nil) == .unsigned)
        #expect(refusal("") == .unsigned)
        #expect(refusal("t=\(time)") == .malformed)
        #expect(refusal("v1=\(good)") == .malformed)
        #expect(refusal(header([good], at: time), at: now.addingTimeInterval(301)) == .outsideTolerance)
        #expect(refusal(header([good], at: time), at: now.addingTimeInterval(-301)) == .outsideTolerance)
        #expect(refusal(header([good], at: time), at: now.addingTimeInterval(299)) == nil)
        #expect(refusal(header([good], at: time), body: Data(#"{"id":"evt_2"}"#.utf8)) == .mismatch)
        #expect(refusal(header([good], at: time), secrets: ["whsec_other"]) == .mismatch)
        // A signature made for another timestamp does not hold for this one.
        #expect(refusal(header([good], at: time + 1)) == .mismatch)
    }
}
