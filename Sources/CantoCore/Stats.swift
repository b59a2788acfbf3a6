public import Foundation

/// A day of a listener's own calendar: days since 1970-01-01 in their time zone. Weeks start on
/// Monday; months are numbered `year × 12 + month − 1`.
public struct LocalDay: Sendable, Hashable, Comparable, Codable {
    public var number: Int

    public init(_ number: Int) { self.number = number }

    /// The local day and hour of `instant` in `zone`.
    public static func of(_ instant: Date, in zone: TimeZone) -> (day: LocalDay, hour: Int) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant)
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (LocalDay(day), (seconds - day * 86_400) / 3_600)
    }

    /// The day of a calendar date (proleptic Gregorian).
    public init(year: Int, month: Int, day: Int) {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        number = era * 146_097 + doe - 719_468
    }

    /// Year, month (1–12) and day (1–31).
    public var date: (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 Monday … 6 Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { ((number % 7) + 7 + 3) % 7 }
    /// The month this day is in, as `year × 12 + month − 1`.
    public var month: Int {
        let date = date
        return date.year * 12 + date.month - 1
    }
    /// The Monday of its week.
    public var weekStart: LocalDay { LocalDay(number - weekday) }
    /// "2026-12-05".
    public var iso: String {
        let date = date
        return String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
    }

    /// A day from "2026-12-05"; nil when it is not a date.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month),
            (1...31).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
        guard date == (year, month, day) else { return nil }
    }

    /// The first day of a month (`year × 12 + month − 1`).
    public static func first(ofMonth month: Int) -> LocalDay {
        LocalDay(year: month >= 0 ? month / 12 : (month - 11) / 12, month: ((month % 12) + 12) % 12 + 1, day: 1)
    }

    public static func < (a: LocalDay, b: LocalDay) -> Bool { a.number < b.number }
    public static func + (a: LocalDay, days: Int) -> LocalDay { LocalDay(a.number + days) }
    public static func - (a: LocalDay, days: Int) -> LocalDay { LocalDay(a.number - days) }
}

/// A range of local days, both ends included.
public struct DayRange: Sendable, Hashable, Codable {
    public var first: LocalDay
    public var last: LocalDay

    public init(_ first: LocalDay, _ last: LocalDay) {
        self.first = first
        self.last = last
    }

    public var count: Int { max(0, last.number - first.number + 1) }

    /// The same number of days just before.
    public var previous: DayRange { DayRange(first - count, first - 1) }

    /// A sum over a range as few rollup rows as it can: whole years, whole months and days,
    /// each added (`sign` 1) or taken away (−1). A year the range covers most of is read as the
    /// year's row less the months and days outside the range (usually the future, so nothing);
    /// a year it covers little of, as its months and days.
    public struct Term: Sendable, Equatable {
        public enum Level: Sendable, Equatable { case years, months, days }
        public var level: Level
        /// Years, months (`year × 12 + month − 1`) or day numbers, inclusive.
        public var from: Int
        public var to: Int
        public var sign: Int

        public init(level: Level, from: Int, to: Int, sign: Int) {
            self.level = level
            self.from = from
            self.to = to
            self.sign = sign
        }
    }

    public var terms: [Term] {
        guard first <= last else { return [] }
        func inside(_ range: DayRange, sign: Int) -> [Term] {
            let split = range.split
            var terms = split.days.map { Term(level: .days, from: $0.first.number, to: $0.last.number, sign: sign) }
            if let months = split.months {
                terms.append(Term(level: .months, from: months.lowerBound, to: months.upperBound, sign: sign))
            }
            return terms
        }
        /// Rows a piece reads, roughly: a month's or thirty days'.
        func cost(_ terms: [Term]) -> Double {
            terms.reduce(0) { sum, term in
                sum + (term.level == .days ? Double(term.to - term.from + 1) / 30 : Double(term.to - term.from + 1))
            }
        }
        var terms: [Term] = []
        for year in first.date.year...last.date.year {
            let january = LocalDay(year: year, month: 1, day: 1)
            let december = LocalDay(year: year, month: 12, day: 31)
            let segment = DayRange(max(first, january), min(last, december))
            if segment.first == january, segment.last == december {
                if let previous = terms.last, previous.level == .years, previous.sign == 1, previous.to == year - 1 {
                    terms[terms.count - 1].to = year
                } else {
                    terms.append(Term(level: .years, from: year, to: year, sign: 1))
                }
                continue
            }
            let within = inside(segment, sign: 1)
            var outside: [Term] = []
            if january < segment.first { outside += inside(DayRange(january, segment.first - 1), sign: -1) }
            if segment.last < december { outside += inside(DayRange(segment.last + 1, december), sign: -1) }
            if cost(outside) < cost(within) {
                terms.append(Term(level: .years, from: year, to: year, sign: 1))
                terms += outside
            } else {
                terms += within
            }
        }
        return terms
    }

    /// The months wholly inside, and the days left over at either end.
    public var split: (months: ClosedRange<Int>?, days: [DayRange]) {
        let firstMonth = first.month
        let lastMonth = last.month
        let fullFrom = LocalDay.first(ofMonth: firstMonth) == first ? firstMonth : firstMonth + 1
        let fullTo = LocalDay.first(ofMonth: lastMonth + 1) - 1 == last ? lastMonth : lastMonth - 1
        guard fullFrom <= fullTo else { return (nil, [self]) }
        var days: [DayRange] = []
        let monthsStart = LocalDay.first(ofMonth: fullFrom)
        let monthsEnd = LocalDay.first(ofMonth: fullTo + 1) - 1
        if first < monthsStart { days.append(DayRange(first, monthsStart - 1)) }
        if monthsEnd < last { days.append(DayRange(monthsEnd + 1, last)) }
        return (fullFrom...fullTo, days)
    }
}

/// Plays, skips and listening time summed over some days.
public struct ListeningTotals: Sendable, Equatable, Codable {
    /// Plays that counted (scrobbles).
    public var plays: Int
    public var skips: Int
    public var seconds: Int
    /// Counted plays that were the listener's first of that track.
    public var firstListens: Int

    public init(plays: Int = 0, skips: Int = 0, seconds: Int = 0, firstListens: Int = 0) {
        self.plays = plays
        self.skips = skips
        self.seconds = seconds
        self.firstListens = firstListens
    }
}

/// One item of a chart: a track, artist, album or genre, with its plays and listening time.
public struct ChartEntry: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    /// The artist of a track or album.
    public var artist: String?
    public var plays: Int
    public var seconds: Int

    public init(id: String, name: String, artist: String? = nil, plays: Int, seconds: Int) {
        self.id = id
        self.name = name
        self.artist = artist
        self.plays = plays
        self.seconds = seconds
    }
}

/// What the charts are of.
public enum ChartKind: String, Sendable, CaseIterable, Codable {
    case tracks, artists, albums, genres
}

/// A listening session: plays under 30 minutes apart.
public struct ListeningSession: Sendable, Equatable {
    public var start: Date
    public var end: Date
    public var plays: Int

    public init(start: Date, end: Date, plays: Int) {
        self.start = start
        self.end = end
        self.plays = plays
    }
}

/// Whose listening a chart sums: some listeners', or the household's (every listener who lets
/// the household see their listening, kept as one sum as their plays arrive).
public enum Listeners: Sendable, Equatable {
    case users([UserID])
    case household
}

/// The listening figures, read from rollups kept as plays arrive (never from the raw history on
/// a request). `users` are whose listening is summed (one listener, or the household's visible
/// ones); `libraries` limits the charts to what the asker may see (nil: every library).
public protocol StatsStore: Sendable {
    /// Totals per day (days without plays are left out).
    func days(of users: [UserID], in range: DayRange) async throws -> [(day: LocalDay, totals: ListeningTotals)]
    /// Counted plays by weekday (0 Monday) and hour.
    func heatmap(of users: [UserID], in range: DayRange) async throws -> [[Int]]
    /// The top `limit` items over the range (`wholeHistory`: all time, read from the totals).
    func chart(
        _ kind: ChartKind, of listeners: Listeners, in range: DayRange, wholeHistory: Bool, libraries: Set<LibraryID>?,
        limit: Int
    ) async throws -> [ChartEntry]
    /// Plays by client name.
    func clients(of users: [UserID], in range: DayRange) async throws -> [(client: String, plays: Int)]
    /// Every play (skips too) by file format (the track's suffix).
    func formats(of users: [UserID], in range: DayRange, wholeHistory: Bool) async throws -> [(
        format: String, plays: Int
    )]
    /// Counted plays by month and genre, and by month and decade.
    func tasteByMonth(of users: [UserID], in range: DayRange) async throws -> (
        genres: [(month: Int, genre: String, plays: Int)], decades: [(month: Int, decade: Int, plays: Int)]
    )
    /// The sound of what was played, by month: the play-weighted mean tempo (BPM) and loudness
    /// (LUFS) of the tracks that were analysed when played, and how many such plays.
    func soundByMonth(of users: [UserID], in range: DayRange) async throws -> [(
        month: Int, tempo: Double, loudness: Double, plays: Int
    )]
    /// Sessions that started between the two instants.
    func sessions(of users: [UserID], from: Date, to: Date) async throws -> [ListeningSession]
    /// How many tracks the listener first heard on each day of the range.
    func firstListensByDay(of user: UserID, in range: DayRange) async throws -> [(day: LocalDay, count: Int)]
    /// The first listen of one track, if any.
    func firstListen(of user: UserID, track: TrackID) async throws -> Date?
    /// The listener's earliest day with a play.
    func firstDay(of user: UserID) async throws -> LocalDay?
    /// Rebuilds the rollups from the raw history (one user, or everyone): returns the plays read.
    func rebuild(user: UserID?) async throws -> Int
}

/// How the picks of one recommender did with one listener (or everyone).
public struct ImpressionCounts: Sendable, Equatable, Codable {
    public var source: String
    public var user: UserID?
    public var shown: Int
    public var played: Int
    public var skipped: Int
    public var starred: Int
    public var thumbsUp: Int
    public var thumbsDown: Int
    public var seconds: Int

    public init(
        source: String, user: UserID? = nil, shown: Int = 0, played: Int = 0, skipped: Int = 0, starred: Int = 0,
        thumbsUp: Int = 0, thumbsDown: Int = 0, seconds: Int = 0
    ) {
        self.source = source
        self.user = user
        self.shown = shown
        self.played = played
        self.skipped = skipped
        self.starred = starred
        self.thumbsUp = thumbsUp
        self.thumbsDown = thumbsDown
        self.seconds = seconds
    }
}

/// Recommendations shown, and what came of them: a play of a shown track within a day is its
/// outcome (played to the end or skipped), as is a star or a thumbs up or down.
public protocol ImpressionStore: Sendable {
    /// Records the picks shown to `user` on `surface` ("radio", "mix", "similar"), each with the
    /// recommender that chose it.
    func record(_ picks: [(track: TrackID, source: String)], user: UserID, surface: String, at date: Date) async throws
    /// Notes a thumbs up (1), down (−1) or star (0 with `starred`) on the latest impression of the
    /// track shown to the user within a day.
    func noteFeedback(user: UserID, track: TrackID, feedback: Int, starred: Bool, at date: Date) async throws
    /// Counts by recommender and listener for impressions shown since `since`.
    func counts(since: Date) async throws -> [ImpressionCounts]
    /// Counts by recommender for one listener, all time.
    func counts(of user: UserID) async throws -> [ImpressionCounts]
}

/// A request that took long, for the admin page.
public struct SlowRequest: Sendable, Equatable, Codable {
    public var at: Date
    public var method: String
    /// The path with credentials masked.
    public var path: String
    public var status: Int
    public var milliseconds: Double

    public init(at: Date, method: String, path: String, status: Int, milliseconds: Double) {
        self.at = at
        self.method = method
        self.path = path
        self.status = status
        self.milliseconds = milliseconds
    }
}

/// One scan, as the admin page lists them.
public struct ScanRun: Sendable, Equatable, Codable {
    public var finishedAt: Date
    public var seconds: Double
    public var added: Int
    public var updated: Int
    public var removed: Int
    public var errors: Int
    public var cancelled: Bool

    public init(
        finishedAt: Date, seconds: Double, added: Int, updated: Int, removed: Int, errors: Int, cancelled: Bool
    ) {
        self.finishedAt = finishedAt
        self.seconds = seconds
        self.added = added
        self.updated = updated
        self.removed = removed
        self.errors = errors
        self.cancelled = cancelled
    }
}

/// The server's own activity, kept for the admin page.
public protocol ServerActivityStore: Sendable {
    /// Adds to counters: (hours since 1970 in UTC, name, label) → amount.
    func add(_ counts: [ActivityKey: Int], slow: [SlowRequest]) async throws
    func counters(since hour: Int) async throws -> [(key: ActivityKey, value: Int)]
    func record(_ scan: ScanRun) async throws
    func scans(limit: Int) async throws -> [ScanRun]
    /// The slowest requests since `since`, slowest first.
    func slowRequests(since: Date, limit: Int) async throws -> [SlowRequest]
    /// Listeners with a play since `since`.
    func activeListeners(since: Date) async throws -> Int
    /// Albums added per month ("2026-03").
    func albumsAddedByMonth() async throws -> [(month: String, albums: Int)]
}

/// A counter of the server's activity in one UTC hour.
public struct ActivityKey: Sendable, Hashable {
    public var hour: Int
    public var name: String
    public var label: String

    public init(hour: Int, name: String, label: String = "") {
        self.hour = hour
        self.name = name
        self.label = label
    }

    /// The UTC hour of an instant.
    public static func hour(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 3_600).rounded(.down)) }
}
