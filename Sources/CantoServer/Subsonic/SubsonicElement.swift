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
        case .date(let value): Self.iso8601(value)
        }
    }

    /// Appends the value as JSON (UTF-8 bytes).
    func writeJSON(into output: inout [UInt8]) {
        switch self {
        case .string(let value): Self.writeJSONString(value, into: &output)
        case .int(let value): Self.writeJSONInteger(Int64(value), into: &output)
        case .double(let value): output.append(contentsOf: (value.isFinite ? String(value) : "null").utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .date: Self.writeJSONString(text, into: &output)
        }
    }

    /// Appends `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    static func writeJSONString(_ text: String, into output: inout [UInt8]) {
        output.append(0x22)
        var text = text
        // Native strings are contiguous UTF-8: runs with nothing to escape are copied whole.
        text.withUTF8 { bytes in
            var plainStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                switch byte {
                case 0x22: output.append(contentsOf: [0x5C, 0x22])
                case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [
                        0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)],
                    ])
                }
                plainStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...]))
        }
        output.append(0x22)
    }

    /// Appends `value` in decimal.
    static func writeJSONInteger(_ value: Int64, into output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold any UInt64.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// `2026-11-25T13:40:17Z`: RFC 3339 in UTC with whole seconds (Foundation's formatter costs
    /// microseconds a call, and a song list has hundreds of dates).
    static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "Z"
    }
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
    /// The element already written out, in both formats, for answers cached whole (the artist
    /// index): rendering then copies bytes instead of walking hundreds of elements.
    private(set) var rendered: Rendered?

    final class Rendered: Sendable {
        let name: String
        let json: [UInt8]
        let xml: String
        init(name: String, json: [UInt8], xml: String) {
            self.name = name
            self.json = json
            self.xml = xml
        }
    }

    /// This element with its JSON and its XML (as element `name`) rendered once.
    func prerendered(as name: String) -> SubsonicElement {
        var json: [UInt8] = []
        writeJSON(into: &json)
        var xml = ""
        self.xml(name: name, into: &xml)
        var copy = self
        copy.rendered = Rendered(name: name, json: json, xml: xml)
        return copy
    }

    /// This element without its rendering (to be changed, then written out afresh); its children
    /// keep theirs.
    var unrendered: SubsonicElement {
        var copy = self
        copy.rendered = nil
        return copy
    }

    /// The attribute `name`'s value as text, if the element has it.
    func attribute(_ name: String) -> String? {
        attributes.first { $0.0 == name }?.1.text
    }

    /// About the bytes this element holds in a cache: its rendered JSON and XML when prerendered
    /// (what the cached answers are), else a rough figure per attribute and child, counting
    /// prerendered children as theirs.
    var approximateBytes: Int {
        if let rendered { return rendered.json.count + rendered.xml.utf8.count + 128 }
        return 128 + attributes.count * 64
            + children.reduce(0) { sum, list in
                sum + 64 + list.elements.reduce(0) { $0 + ($1.rendered == nil ? 256 : $1.approximateBytes) }
            }
    }

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

    /// Appends the element as a JSON value: an object of its attributes, children and `value`
    /// text, in that order, or its scalar. Keys are the API's own ASCII names, written as they are.
    func writeJSON(into output: inout [UInt8]) {
        if let rendered {
            output.append(contentsOf: rendered.json)
            return
        }
        if let scalar {
            scalar.writeJSON(into: &output)
            return
        }
        output.append(UInt8(ascii: "{"))
        writeJSONMembers(into: &output)
        output.append(UInt8(ascii: "}"))
    }

    /// Appends the members of the element's JSON object (without its braces): its attributes,
    /// children and `value` text; whether it wrote any.
    @discardableResult
    func writeJSONMembers(into output: inout [UInt8]) -> Bool {
        var first = true
        func key(_ name: String) {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            output.append(0x22)
            output.append(contentsOf: name.utf8)
            output.append(contentsOf: [0x22, UInt8(ascii: ":")])
        }
        for (name, value) in attributes {
            key(name)
            value.writeJSON(into: &output)
        }
        for child in children {
            if !child.isList {
                guard let element = child.elements.first else { continue }
                key(child.name)
                element.writeJSON(into: &output)
                continue
            }
            key(child.name)
            output.append(UInt8(ascii: "["))
            for (index, element) in child.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.writeJSON(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
        if let text {
            key("value")
            SubsonicValue.writeJSONString(text, into: &output)
        }
        return !first
    }

    // MARK: XML

    func xml(name: String, into output: inout String, namespace: String? = nil) {
        if let rendered, rendered.name == name, namespace == nil {
            output += rendered.xml
            return
        }
        output += "<" + name
        if let namespace { output += " xmlns=\"\(namespace)\"" }
        if let scalar {
            output += ">" + Self.escape(scalar.text) + "</" + name + ">"
            return
        }
        if children.isEmpty && text == nil {
            writeXMLAttributes(into: &output)
            output += "/>"
            return
        }
        writeXMLContent(into: &output)
        output += "</" + name + ">"
    }

    /// The rest of a start tag already opened with `<name`: the attributes and `>`, then the
    /// text and children; the end tag is the caller's.
    func writeXMLContent(into output: inout String) {
        writeXMLAttributes(into: &output)
        output += ">"
        if let text { output += Self.escape(text) }
        for child in children {
            for element in child.elements { element.xml(name: child.name, into: &output) }
        }
    }

    private func writeXMLAttributes(into output: inout String) {
        for (key, value) in attributes { output += " \(key)=\"" + Self.escape(value.text, attribute: true) + "\"" }
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
