public import CantoCore

/// What a track's tags say of it, for the sonic space: its genres and artist (each hashed into a
/// few places, so tracks of one genre sit together), its year and a tagged BPM.
public struct SonicTags: Sendable, Equatable {
    public var artist: String
    public var genres: [String]
    public var year: Int?
    /// A BPM from the tags: trusted over the analyser's tempo estimate.
    public var bpm: Int?

    public init(artist: String = "", genres: [String] = [], year: Int? = nil, bpm: Int? = nil) {
        self.artist = artist
        self.genres = genres
        self.year = year
        self.bpm = bpm
    }
}

/// The tag part of a point of the sonic index: genres (16 places), artist (8 places) and year (1),
/// weighted against the sound's seven aspects so a shared genre counts about as much as timbre,
/// the same artist half that, and a decade apart about as much as a typical difference in loudness.
enum TagSpace {
    static let genrePlaces = 16
    static let artistPlaces = 8
    static let width = genrePlaces + artistPlaces + 1
    /// Squared-distance weights: two tracks of different genres are `2 × genre` apart.
    static let genreWeight: Float = 1.5
    static let artistWeight: Float = 0.5
    static let yearWeight: Float = 0.5

    /// The genre and artist places of one track (a missing tag sits at the middle: no nearer to
    /// any); the year's place, the last, is left at 0: it needs every track's year (`Years`).
    static func places(_ tags: SonicTags) -> [Float] {
        var values = [Float](repeating: 0, count: Self.width)
        let genres = Set(tags.genres.map { $0.lowercased() }.filter { !$0.isEmpty })
        if !genres.isEmpty {
            let share = (Self.genreWeight / Float(genres.count)).squareRoot()
            for genre in genres { values[Self.place(genre, Self.genrePlaces)] += share }
        }
        let artist = tags.artist.lowercased()
        if !artist.isEmpty {
            values[Self.genrePlaces + Self.place(artist, Self.artistPlaces)] = Self.artistWeight.squareRoot()
        }
        return values
    }

    /// The years of the tracks added, for the year's place: standardised against their spread
    /// (at least five years), weighted by `yearWeight`.
    struct Years: Sendable {
        var sum: Double = 0
        var squares: Double = 0
        var count = 0

        /// A year the tags may hold: read when between 1000 and 3000.
        static func usable(_ year: Int?) -> Int? { year.flatMap { (1000...3000).contains($0) ? $0 : nil } }

        mutating func add(_ year: Int?) {
            guard let year = Self.usable(year) else { return }
            sum += Double(year)
            squares += Double(year) * Double(year)
            count += 1
        }

        var mean: Float { count == 0 ? 0 : Float(sum / Double(count)) }

        /// The weight of one year.
        var scale: Float {
            let n = Double(max(1, count))
            let mean = sum / n
            let spread = Float(max(0, squares / n - mean * mean).squareRoot())
            return TagSpace.yearWeight.squareRoot() / max(spread, 5)
        }
    }

    /// A stable place for a name.
    static func place(_ name: String, _ places: Int) -> Int { Int(hash(name) % UInt64(places)) }

    /// A stable hash of a name (FNV-1a; Swift's own hashing changes with every run).
    static func hash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
