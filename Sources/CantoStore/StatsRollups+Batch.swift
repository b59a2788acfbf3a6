import CantoCore
import Foundation
import GRDB

extension StatsRollups {
    /// Plays and skips and their seconds, as every rollup row sums them.
    struct Sums {
        var plays = 0
        var skips = 0
        var seconds = 0

        static func += (sums: inout Sums, other: Sums) {
            sums.plays += other.plays
            sums.skips += other.skips
            sums.seconds += other.seconds
        }

        var values: [(any DatabaseValueConvertible)?] { [plays, skips, seconds] }
    }

    /// The rollups of some plays, gathered in memory and written together: plays that add to the
    /// same row (their listener's hour, their client's day, an artist, a genre, a format, a
    /// window) add to it once. What must be read first is read as each play is added (its first
    /// listen, its session, the windows it falls in); the rest is summed by key until `write`.
    /// One play's rollups are a batch of one. `rebuild` gives the same figures.
    struct Batch {
        private struct HourKey: Hashable {
            var user: String
            var day: Int
            var hour: Int
        }
        /// A listener's (`user`) or the household's (nil) row of a track's day.
        private struct TrackDayKey: Hashable {
            var user: String?
            var day: Int
            var track: String
        }
        /// A row of an item table (`itemTables`): a listener's or the household's (nil), of a
        /// month or a year (nil for all time).
        private struct ItemKey: Hashable {
            var user: String?
            var period: Int?
            var kind: String
            var item: String
        }
        private struct WindowKey: Hashable {
            var owner: String
            var end: Int
            var kind: String
            var item: String
        }
        private struct ClientKey: Hashable {
            var user: String
            var day: Int
            var client: String
        }
        private struct MonthKey: Hashable {
            var user: String
            var month: Int
        }

        /// Whether plays add to the twelve-month windows (a rebuild builds them after instead).
        private let addsToWindows: Bool
        private var hours: [HourKey: (sums: Sums, firstListens: Int)] = [:]
        private var trackDays: [TrackDayKey: (artist: String?, album: String?, sums: Sums)] = [:]
        /// One dictionary for each of `itemTables`, in its order.
        private var items: [[ItemKey: (sums: Sums, last: Date?)]] = itemTables.map { _ in [:] }
        private var windows: [WindowKey: Sums] = [:]
        private var sounds: [MonthKey: (plays: Int, tempo: Double, loudness: Double)] = [:]
        private var clients: [ClientKey: Int] = [:]
        /// Read once a batch: owners, tracks' facts, and each window owner's window ends.
        private var owners: [String: Owner] = [:]
        private var facts: [String: TrackFacts] = [:]
        private var windowEnds: [String: [Int]] = [:]
        /// Plays added since the last write.
        private(set) var pending = 0

        init(addsToWindows: Bool = true) {
            self.addsToWindows = addsToWindows
        }

        /// The listener's owner facts, read once a batch.
        mutating func owner(of user: String, _ db: Database) throws -> Owner {
            if let known = owners[user] { return known }
            let found = try StatsRollups.owner(user, db)
            owners[user] = found
            return found
        }

        /// Adds one play: its first listen and session now, its sums to the batch.
        mutating func add(
            user: String, track: String, startedAt: Date, seconds: Int, client: String?, scrobble: Bool,
            _ db: Database
        ) throws {
            let owner = try owner(of: user, db)
            let (day, hour) = LocalDay.of(startedAt, in: owner.zone)
            // The twelve-month windows the play falls in (moved on first when it opens a new month).
            var windowsOf: [(String, [Int])] = []
            if addsToWindows {
                for key in windowOwners(user, owner) {
                    windowsOf.append((key, try windows(of: key, for: day.month, db)))
                }
            }
            let seconds = max(0, seconds)
            let sums = Sums(plays: scrobble ? 1 : 0, skips: scrobble ? 0 : 1, seconds: seconds)
            var firstListen = 0
            if scrobble {
                let known = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT first_at, day, hour FROM stat_first WHERE user_id = ? AND track_id = ?"),
                    arguments: [user, track])
                if let known {
                    let row = StoredRow(known, table: "stat_first")
                    if startedAt < (try row.date(0)) {
                        // An earlier play arrived late: it is the first listen now, not the one counted before.
                        let old = HourKey(user: user, day: try row[1], hour: try row[2])
                        hours[old, default: (Sums(), 0)].firstListens -= 1
                        try db.cachedStatement(
                            sql:
                                "UPDATE stat_first SET first_at = ?, day = ?, hour = ? WHERE user_id = ? AND track_id = ?"
                        ).execute(arguments: [startedAt, day.number, hour, user, track])
                        firstListen = 1
                    }
                } else {
                    try db.cachedStatement(
                        sql: "INSERT INTO stat_first (user_id, track_id, first_at, day, hour) VALUES (?, ?, ?, ?, ?)"
                    ).execute(arguments: [user, track, startedAt, day.number, hour])
                    firstListen = 1
                }
            }
            let hourKey = HourKey(user: user, day: day.number, hour: hour)
            hours[hourKey, default: (Sums(), 0)].sums += sums
            hours[hourKey, default: (Sums(), 0)].firstListens += firstListen
            let facts = try facts(of: track, db)
            let whose: [String?] = owner.shared ? [user, nil] : [user]
            for key in whose {
                trackDays[
                    TrackDayKey(user: key, day: day.number, track: track),
                    default: (facts.artist, facts.album, Sums())
                ].sums += sums
            }
            let (year, month) = (day.date.year, day.month)
            let items = facts.items(track: track)
            for (index, table) in itemTables.enumerated() {
                let period = table.period == "month" ? month : table.period == "year" ? year : nil
                for key in whose {
                    for (kind, item) in items {
                        let itemKey = ItemKey(user: key, period: period, kind: kind, item: item)
                        var row = self.items[index][itemKey] ?? (Sums(), nil)
                        row.sums += sums
                        // All time also keeps a listener's latest play (the "recent" album list).
                        if period == nil, key != nil, row.last.map({ startedAt > $0 }) ?? true { row.last = startedAt }
                        self.items[index][itemKey] = row
                    }
                }
            }
            for (key, ends) in windowsOf {
                for end in ends {
                    for (kind, item) in items {
                        windows[WindowKey(owner: key, end: end, kind: kind, item: item), default: Sums()] += sums
                    }
                }
            }
            if scrobble, let sound = facts.sound {
                var row = sounds[MonthKey(user: user, month: month)] ?? (0, 0, 0)
                row.plays += 1
                row.tempo += sound.tempo
                row.loudness += sound.loudness
                sounds[MonthKey(user: user, month: month)] = row
            }
            clients[ClientKey(user: user, day: day.number, client: client ?? ""), default: 0] += 1
            try addToSession(user: user, start: startedAt, end: startedAt.addingTimeInterval(Double(seconds)), db)
            pending += 1
        }

        /// The track's facts, read once a batch.
        private mutating func facts(of track: String, _ db: Database) throws -> TrackFacts {
            if let known = facts[track] { return known }
            let found = try StatsRollups.facts(of: track, db)
            facts[track] = found
            return found
        }

        /// The windows a play of `month` falls in. When it is the owner's first play in a month
        /// later than their windows, the windows move to it first: built from the month rows, so
        /// the sums gathered so far are written before.
        private mutating func windows(of key: String, for month: Int, _ db: Database) throws -> [Int] {
            var ends: [Int]
            if let known = windowEnds[key] {
                ends = known
            } else {
                ends = try Int.fetchAll(
                    db.cachedStatement(sql: "SELECT end_month FROM stat_window_end WHERE owner = ?"), arguments: [key])
            }
            if ends.max().map({ month > $0 }) ?? true {
                try write(db)
                try moveWindows(of: key, to: month, db)
                ends = [month - 12, month]
            }
            windowEnds[key] = ends
            return ends.filter { (month...month + 11).contains($0) }
        }

        /// Writes the sums gathered (a statement a table for all their rows) and starts again;
        /// the owners, facts and window ends read stay known.
        mutating func write(_ db: Database) throws {
            guard pending > 0 else { return }
            let adding =
                "plays = plays + excluded.plays, skips = skips + excluded.skips, seconds = seconds + excluded.seconds"
            try upsert(
                into: "stat_hour (user_id, day, hour, plays, skips, seconds, first_listens)",
                rows: hours.map { key, row in [key.user, key.day, key.hour] + row.sums.values + [row.firstListens] },
                conflict: """
                    (user_id, day, hour) DO UPDATE SET \(adding),
                        first_listens = first_listens + excluded.first_listens
                    """, db)
            let listeners = trackDays.filter { $0.key.user != nil }
            try upsert(
                into: "stat_track_day (user_id, day, track_id, artist_id, album_id, plays, skips, seconds)",
                rows: listeners.map { key, row in
                    [key.user, key.day, key.track, row.artist, row.album] + row.sums.values
                },
                conflict: "(user_id, day, track_id) DO UPDATE SET \(adding)", db)
            let household = trackDays.filter { $0.key.user == nil }
            try upsert(
                into: "stat_house_track_day (day, track_id, artist_id, album_id, plays, skips, seconds)",
                rows: household.map { key, row in [key.day, key.track, row.artist, row.album] + row.sums.values },
                conflict: "(day, track_id) DO UPDATE SET \(adding)", db)
            for (index, (table, house, period)) in itemTables.enumerated() {
                let key = period.isEmpty ? "" : "\(period), "
                let listeners = items[index].filter { $0.key.user != nil }
                let household = items[index].filter { $0.key.user == nil }
                if period.isEmpty {
                    try upsert(
                        into: "\(table) (user_id, kind, item, plays, skips, seconds, last_played)",
                        rows: listeners.map { key, row in [key.user, key.kind, key.item] + row.sums.values + [row.last]
                        },
                        conflict: """
                            (user_id, kind, item) DO UPDATE SET \(adding),
                                last_played = CASE WHEN last_played IS NULL OR excluded.last_played > last_played
                                    THEN excluded.last_played ELSE last_played END
                            """, db)
                    try upsert(
                        into: "\(house) (kind, item, plays, skips, seconds)",
                        rows: household.map { key, row in [key.kind, key.item] + row.sums.values },
                        conflict: "(kind, item) DO UPDATE SET \(adding)", db)
                } else {
                    try upsert(
                        into: "\(table) (user_id, \(key)kind, item, plays, skips, seconds)",
                        rows: listeners.map { key, row in [key.user, key.period, key.kind, key.item] + row.sums.values
                        },
                        conflict: "(user_id, kind, \(key)item) DO UPDATE SET \(adding)", db)
                    try upsert(
                        into: "\(house) (\(key)kind, item, plays, skips, seconds)",
                        rows: household.map { key, row in [key.period, key.kind, key.item] + row.sums.values },
                        conflict: "(kind, \(key)item) DO UPDATE SET \(adding)", db)
                }
            }
            try upsert(
                into: "stat_window (owner, end_month, kind, item, plays, skips, seconds)",
                rows: windows.map { key, sums in [key.owner, key.end, key.kind, key.item] + sums.values },
                conflict: "(owner, end_month, kind, item) DO UPDATE SET \(adding)", db)
            try upsert(
                into: "stat_sound_month (user_id, month, plays, tempo, loudness)",
                rows: sounds.map { key, row in [key.user, key.month, row.plays, row.tempo, row.loudness] },
                conflict: """
                    (user_id, month) DO UPDATE SET plays = plays + excluded.plays, tempo = tempo + excluded.tempo,
                        loudness = loudness + excluded.loudness
                    """, db)
            try upsert(
                into: "stat_client_day (user_id, day, client, plays)",
                rows: clients.map { key, plays in [key.user, key.day, key.client, plays] },
                conflict: "(user_id, day, client) DO UPDATE SET plays = plays + excluded.plays", db)
            hours = [:]
            trackDays = [:]
            items = itemTables.map { _ in [:] }
            windows = [:]
            sounds = [:]
            clients = [:]
            pending = 0
        }
    }
}
