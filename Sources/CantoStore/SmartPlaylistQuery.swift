import CantoCore
import Foundation
import GRDB

/// A smart playlist's rules as one SQL query over the catalog, the owner's marks (stars,
/// ratings), their rolled-up plays and skips, and (when a rule asks) their last plays — within
/// the libraries they may see.
struct SmartPlaylistQuery {
    let definition: SmartDefinition
    let owner: UserID
    let libraries: [LibraryID]?
    let now: Date

    private var arguments: [any DatabaseValueConvertible] = []
    private var usesLastPlayed = false

    init(_ definition: SmartDefinition, owner: UserID, libraries: [LibraryID]?, now: Date) {
        self.definition = definition
        self.owner = owner
        self.libraries = libraries
        self.now = now
    }

    /// The query and its arguments.
    mutating func sql() -> (String, StatementArguments) {
        var wheres = [condition(definition.criteria)]
        if let libraries {
            if libraries.isEmpty {
                wheres.append("0")
            } else {
                wheres.append("t.library_id IN (\(libraries.map { _ in "?" }.joined(separator: ", ")))")
                arguments += libraries.map(\.rawValue)
            }
        }
        var order = "t.album_artist_name COLLATE NOCASE, t.album COLLATE NOCASE, t.disc_number, t.track_number, t.id"
        if let sort = definition.sort {
            let direction = definition.descending ? "DESC" : "ASC"
            let nulls = definition.descending ? "IS NULL" : "IS NOT NULL"
            let expression = Self.expression(sort, usesLastPlayed: &usesLastPlayed)
            order = "(\(expression)) \(nulls), \(expression) \(direction), " + order
        }
        var joins = """
            LEFT JOIN annotation a ON a.user_id = ? AND a.item_id = t.id
            LEFT JOIN stat_item_total s ON s.user_id = ? AND s.kind = 't' AND s.item = t.id
            """
        var head: [any DatabaseValueConvertible] = [owner.rawValue, owner.rawValue]
        if usesLastPlayed {
            joins += """

                LEFT JOIN (SELECT track_id, max(started_at) AS last FROM play WHERE user_id = ? GROUP BY track_id) lp
                    ON lp.track_id = t.id
                """
            head.append(owner.rawValue)
        }
        var text = "SELECT t.id FROM track t \(joins) WHERE \(wheres.joined(separator: " AND ")) ORDER BY \(order)"
        var tail: [any DatabaseValueConvertible] = []
        if let limit = definition.limit {
            text += " LIMIT ?"
            tail.append(limit)
        }
        return (text, StatementArguments(head + arguments + tail))
    }

    private mutating func condition(_ criteria: SmartDefinition.Criteria) -> String {
        switch criteria {
        case .all(let children):
            return children.isEmpty ? "1" : "(" + children.map { condition($0) }.joined(separator: " AND ") + ")"
        case .any(let children):
            return children.isEmpty ? "0" : "(" + children.map { condition($0) }.joined(separator: " OR ") + ")"
        case .rule(let rule):
            return self.rule(rule)
        }
    }

    static func expression(_ field: SmartField, usesLastPlayed: inout Bool) -> String {
        switch field {
        case .title: "t.title"
        case .album: "t.album"
        case .artist: "t.artist_name"
        case .albumartist: "t.album_artist_name"
        case .genre:
            "(SELECT group_concat(g.name, '; ') FROM track_genre tg JOIN genre g ON g.id = tg.genre_id WHERE tg.track_id = t.id)"
        case .comment: "t.comment"
        case .discsubtitle: "t.disc_subtitle"
        case .filepath: "t.path"
        case .filetype: "t.suffix"
        case .library: "t.library_id"
        case .codec: "t.codec"
        case .year: "t.year"
        case .tracknumber: "t.track_number"
        case .discnumber: "t.disc_number"
        case .duration: "(t.duration_ms / 1000.0)"
        case .bitrate: "t.bitrate"
        case .bpm: "t.bpm"
        case .size: "t.size"
        case .channels: "t.channels"
        case .samplerate: "t.sample_rate"
        case .playcount: "coalesce(s.plays, 0)"
        case .skipcount: "coalesce(s.skips, 0)"
        case .rating: "coalesce(a.rating, 0)"
        case .loved: "(a.starred_at IS NOT NULL)"
        case .compilation: "t.compilation"
        case .dateadded: "t.created_at"
        case .datemodified: "t.modified_at"
        case .dateloved: "a.starred_at"
        case .tempo: sonic(SonicFeatures.Index.tempo)
        case .loudness: sonic(SonicFeatures.Index.loudness)
        case .brightness: sonic(SonicFeatures.Index.centroid)
        case .lastplayed:
            {
                usesLastPlayed = true; return "lp.last"
            }()
        }
    }

    /// One measured value of the track's sonic features.
    static func sonic(_ index: Int) -> String {
        "(SELECT canto_sonic(ts.features, \(index)) FROM track_sonic ts WHERE ts.track_id = t.id)"
    }

    private static func like(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    private static func day(_ date: Date, plus days: Int = 0) -> Date { date.addingTimeInterval(Double(days) * 86_400) }

    private mutating func rule(_ rule: SmartRule) -> String {
        if rule.operation == .inPlaylist || rule.operation == .notInPlaylist, case .text(let id) = rule.value {
            arguments += [id, owner.rawValue]
            let set = """
                t.id IN (SELECT pt.track_id FROM playlist_track pt JOIN playlist p ON p.id = pt.playlist_id
                    WHERE pt.playlist_id = ? AND (p.owner_id = ? OR p.is_public = 1))
                """
            return rule.operation == .inPlaylist ? set : "NOT \(set)"
        }
        if rule.field == .genre { return genre(rule) }
        let x = Self.expression(rule.field, usesLastPlayed: &usesLastPlayed)
        switch (rule.operation, rule.value) {
        case (.is, .text(let text)):
            arguments.append(text)
            return "lower(coalesce(\(x), '')) = lower(?)"
        case (.isNot, .text(let text)):
            arguments.append(text)
            return "lower(coalesce(\(x), '')) <> lower(?)"
        case (.contains, .text(let text)), (.notContains, .text(let text)):
            arguments.append("%" + Self.like(text) + "%")
            return "coalesce(\(x), '') \(rule.operation == .contains ? "" : "NOT ")LIKE ? ESCAPE '\\'"
        case (.startsWith, .text(let text)):
            arguments.append(Self.like(text) + "%")
            return "coalesce(\(x), '') LIKE ? ESCAPE '\\'"
        case (.endsWith, .text(let text)):
            arguments.append("%" + Self.like(text))
            return "coalesce(\(x), '') LIKE ? ESCAPE '\\'"
        case (.is, .number(let number)):
            arguments.append(number)
            return "\(x) = ?"
        case (.isNot, .number(let number)):
            arguments.append(number)
            return "\(x) IS NOT ?"
        case (.gt, .number(let number)):
            arguments.append(number)
            return "\(x) > ?"
        case (.lt, .number(let number)):
            arguments.append(number)
            return "\(x) < ?"
        case (.inTheRange, .range(.number(let low), .number(let high))):
            arguments += [min(low, high), max(low, high)]
            return "\(x) BETWEEN ? AND ?"
        case (.is, .bool(let flag)):
            return "coalesce(\(x), 0) = \(flag ? 1 : 0)"
        case (.isNot, .bool(let flag)):
            return "coalesce(\(x), 0) <> \(flag ? 1 : 0)"
        case (.is, .date(let date)):
            arguments += [date, Self.day(date, plus: 1)]
            return "(\(x) >= ? AND \(x) < ?)"
        case (.isNot, .date(let date)):
            arguments += [date, Self.day(date, plus: 1)]
            return "NOT coalesce(\(x) >= ? AND \(x) < ?, 0)"
        case (.before, .date(let date)), (.lt, .date(let date)):
            arguments.append(date)
            return "\(x) < ?"
        case (.after, .date(let date)), (.gt, .date(let date)):
            arguments.append(Self.day(date, plus: 1))
            return "\(x) >= ?"
        case (.inTheRange, .range(.date(let low), .date(let high))):
            arguments += [min(low, high), Self.day(max(low, high), plus: 1)]
            return "(\(x) >= ? AND \(x) < ?)"
        case (.inTheLast, .number(let days)):
            arguments.append(Self.day(now, plus: -Int(days)))
            return "\(x) >= ?"
        case (.notInTheLast, .number(let days)):
            arguments.append(Self.day(now, plus: -Int(days)))
            return "(\(x) IS NULL OR \(x) < ?)"
        default:
            return "0"
        }
    }

    /// A genre rule holds when any (or, negated, no) genre of the track matches.
    private mutating func genre(_ rule: SmartRule) -> String {
        guard case .text(let text) = rule.value else { return "0" }
        let match: String
        switch rule.operation {
        case .is, .isNot:
            arguments.append(text)
            match = "lower(g.name) = lower(?)"
        case .contains, .notContains:
            arguments.append("%" + Self.like(text) + "%")
            match = "g.name LIKE ? ESCAPE '\\'"
        case .startsWith:
            arguments.append(Self.like(text) + "%")
            match = "g.name LIKE ? ESCAPE '\\'"
        default:
            arguments.append("%" + Self.like(text))
            match = "g.name LIKE ? ESCAPE '\\'"
        }
        let exists =
            "EXISTS (SELECT 1 FROM track_genre tg JOIN genre g ON g.id = tg.genre_id WHERE tg.track_id = t.id AND \(match))"
        return rule.operation == .isNot || rule.operation == .notContains ? "NOT \(exists)" : exists
    }
}
