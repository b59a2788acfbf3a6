public import Foundation

/// A smart playlist's rules, in the shape of Navidrome's `.nsp` files (so they import and export
/// as they are): `{"all": [{"contains": {"title": "love"}}, {"any": [...]}], "sort": "year",
/// "order": "desc", "limit": 100}`. A rule is `{"<operator>": {"<field>": value}}`; groups nest.
public struct SmartDefinition: Sendable, Equatable {
    public indirect enum Criteria: Sendable, Equatable {
        case all([Criteria])
        case any([Criteria])
        case rule(SmartRule)
    }

    public var criteria: Criteria
    /// A field to sort by (nil: by album, disc and track), and whether it goes down.
    public var sort: SmartField?
    public var descending: Bool
    /// At most this many tracks (1 to 10,000; nil: all).
    public var limit: Int?

    public init(criteria: Criteria, sort: SmartField? = nil, descending: Bool = false, limit: Int? = nil) {
        self.criteria = criteria
        self.sort = sort
        self.descending = descending
        self.limit = limit
    }

    /// The most rules a definition may hold, and how deep groups may nest.
    public static let maxRules = 100
    public static let maxDepth = 5

    /// Reads a definition (an `.nsp` file's object), checking every field, operator and value.
    public init(json object: [String: Any]) throws {
        var rules = 0
        func group(_ object: [String: Any], depth: Int) throws -> Criteria {
            guard depth <= Self.maxDepth else { throw DomainError.invalid("rules", "groups nest at most 5 deep") }
            if let items = object["all"] ?? object["any"] {
                guard let list = items as? [[String: Any]] else {
                    throw DomainError.invalid("rules", "all and any hold a list of rules")
                }
                let children = try list.map { try group($0, depth: depth + 1) }
                return object["all"] != nil ? .all(children) : .any(children)
            }
            guard object.count == 1, let (name, body) = object.first, let operation = SmartOperator(rawValue: name)
            else {
                throw DomainError.invalid(
                    "rules",
                    "a rule is {\"operator\": {\"field\": value}}; operators: "
                        + SmartOperator.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let pair = body as? [String: Any], pair.count == 1, let (fieldName, value) = pair.first else {
                throw DomainError.invalid("rules", "\(name) takes one field and its value")
            }
            if operation == .inPlaylist || operation == .notInPlaylist {
                rules += 1
                guard fieldName == "id" else {
                    throw DomainError.invalid("rules", "\(name) takes {\"id\": playlist id}")
                }
                return .rule(try SmartRule(operation, .title, value))
            }
            guard let field = SmartField(rawValue: fieldName.lowercased()) else {
                throw DomainError.invalid(
                    "rules",
                    "unknown field \(fieldName); fields: "
                        + SmartField.allCases.map(\.rawValue).joined(separator: ", "))
            }
            rules += 1
            guard rules <= Self.maxRules else { throw DomainError.invalid("rules", "at most 100 rules") }
            return .rule(try SmartRule(operation, field, value))
        }
        guard object["all"] != nil || object["any"] != nil else {
            throw DomainError.invalid("rules", "the rules start with \"all\" or \"any\"")
        }
        criteria = try group(object, depth: 0)
        if let name = object["sort"] as? String, !name.isEmpty {
            let bare = name.hasPrefix("-") || name.hasPrefix("+") ? String(name.dropFirst()) : name
            guard let field = SmartField(rawValue: bare.lowercased()) else {
                throw DomainError.invalid("sort", "unknown field \(name)")
            }
            sort = field
            descending = name.hasPrefix("-")
        } else {
            sort = nil
            descending = false
        }
        if let order = object["order"] as? String {
            guard ["asc", "desc"].contains(order.lowercased()) else {
                throw DomainError.invalid("order", "must be asc or desc")
            }
            descending = order.lowercased() == "desc"
        }
        if let value = object["limit"] {
            guard let number = value as? Int, (1...10_000).contains(number) else {
                throw DomainError.invalid("limit", "must be 1 to 10000")
            }
            limit = number
        } else {
            limit = nil
        }
    }

    /// The definition as an `.nsp` object.
    public var json: [String: Any] {
        func object(_ criteria: Criteria) -> [String: Any] {
            switch criteria {
            case .all(let children): return ["all": children.map(object)]
            case .any(let children): return ["any": children.map(object)]
            case .rule(let rule) where rule.operation == .inPlaylist || rule.operation == .notInPlaylist:
                return [rule.operation.rawValue: ["id": rule.value.json]]
            case .rule(let rule): return [rule.operation.rawValue: [rule.field.rawValue: rule.value.json]]
            }
        }
        var result = object(criteria)
        if let sort {
            result["sort"] = sort.rawValue
            result["order"] = descending ? "desc" : "asc"
        }
        if let limit { result["limit"] = limit }
        return result
    }

    /// The definition as JSON text (what is stored).
    public var text: String {
        (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])).map {
            String(decoding: $0, as: UTF8.self)
        } ?? "{}"
    }

    /// Reads stored JSON text.
    public init(text: String) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw DomainError.invalid("rules", "must be a JSON object")
        }
        try self.init(json: object)
    }
}

/// What a rule compares a field with.
public indirect enum SmartValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case bool(Bool)
    case date(Date)
    /// Two numbers or two dates (`inTheRange`).
    case range(SmartValue, SmartValue)

    var json: Any {
        switch self {
        case .text(let text): return text
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? Int(number) : number
        case .bool(let bool): return bool
        case .date(let date): return SmartRule.day.string(from: date)
        case .range(let low, let high): return [low.json, high.json]
        }
    }
}

/// One rule: an operator, a field, a value of the field's kind.
public struct SmartRule: Sendable, Equatable {
    public var operation: SmartOperator
    public var field: SmartField
    public var value: SmartValue

    static let day: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()

    init(_ operation: SmartOperator, _ field: SmartField, _ raw: Any) throws {
        self.operation = operation
        self.field = field
        guard operation.applies(to: field.kind) else {
            throw DomainError.invalid(
                "rules", "\(operation.rawValue) does not apply to \(field.rawValue) (a \(field.kind.rawValue) field)")
        }
        func scalar(_ raw: Any) throws -> SmartValue {
            switch field.kind {
            case .text:
                guard let text = raw as? String ?? (raw as? NSNumber)?.stringValue, text.count <= 500 else {
                    throw DomainError.invalid("rules", "\(field.rawValue) takes text")
                }
                return .text(text)
            case .number:
                if let number = raw as? NSNumber, number.doubleValue.isFinite { return .number(number.doubleValue) }
                if let text = raw as? String, let number = Double(text), number.isFinite { return .number(number) }
                throw DomainError.invalid("rules", "\(field.rawValue) takes a number")
            case .bool:
                guard let bool = raw as? Bool else {
                    throw DomainError.invalid("rules", "\(field.rawValue) takes true or false")
                }
                return .bool(bool)
            case .date:
                guard let text = raw as? String, let date = Self.day.date(from: String(text.prefix(10))) else {
                    throw DomainError.invalid("rules", "\(field.rawValue) takes a date (2024-12-31)")
                }
                return .date(date)
            }
        }
        switch operation {
        case .inTheLast, .notInTheLast:
            guard let days = (raw as? NSNumber)?.intValue ?? (raw as? String).flatMap({ Int($0) }),
                (1...36_500).contains(days)
            else { throw DomainError.invalid("rules", "\(operation.rawValue) takes a number of days") }
            value = .number(Double(days))
        case .inTheRange:
            guard let pair = raw as? [Any], pair.count == 2 else {
                throw DomainError.invalid("rules", "inTheRange takes [low, high]")
            }
            value = .range(try scalar(pair[0]), try scalar(pair[1]))
        case .inPlaylist, .notInPlaylist:
            guard let text = raw as? String, !text.isEmpty, text.count < 100
            else { throw DomainError.invalid("rules", "\(operation.rawValue) takes {\"id\": playlist id}") }
            value = .text(text)
        default:
            value = try scalar(raw)
        }
    }
}

/// Rule operators, by the names `.nsp` files use.
public enum SmartOperator: String, Sendable, CaseIterable {
    case `is`, isNot, contains, notContains, startsWith, endsWith, gt, lt, before, after, inTheRange, inTheLast,
        notInTheLast, inPlaylist, notInPlaylist

    func applies(to kind: SmartField.Kind) -> Bool {
        switch self {
        case .is, .isNot: return true
        case .contains, .notContains, .startsWith, .endsWith: return kind == .text
        case .gt, .lt: return kind == .number || kind == .date
        case .before, .after, .inTheLast, .notInTheLast: return kind == .date
        case .inTheRange: return kind == .number || kind == .date
        case .inPlaylist, .notInPlaylist: return kind == .text
        }
    }
}

/// The fields a rule can read: the track's tags and file, the owner's own listening and marks,
/// and the track's measured sound.
public enum SmartField: String, Sendable, CaseIterable {
    case title, album, artist, albumartist, genre, comment, discsubtitle, filepath, filetype, library, codec
    case year, tracknumber, discnumber, duration, bitrate, bpm, size, channels, samplerate
    case playcount, skipcount, rating
    case loved, compilation
    case dateadded, datemodified, lastplayed, dateloved
    /// Measured by the sonic analysis (tracks not measured yet match no rule on them).
    case tempo, loudness, brightness

    public enum Kind: String, Sendable { case text, number, bool, date }

    public var kind: Kind {
        switch self {
        case .title, .album, .artist, .albumartist, .genre, .comment, .discsubtitle, .filepath, .filetype, .library,
            .codec:
            return .text
        case .loved, .compilation: return .bool
        case .dateadded, .datemodified, .lastplayed, .dateloved: return .date
        default: return .number
        }
    }
}
