import CantoPluginKit
import Foundation

/// Stripe's REST API as the plugin speaks it: form-encoded bodies in bracket notation
/// (`line_items[0][price_data][currency]=eur`), `Authorization: Bearer sk_…`, the pinned
/// `Stripe-Version`, and an `Idempotency-Key` on every POST, kept across the retries of one
/// logical operation (Stripe replays the first answer to a key, so a retry never charges twice).
struct StripeClient: Sendable {
    /// The API version the plugin is written against (Dahlia: periods on subscription items,
    /// invoices' `parent.subscription_details`, Checkout's `ui_mode` `hosted_page`).
    static let version = "2026-03-25.dahlia"

    let http: any PluginHTTPClient
    let base: URL
    let secretKey: String

    /// Stripe's error answer (`{"error":{"type","code","message"}}`).
    struct Failure: Error, CustomStringConvertible {
        var status: Int
        var type: String
        var message: String
        var description: String { "Stripe answered \(status) \(type): \(message)" }
    }

    /// Form pairs in the order given (Stripe reads bracketed names; order only matters for arrays).
    typealias Form = [(String, String)]

    func get(_ path: String, query: Form = []) async throws -> [String: Any] {
        var components = URLComponents(url: url(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty {
            components?.percentEncodedQuery = String(decoding: PluginHTTPRequest.formBody(query), as: UTF8.self)
        }
        guard let target = components?.url else { throw Failure(status: 0, type: "client", message: "bad path") }
        return try await send(PluginHTTPRequest(method: "GET", url: target, headers: headers()), retries: 2)
    }

    /// A POST under `idempotencyKey` (a fresh one per logical operation; the same on its retries).
    func post(_ path: String, _ form: Form, idempotencyKey: String = UUID().uuidString) async throws -> [String: Any] {
        var headers = headers()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Idempotency-Key"] = idempotencyKey
        return try await send(
            PluginHTTPRequest(method: "POST", url: url(path), headers: headers, body: PluginHTTPRequest.formBody(form)),
            retries: 2)
    }

    private func url(_ path: String) -> URL {
        path.split(separator: "/").reduce(base.appendingPathComponent("v1")) { $0.appendingPathComponent(String($1)) }
    }

    private func headers() -> [String: String] {
        ["Authorization": "Bearer \(secretKey)", "Stripe-Version": Self.version, "Accept": "application/json"]
    }

    /// Sends, retrying a network failure or a 5xx (Stripe's advice) with the same request, so the
    /// same idempotency key; a 4xx is Stripe's final word.
    private func send(_ request: PluginHTTPRequest, retries: Int) async throws -> [String: Any] {
        var attempt = 0
        while true {
            do {
                let answer = try await http.send(request)
                let json = answer.json ?? [:]
                if (200..<300).contains(answer.status) { return json }
                let error = json["error"] as? [String: Any]
                let failure = Failure(
                    status: answer.status, type: error?["type"] as? String ?? "api_error",
                    message: error?["message"] as? String ?? "no message")
                if answer.status < 500 || attempt >= retries { throw failure }
            } catch let failure as Failure {
                throw failure
            } catch {
                if attempt >= retries { throw error }
            }
            attempt += 1
            try await Task.sleep(for: .milliseconds(200 * attempt))
        }
    }
}
