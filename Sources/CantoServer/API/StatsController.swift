import CantoCore
import CantoDomain
import Foundation
import Hummingbird

extension Wire {
    /// A domain value on the wire as it encodes itself.
    struct Encoded<Value: Encodable & Sendable>: ResponseEncodable {
        var value: Value
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }

    struct HouseholdChart: ResponseEncodable {
        /// How many listeners let the household see their listening (only theirs is counted).
        var listeners: Int
        var chart: StatsService.Chart
    }
}

/// A listener's statistics (`/api/v1/me/stats/…`) and the household's charts, as JSON or, with
/// `format=csv`, as CSV. Periods: `period` = 7d, 30d, 90d, 12m, all, a year, or custom with
/// `from` and `to` (YYYY-MM-DD), in the listener's time zone.
struct StatsController {
    let stats: StatsService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("me/stats/listening", use: listening)
        group.get("me/stats/top", use: top)
        group.get("me/stats/habits", use: habits)
        group.get("me/stats/taste", use: taste)
        group.get("me/stats/year/:year", use: review)
        group.get("stats/household", use: household)
    }

    static func period(_ request: Request) throws -> StatsService.Period {
        let query = request.uri.queryParameters
        guard
            let period = StatsService.Period(
                period: query["period"].map(String.init), from: query["from"].map(String.init),
                to: query["to"].map(String.init))
        else {
            throw APIError.badRequest(
                "period must be 7d, 30d, 90d, 12m, all, a year, or custom with from and to (YYYY-MM-DD, from ≤ to).")
        }
        return period
    }

    static func kind(_ request: Request) throws -> ChartKind {
        guard let kind = ChartKind(rawValue: request.uri.queryParameters["kind"].map(String.init) ?? "artists") else {
            throw APIError.badRequest("kind must be tracks, artists, albums or genres.")
        }
        return kind
    }

    static func limit(_ request: Request) throws -> Int {
        try request.integer("limit", default: 10, in: 1...100)
    }

    static func wantsCSV(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters["format"].map(String.init) ?? "json" {
        case "json": return false
        case "csv": return true
        default: throw APIError.badRequest("format must be json or csv.")
        }
    }

    /// The figure as JSON, or its rows as CSV.
    private func answer<Value: Encodable & Sendable>(
        _ value: Value, _ request: Request, _ context: CantoRequestContext, name: String, rows: () -> [[String]]
    ) throws -> Response {
        guard try Self.wantsCSV(request) else {
            return try Wire.Encoded(value: value).response(from: request, context: context)
        }
        return CSV.response(rows(), filename: name)
    }

    @Sendable func listening(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        guard
            let unit = StatsService.Unit(rawValue: request.uri.queryParameters["unit"].map(String.init) ?? "day")
        else { throw APIError.badRequest("unit must be day, week, month or year.") }
        let result = try await stats.listening(
            try await stats.listener(catalog), try Self.period(request), unit: unit)
        return try answer(result, request, context, name: "listening") {
            [["start", "plays", "skips", "minutes", "first_listens"]]
                + result.points.map {
                    ["\($0.start)", "\($0.plays)", "\($0.skips)", "\($0.minutes)", "\($0.firstListens)"]
                }
        }
    }

    static func chartRows(_ chart: StatsService.Chart) -> [[String]] {
        [["rank", "id", "name", "artist", "plays", "minutes", "previous_rank", "previous_plays"]]
            + chart.items.map {
                [
                    "\($0.rank)", $0.id, $0.name, $0.artist ?? "", "\($0.plays)", "\($0.minutes)",
                    $0.previousRank.map(String.init) ?? "", "\($0.previousPlays)",
                ]
            }
    }

    @Sendable func top(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        let chart = try await stats.chart(
            try await stats.listener(catalog), try Self.period(request), kind: try Self.kind(request),
            limit: try Self.limit(request))
        return try answer(chart, request, context, name: "top-\(chart.kind)") { Self.chartRows(chart) }
    }

    @Sendable func habits(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        let habits = try await stats.habits(try await stats.listener(catalog), try Self.period(request))
        return try answer(habits, request, context, name: "habits") {
            var rows = [["figure", "key", "value"]]
            for (weekday, hours) in habits.heatmap.enumerated() {
                for (hour, plays) in hours.enumerated() {
                    rows.append(["plays", "weekday \(weekday) hour \(hour)", "\(plays)"])
                }
            }
            rows.append(["longest_streak", habits.longestStreak.from ?? "", "\(habits.longestStreak.days)"])
            rows.append(["current_streak", habits.currentStreak.from ?? "", "\(habits.currentStreak.days)"])
            rows.append(["new_share", "", "\(habits.newShare)"])
            rows.append(["skip_rate", "", "\(habits.skipRate)"])
            rows.append(["sessions", "", "\(habits.sessions)"])
            rows.append(["average_session_minutes", "", "\(habits.averageSessionMinutes)"])
            for format in habits.formats { rows.append(["format", format.name, "\(format.plays)"]) }
            for client in habits.clients { rows.append(["client", client.name, "\(client.plays)"]) }
            return rows
        }
    }

    @Sendable func taste(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        let taste = try await stats.taste(try await stats.listener(catalog), try Self.period(request))
        return try answer(taste, request, context, name: "taste") {
            var rows = [["month", "figure", "name", "value"]]
            for month in taste.months {
                rows.append([month.month, "plays", "", "\(month.plays)"])
                for genre in month.genres { rows.append([month.month, "genre", genre.name, "\(genre.plays)"]) }
                for decade in month.decades { rows.append([month.month, "decade", decade.name, "\(decade.plays)"]) }
                if let tempo = month.tempo { rows.append([month.month, "tempo", "", "\(tempo)"]) }
                if let loudness = month.loudness { rows.append([month.month, "loudness", "", "\(loudness)"]) }
                if let energy = month.energy { rows.append([month.month, "energy", "", "\(energy)"]) }
            }
            return rows
        }
    }

    @Sendable func review(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        guard let year = Int(try context.parameters.require("year")), (1900...2999).contains(year) else {
            throw APIError.badRequest("year must be 1900 to 2999.")
        }
        let review = try await stats.review(try await stats.listener(catalog), year: year, user: catalog.user.id)
        return try answer(review, request, context, name: "year-\(year)") {
            var rows = [["figure", "rank", "name", "artist", "value"]]
            rows.append(["plays", "", "", "", "\(review.plays)"])
            rows.append(["minutes", "", "", "", "\(review.minutes)"])
            for item in review.topArtists {
                rows.append(["top_artist", "\(item.rank)", item.name, "", "\(item.plays)"])
            }
            for item in review.topTracks {
                rows.append(["top_track", "\(item.rank)", item.name, item.artist ?? "", "\(item.plays)"])
            }
            rows.append(["discovery_month", "", review.discoveryMonth ?? "", "", "\(review.discoveries)"])
            return rows
        }
    }

    @Sendable func household(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let catalog = try context.requireCatalog()
        let audience = try await stats.household(catalog)
        let chart = try await stats.chart(
            audience, try Self.period(request), kind: try Self.kind(request), limit: try Self.limit(request))
        return try answer(
            Wire.HouseholdChart(listeners: audience.users.count, chart: chart), request, context,
            name: "household-\(chart.kind)"
        ) { Self.chartRows(chart) }
    }
}

extension CSV {
    /// The rows as a CSV download named `filename`.csv.
    static func response(_ rows: [[String]], filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text(rows))))
    }
}
