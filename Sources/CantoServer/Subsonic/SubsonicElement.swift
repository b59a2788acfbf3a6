import Foundation

/// A scalar in a Subsonic response: an XML attribute value or a JSON number, string or boolean.
enum SubsonicValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case date(Date)

    var text: String {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .date(let value): SubsonicValue.dateFormatter.string(from: value)
        }
    }

    var json: Any {
        switch self {
        case .string(let value): value
        case .int(let value): value
        case .double(let value): value
        case .bool(let value): value
        case .date: text
        }
    }

    nonisolated(unsafe) static let dateFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()
}

/// One element of a Subsonic response, rendered the same way to XML (attributes, child elements,
/// text) and to JSON (keys, arrays, `value`). Built by the endpoint handlers; no database type
/// reaches it.
struct SubsonicElement: Sendable {
    /// Children under one name: a list renders as a JSON array even with one item.
    struct Children: Sendable {
        var name: String
        var elements: [SubsonicElement]
        var isList: Bool
    }

    var attributes: [(String, SubsonicValue)] = []
    var children: [Children] = []
    /// Mixed content: the XML text, JSON `value` (genre names, lyrics).
    var text: String?
    /// An element that is only a value: XML `<versions>1</versions>`, JSON `1`.
    var scalar: SubsonicValue?

    init(_ attributes: [(String, SubsonicValue?)] = [], text: String? = nil) {
        self.attributes = attributes.compactMap { key, value in value.map { (key, $0) } }
        self.text = text
    }

    static func value(_ scalar: SubsonicValue) -> SubsonicElement {
        var element = SubsonicElement()
        element.scalar = scalar
        return element
    }

    /// Adds a single child element (a JSON object).
    func with(_ name: String, _ element: SubsonicElement) -> SubsonicElement {
        var copy = self
        copy.children.append(Children(name: name, elements: [element], isList: false))
        return copy
    }

    /// Adds a list of child elements (a JSON array, `[]` when empty).
    func with(_ name: String, list: [SubsonicElement]) -> SubsonicElement {
        var copy = self
        copy.children.append(Children(name: name, elements: list, isList: true))
        return copy
    }

    // MARK: JSON

    var jsonObject: Any {
        if let scalar { return scalar.json }
        var object: [String: Any] = [:]
        for (key, value) in attributes { object[key] = value.json }
        for child in children {
            object[child.name] = child.isList ? child.elements.map(\.jsonObject) : child.elements.first?.jsonObject
        }
        if let text { object["value"] = text }
        return object
    }

    // MARK: XML

    func xml(name: String, into output: inout String, namespace: String? = nil) {
        output += "<" + name
        if let namespace { output += " xmlns=\"\(namespace)\"" }
        if let scalar {
            output += ">" + Self.escape(scalar.text) + "</" + name + ">"
            return
        }
        for (key, value) in attributes { output += " \(key)=\"" + Self.escape(value.text, attribute: true) + "\"" }
        if children.isEmpty && text == nil {
            output += "/>"
            return
        }
        output += ">"
        if let text { output += Self.escape(text) }
        for child in children {
            for element in child.elements { element.xml(name: child.name, into: &output) }
        }
        output += "</" + name + ">"
    }

    /// Escapes text for XML; in attributes line breaks and tabs become character references,
    /// so parsers keep them instead of folding them into spaces.
    static func escape(_ text: String, attribute: Bool = false) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n" where attribute: result += "&#10;"
            case "\r" where attribute: result += "&#13;"
            case "\t" where attribute: result += "&#9;"
            default:
                // XML 1.0 forbids most control characters even escaped; tags can hold them.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\r" && scalar != "\t" { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
