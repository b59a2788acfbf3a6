import CantoCore
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

    /// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte. A malformed
    /// escape stays as it is; bytes that are not UTF-8 become U+FFFD.
    static func decode(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = hexValue(utf8, index),
                let low = hexValue(utf8, utf8.index(after: index))
            {
                bytes.append(high << 4 | low)
                index = utf8.index(index, offsetBy: 2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ utf8: Substring.UTF8View, _ index: Substring.UTF8View.Index) -> UInt8? {
        guard index != utf8.endIndex else { return nil }
        switch utf8[index] {
        case let digit where (0x30...0x39).contains(digit): return digit - 0x30
        case let letter where (0x41...0x46).contains(letter): return letter - 0x41 + 10
        case let letter where (0x61...0x66).contains(letter): return letter - 0x61 + 10
        default: return nil
        }
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

    /// A whole number that must lie in `range` (an ID, a position, a year), or `invalid`.
    func int(_ name: String, in range: ClosedRange<Int>) throws(SubsonicError) -> Int? {
        guard let value = try int(name) else { return nil }
        guard range.contains(value) else {
            throw .invalid(name, "must lie between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// A paging offset: 0 when missing, never negative, at most a billion (deeper pages are empty anyway).
    func offset(_ name: String) throws(SubsonicError) -> Int {
        Swift.max(0, Swift.min(try int(name) ?? 0, 1_000_000_000))
    }

    /// `text` (milliseconds since 1970, as Subsonic sends times) as an instant that can be stored
    /// and read back (years 1970 to 9999), or `invalid` naming `name`.
    static func instant(_ text: String, name: String) throws(SubsonicError) -> Date {
        guard let milliseconds = Int64(text), let date = try? StoredTime.fromMilliseconds(milliseconds, field: name)
        else { throw .invalid(name, "must be milliseconds since 1970, before the year 10000") }
        return date
    }

    /// A number of seconds in `range` (fractions allowed), or `invalid`; NaN and infinities are refused.
    func seconds(_ name: String, in range: ClosedRange<Double>) throws(SubsonicError) -> Double? {
        guard let text = string(name), !text.isEmpty else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw .invalid(
                name, "must be a number of seconds from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
        }
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
