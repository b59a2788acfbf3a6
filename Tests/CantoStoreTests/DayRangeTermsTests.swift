import CantoCore
import Testing

/// A range's terms (years, months and days, added or taken away) count every day of the range
/// exactly once and no day outside it, for ranges of every shape; and a year the range covers
/// most of is read as the year less what lies outside.
@Suite("Day range terms")
struct DayRangeTermsTests {
    /// How many times the terms count each day (years and months opened out into their days).
    static func coverage(_ terms: [DayRange.Term]) -> [Int: Int] {
        var count: [Int: Int] = [:]
        for term in terms {
            let days: DayRange
            switch term.level {
            case .days: days = DayRange(LocalDay(term.from), LocalDay(term.to))
            case .months: days = DayRange(LocalDay.first(ofMonth: term.from), LocalDay.first(ofMonth: term.to + 1) - 1)
            case .years:
                days = DayRange(
                    LocalDay(year: term.from, month: 1, day: 1), LocalDay(year: term.to, month: 12, day: 31))
            }
            for day in days.first.number...days.last.number { count[day, default: 0] += term.sign }
        }
        return count
    }

    @Test func everyDayOnceAndNothingElse() {
        var random = SplitMix64(seed: 7)
        let start = LocalDay(year: 2019, month: 1, day: 1).number
        for _ in 0..<400 {
            let first = start + Int.random(in: 0..<2_500, using: &random)
            let length = [1, 6, 29, 31, 90, 200, 364, 366, 700, 1_500][Int.random(in: 0..<10, using: &random)]
            let range = DayRange(LocalDay(first), LocalDay(first + length - 1))
            let coverage = Self.coverage(range.terms)
            for day in (first - 800)...(first + length + 800) {
                let expected = (first...(first + length - 1)).contains(day) ? 1 : 0
                #expect(coverage[day, default: 0] == expected, "\(range) on day \(day)")
                if coverage[day, default: 0] != expected { return }
            }
        }
    }

    @Test func aMostlyCoveredYearIsTheYearLessTheRest() {
        // Twelve months to 15 November 2026: December 2025, then 2026 less 16–30 November and December.
        let range = DayRange(LocalDay(year: 2025, month: 12, day: 1), LocalDay(year: 2026, month: 11, day: 15))
        let december2025 = 2025 * 12 + 11
        #expect(
            range.terms == [
                .init(level: .months, from: december2025, to: december2025, sign: 1),
                .init(level: .years, from: 2026, to: 2026, sign: 1),
                .init(
                    level: .days, from: LocalDay(year: 2026, month: 11, day: 16).number,
                    to: LocalDay(year: 2026, month: 11, day: 30).number, sign: -1),
                .init(level: .months, from: december2025 + 12, to: december2025 + 12, sign: -1),
            ])
        // Whole years in a row are one term; a short range is its days.
        let years = DayRange(LocalDay(year: 2020, month: 1, day: 1), LocalDay(year: 2022, month: 12, day: 31))
        #expect(years.terms == [.init(level: .years, from: 2020, to: 2022, sign: 1)])
        let week = DayRange(LocalDay(year: 2026, month: 3, day: 2), LocalDay(year: 2026, month: 3, day: 8))
        #expect(week.terms.map(\.level) == [.days])
    }
}
