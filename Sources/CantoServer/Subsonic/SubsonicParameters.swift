import Foundation

/// The request's parameters: the query string and, for a form POST, the body, merged.
/// Repeated keys (`id=1&id=2`) keep every value.
struct SubsonicParameters: Sendable {
    private(set) var values: [String: [String]] = [:]

    init(query: String?, form: String?) {
        for source in [query, form] {
            guard let source, !source.isEmpty else { continue }
            for pair in source.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let rawKey = parts.first else { continue }
                let key = Self.decode(rawKey)
                let value = parts.count > 1 ? Self.decode(parts[1]) : ""
                values[key, default: []].append(value)
            }
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    func string(_ name: String) -> String? { values[name]?.first }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    func required(_ name: String) throws(SubsonicError) -> String {
        guard let value = string(name), !value.isEmpty else { throw .missing(name) }
        return value
    }

    func int(_ name: String, default fallback: Int? = nil) throws(SubsonicError) -> Int? {
        guard let text = string(name), !text.isEmpty else { return fallback }
        guard let value = Int(text) else { throw .invalid(name, "not a whole number") }
        return value
    }

    /// `true`, `True`, `1` … as clients send them.
    func bool(_ name: String, default fallback: Bool = false) -> Bool {
        guard let text = string(name)?.lowercased() else { return fallback }
        return ["true", "1", "yes"].contains(text)
    }

    /// A count clamped to `range` (Subsonic's `size`, `count`, with their maximum of 500).
    func count(_ name: String, default fallback: Int, max maximum: Int = 500) throws(SubsonicError) -> Int {
        let value = try int(name, default: fallback) ?? fallback
        return Swift.max(0, Swift.min(value, maximum))
    }

    /// The flattened dictionary the authenticator reads (`u`, `p`, `t`, `s`, `apiKey`).
    var firstValues: [String: String] { values.compactMapValues(\.first) }
}
