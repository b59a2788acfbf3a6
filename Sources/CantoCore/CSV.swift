import Foundation

/// RFC 4180 text, for every CSV export (the server's and plugins'): fields with a comma, quote or
/// line break are quoted, quotes doubled; a field starting with =, +, - or @ that is not a number
/// gets a leading apostrophe so a spreadsheet does not run it as a formula.
public enum CSV {
    /// The rows, each line ended by CR LF.
    public static func text(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    public static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
