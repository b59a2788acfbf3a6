public import CantoCore
public import Foundation

/// A listener's (or the household's) listening figures for a period, from the rollups: when and
/// how much they listen, their charts against the period before, their habits, how their taste
/// moves, and their year in review. Days are the listener's own (their time zone).
public struct StatsService: Sendable {
    let store: any StatsStore
    let users: any UserStore
    let clock: any WallClock

    public init(store: any StatsStore, users: any UserStore, clock: any WallClock) {
        self.store = store
        self.users = users
        self.clock = clock
    }

    /// A period as the API names it.
    public enum Period: Sendable, Equatable {
        /// The last N days, today included.
        case days(Int)
        /// The last twelve months, this one included.
        case months12
        case year(Int)
        case all
        case custom(LocalDay, LocalDay)

        /// `period` = 7d, 30d, 90d, 12m, all, a year ("2025"), or custom with `from` and `to`
        /// (YYYY-MM-DD); nil when it is none of these.
        public init?(period: String?, from: String?, to: String?) {
            switch period ?? "30d" {
            case "7d": self = .days(7)
            case "30d": self = .days(30)
            case "90d": self = .days(90)
            case "12m": self = .months12
            case "all": self = .all
            case "custom":
                guard let from = from.flatMap({ LocalDay(iso: $0) }), let to = to.flatMap({ LocalDay(iso: $0) }),
                    from <= to, to.number - from.number < 36_600
                else { return nil }
                self = .custom(from, to)
            case let text:
                guard text.count == 4, let year = Int(text), (1900...2999).contains(year) else { return nil }
                self = .year(year)
            }
        }
    }

    /// The days of a period and of the one before it (nil for all time), for a listener whose
    /// first play was on `firstDay`.
    public func ranges(_ period: Period, zone: TimeZone, firstDay: LocalDay?) -> (
        current: DayRange, previous: DayRange?
    ) {
        let today = LocalDay.of(clock.now, in: zone).day
        switch period {
        case .days(let count):
            let range = DayRange(today - (count - 1), today)
            return (range, range.previous)
        case .months12:
            let first = LocalDay.first(ofMonth: today.month - 11)
            return (
                DayRange(first, today),
                DayRange(LocalDay.first(ofMonth: today.month - 23), first - 1)
            )
        case .year(let year):
            return (
                DayRange(LocalDay(year: year, month: 1, day: 1), LocalDay(year: year, month: 12, day: 31)),
                DayRange(LocalDay(year: year - 1, month: 1, day: 1), LocalDay(year: year - 1, month: 12, day: 31))
            )
        case .all:
            return (DayRange(min(firstDay ?? today, today), today), nil)
        case .custom(let from, let to):
            let range = DayRange(from, to)
            return (range, range.previous)
        }
    }

    /// Whose listening a question is about, in whose time zone.
    public struct Audience: Sendable {
        public var users: [UserID]
        public var zone: TimeZone
        public var firstDay: LocalDay?
        /// What the asker may see (nil: every library).
        public var libraries: Set<LibraryID>?
        /// The household's charts (the sum kept for `users`, the listeners who share).
        public var household = false
    }

    /// The listener alone.
    public func listener(_ view: CatalogView) async throws -> Audience {
        let zone = TimeZone(identifier: try await users.preferences(of: view.user.id).timeZone) ?? .gmt
        return Audience(
            users: [view.user.id], zone: zone, firstDay: try await store.firstDay(of: view.user.id),
            libraries: view.scope.map(Set.init))
    }

    /// The household members who let the others see their listening, in the asker's time zone
    /// and libraries.
    public func household(_ view: CatalogView) async throws -> Audience {
        var visible: [UserID] = []
        var firstDay: LocalDay?
        for user in try await users.users() where try await users.preferences(of: user.id).listeningVisible {
            visible.append(user.id)
            if let day = try await store.firstDay(of: user.id) { firstDay = min(firstDay ?? day, day) }
        }
        var audience = try await listener(view)
        audience.users = visible
        audience.firstDay = firstDay
        audience.household = true
        return audience
    }

    // MARK: Listening over time

    public enum Unit: String, Sendable, CaseIterable { case day, week, month, year }

    public struct Point: Sendable, Encodable {
        /// The first day of the bucket ("2026-12-01").
        public var start: String
        public var plays: Int
        public var skips: Int
        public var minutes: Double
        public var firstListens: Int
    }

    public struct Listening: Sendable, Encodable {
        public var from: String
        public var to: String
        public var unit: String
        public var points: [Point]
        public var totals: Totals
        /// The period before, as far as there is one.
        public var previous: Totals?
    }

    public struct Totals: Sendable, Encodable, Equatable {
        public var plays: Int
        public var skips: Int
        public var minutes: Double
        public var firstListens: Int

        init(_ totals: ListeningTotals) {
            plays = totals.plays
            skips = totals.skips
            minutes = (Double(totals.seconds) / 6).rounded() / 10
            firstListens = totals.firstListens
        }
    }

    static func bucket(_ day: LocalDay, _ unit: Unit) -> LocalDay {
        switch unit {
        case .day: return day
        case .week: return day.weekStart
        case .month: return LocalDay.first(ofMonth: day.month)
        case .year: return LocalDay(year: day.date.year, month: 1, day: 1)
        }
    }

    static func next(_ day: LocalDay, _ unit: Unit) -> LocalDay {
        switch unit {
        case .day: return day + 1
        case .week: return day + 7
        case .month: return LocalDay.first(ofMonth: day.month + 1)
        case .year: return LocalDay(year: day.date.year + 1, month: 1, day: 1)
        }
    }

    /// Plays, skips, minutes and first listens per day, week, month or year of the period
    /// (every bucket, empty ones too), with the totals and the period before's.
    public func listening(_ audience: Audience, _ period: Period, unit: Unit) async throws -> Listening {
        let ranges = ranges(period, zone: audience.zone, firstDay: audience.firstDay)
        let days = try await store.days(of: audience.users, in: ranges.current)
        var buckets: [LocalDay: ListeningTotals] = [:]
        var total = ListeningTotals()
        for (day, totals) in days {
            let key = Self.bucket(day, unit)
            buckets[key, default: ListeningTotals()].add(totals)
            total.add(totals)
        }
        var points: [Point] = []
        var cursor = Self.bucket(ranges.current.first, unit)
        // At most a few thousand buckets (a century by day is refused by the period check).
        while cursor <= ranges.current.last, points.count < 40_000 {
            let totals = buckets[cursor] ?? ListeningTotals()
            points.append(
                Point(
                    start: cursor.iso, plays: totals.plays, skips: totals.skips,
                    minutes: (Double(totals.seconds) / 6).rounded() / 10, firstListens: totals.firstListens))
            cursor = Self.next(cursor, unit)
        }
        var previous: Totals?
        if let range = ranges.previous {
            var sum = ListeningTotals()
            for (_, totals) in try await store.days(of: audience.users, in: range) { sum.add(totals) }
            previous = Totals(sum)
        }
        return Listening(
            from: ranges.current.first.iso, to: ranges.current.last.iso, unit: unit.rawValue, points: points,
            totals: Totals(total), previous: previous)
    }

    // MARK: Charts

    public struct ChartItem: Sendable, Encodable {
        public var id: String
        public var name: String
        public var artist: String?
        public var plays: Int
        public var minutes: Double
        public var rank: Int
        /// The rank in the period before (nil: not in its chart).
        public var previousRank: Int?
        public var previousPlays: Int
    }

    public struct Chart: Sendable, Encodable {
        public var kind: String
        public var from: String
        public var to: String
        public var items: [ChartItem]
        /// The biggest gains and losses in plays against the period before.
        public var rising: [ChartItem]
        public var falling: [ChartItem]
    }

    /// The top `limit` of a kind for the period, each with its rank and plays the period before,
    /// and what rose and fell the most.
    public func chart(_ audience: Audience, _ period: Period, kind: ChartKind, limit: Int) async throws -> Chart {
        let ranges = ranges(period, zone: audience.zone, firstDay: audience.firstDay)
        let depth = max(limit, 200)
        // The period and the one before, side by side (two readers).
        async let current = entries(kind, audience, ranges.current, wholeHistory: period == .all, depth: depth)
        var before: [ChartEntry] = []
        if let previous = ranges.previous {
            before = try await entries(kind, audience, previous, wholeHistory: false, depth: depth)
        }
        let now = try await current
        let beforeRank = Dictionary(
            before.enumerated().map { ($1.id, $0 + 1) }, uniquingKeysWith: { first, _ in first })
        let beforePlays = Dictionary(before.map { ($0.id, $0.plays) }, uniquingKeysWith: { first, _ in first })
        func item(_ entry: ChartEntry, rank: Int) -> ChartItem {
            ChartItem(
                id: entry.id, name: entry.name, artist: entry.artist, plays: entry.plays,
                minutes: (Double(entry.seconds) / 6).rounded() / 10, rank: rank, previousRank: beforeRank[entry.id],
                previousPlays: beforePlays[entry.id] ?? 0)
        }
        let items = now.enumerated().map { item($1, rank: $0 + 1) }
        var rising: [ChartItem] = []
        var falling: [ChartItem] = []
        if ranges.previous != nil {
            rising = items.filter { $0.plays > $0.previousPlays }
                .sorted { ($0.plays - $0.previousPlays, $1.name) > ($1.plays - $1.previousPlays, $0.name) }
            let nowIDs = Set(now.map(\.id))
            let nowPlays = Dictionary(now.map { ($0.id, $0.plays) }, uniquingKeysWith: { first, _ in first })
            falling = before.compactMap { entry -> ChartItem? in
                let plays = nowPlays[entry.id] ?? 0
                guard plays < entry.plays else { return nil }
                var fallen = item(entry, rank: 0)
                fallen.plays = plays
                fallen.minutes = 0
                fallen.rank = nowIDs.contains(entry.id) ? (items.first { $0.id == entry.id }?.rank ?? 0) : 0
                return fallen
            }.sorted { ($0.previousPlays - $0.plays, $1.name) > ($1.previousPlays - $1.plays, $0.name) }
        }
        return Chart(
            kind: kind.rawValue, from: ranges.current.first.iso, to: ranges.current.last.iso,
            items: Array(items.prefix(limit)), rising: Array(rising.prefix(5)), falling: Array(falling.prefix(5)))
    }

    /// A chart's entries: the listener's, or the household's sum.
    func entries(_ kind: ChartKind, _ audience: Audience, _ range: DayRange, wholeHistory: Bool, depth: Int)
        async throws -> [ChartEntry]
    {
        try await store.chart(
            kind, of: audience.household ? .household : .users(audience.users), in: range,
            wholeHistory: wholeHistory, libraries: audience.libraries, limit: depth)
    }

    // MARK: Habits

    public struct Streak: Sendable, Encodable, Equatable {
        public var days: Int
        public var from: String?
        public var to: String?
    }

    public struct Share: Sendable, Encodable {
        public var name: String
        public var plays: Int
    }

    public struct Habits: Sendable, Encodable {
        public var from: String
        public var to: String
        /// Counted plays by weekday (0 Monday) and hour, in the listener's time zone.
        public var heatmap: [[Int]]
        public var longestStreak: Streak
        /// Days in a row with a play, up to today (or yesterday, when today has none yet).
        public var currentStreak: Streak
        /// The share of counted plays that were first listens of a track (0 to 1).
        public var newShare: Double
        /// The share of plays stopped early (0 to 1).
        public var skipRate: Double
        public var sessions: Int
        public var averageSessionMinutes: Double
        /// Every play (skips too) by the file's format, and by the app that played it.
        public var formats: [Share]
        public var clients: [Share]
    }

    public func habits(_ audience: Audience, _ period: Period) async throws -> Habits {
        let ranges = ranges(period, zone: audience.zone, firstDay: audience.firstDay)
        let range = ranges.current
        let days = try await store.days(of: audience.users, in: range)
        var total = ListeningTotals()
        for (_, totals) in days { total.add(totals) }
        let played = days.filter { $0.totals.plays > 0 }.map(\.day)
        var longest = Streak(days: 0, from: nil, to: nil)
        var runStart: LocalDay?
        var previous: LocalDay?
        for day in played {
            if let last = previous, day.number == last.number + 1 {
            } else {
                runStart = day
            }
            if let start = runStart, day.number - start.number + 1 > longest.days {
                longest = Streak(days: day.number - start.number + 1, from: start.iso, to: day.iso)
            }
            previous = day
        }
        // The current streak looks back from today over the whole history, not only the period.
        let today = LocalDay.of(clock.now, in: audience.zone).day
        let recent = Set(
            try await store.days(of: audience.users, in: DayRange(today - 3_660, today)).filter { $0.totals.plays > 0 }
                .map(\.day))
        var end = recent.contains(today) ? today : today - 1
        var current = Streak(days: 0, from: nil, to: nil)
        if recent.contains(end) {
            var start = end
            while recent.contains(start - 1) { start = start - 1 }
            current = Streak(days: end.number - start.number + 1, from: start.iso, to: end.iso)
        } else {
            end = today
        }
        let startInstant = Self.instant(range.first, audience.zone)
        let endInstant = Self.instant(range.last + 1, audience.zone)
        let sessions = try await store.sessions(of: audience.users, from: startInstant, to: endInstant)
        let sessionSeconds = sessions.reduce(0.0) { $0 + $1.end.timeIntervalSince($1.start) }
        return Habits(
            from: range.first.iso, to: range.last.iso,
            heatmap: try await store.heatmap(of: audience.users, in: range), longestStreak: longest,
            currentStreak: current,
            newShare: total.plays > 0 ? Double(total.firstListens) / Double(total.plays) : 0,
            skipRate: total.plays + total.skips > 0 ? Double(total.skips) / Double(total.plays + total.skips) : 0,
            sessions: sessions.count,
            averageSessionMinutes: sessions.isEmpty ? 0 : (sessionSeconds / Double(sessions.count) / 6).rounded() / 10,
            formats: try await store.formats(of: audience.users, in: range, wholeHistory: period == .all).map {
                Share(name: $0.format, plays: $0.plays)
            },
            clients: try await store.clients(of: audience.users, in: range).map {
                Share(name: $0.client.isEmpty ? "unknown" : $0.client, plays: $0.plays)
            })
    }

    /// The instant a local day starts.
    static func instant(_ day: LocalDay, _ zone: TimeZone) -> Date {
        let utc = Date(timeIntervalSince1970: Double(day.number) * 86_400)
        return utc.addingTimeInterval(-Double(zone.secondsFromGMT(for: utc)))
    }

    // MARK: Taste

    public struct MonthTaste: Sendable, Encodable {
        /// "2026-11".
        public var month: String
        public var plays: Int
        /// The month's plays by genre, most first (a track of two genres counts for both).
        public var genres: [Share]
        /// The month's plays by the decade of the tracks' year.
        public var decades: [Share]
        /// Play-weighted means over the analysed tracks (nil when none was analysed).
        public var tempo: Double?
        public var loudness: Double?
        /// 0 to 1, from loudness: −30 LUFS is 0, −6 LUFS is 1.
        public var energy: Double?
    }

    public struct Taste: Sendable, Encodable {
        public var from: String
        public var to: String
        public var months: [MonthTaste]
    }

    public func taste(_ audience: Audience, _ period: Period) async throws -> Taste {
        let range = ranges(period, zone: audience.zone, firstDay: audience.firstDay).current
        let taste = try await store.tasteByMonth(of: audience.users, in: range)
        let sound = try await store.soundByMonth(of: audience.users, in: range)
        let monthPlays = Dictionary(
            try await store.days(of: audience.users, in: range).map { ($0.day.month, $0.totals.plays) },
            uniquingKeysWith: +)
        var months: [MonthTaste] = []
        for month in range.first.month...range.last.month {
            let plays = monthPlays[month] ?? 0
            let genres = taste.genres.filter { $0.month == month }
            let decades = taste.decades.filter { $0.month == month }
            let measured = sound.first { $0.month == month }
            let date = LocalDay.first(ofMonth: month).date
            months.append(
                MonthTaste(
                    month: String(format: "%04d-%02d", date.year, date.month), plays: plays,
                    genres: genres.map { Share(name: $0.genre, plays: $0.plays) },
                    decades: decades.map { Share(name: "\($0.decade)s", plays: $0.plays) },
                    tempo: measured.map { ($0.tempo * 10).rounded() / 10 },
                    loudness: measured.map { ($0.loudness * 10).rounded() / 10 },
                    energy: measured.map { (min(1, max(0, ($0.loudness + 30) / 24)) * 100).rounded() / 100 }))
        }
        return Taste(from: range.first.iso, to: range.last.iso, months: months)
    }

    // MARK: The year in review

    public struct Review: Sendable, Encodable {
        public var year: Int
        public var plays: Int
        public var minutes: Double
        public var topArtists: [ChartItem]
        public var topTracks: [ChartItem]
        /// The month with the most first listens ("2026-03"), and how many.
        public var discoveryMonth: String?
        public var discoveries: Int
        /// When the year's top track was first heard (ever).
        public var topTrackFirstListen: Date?
    }

    public func review(_ audience: Audience, year: Int, user: UserID) async throws -> Review {
        let period = Period.year(year)
        let range = ranges(period, zone: audience.zone, firstDay: audience.firstDay).current
        var total = ListeningTotals()
        for (_, totals) in try await store.days(of: audience.users, in: range) { total.add(totals) }
        let artists = try await chart(audience, period, kind: .artists, limit: 5)
        let tracks = try await chart(audience, period, kind: .tracks, limit: 5)
        var discoveries: [Int: Int] = [:]
        for (day, count) in try await store.firstListensByDay(of: user, in: range) {
            discoveries[day.month, default: 0] += count
        }
        let best = discoveries.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }
        var first: Date?
        if let top = tracks.items.first { first = try await store.firstListen(of: user, track: TrackID(top.id)) }
        return Review(
            year: year, plays: total.plays, minutes: Totals(total).minutes, topArtists: artists.items,
            topTracks: tracks.items,
            discoveryMonth: best.map {
                let date = LocalDay.first(ofMonth: $0.key).date
                return String(format: "%04d-%02d", date.year, date.month)
            }, discoveries: best?.value ?? 0, topTrackFirstListen: first)
    }
}

extension ListeningTotals {
    mutating func add(_ other: ListeningTotals) {
        plays += other.plays
        skips += other.skips
        seconds += other.seconds
        firstListens += other.firstListens
    }
}
