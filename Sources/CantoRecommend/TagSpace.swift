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
struct TagSpace: Sendable {
    static let genrePlaces = 16
    static let artistPlaces = 8
    static let width = genrePlaces + artistPlaces + 1
    /// Squared-distance weights: two tracks of different genres are `2 × genre` apart.
    static let genreWeight: Float = 1.5
    static let artistWeight: Float = 0.5
    static let yearWeight: Float = 0.5

    let yearMean: Float
    let yearScale: Float

    init(fitting tags: [SonicTags]) {
        let years = tags.compactMap(\.year).filter { (1000...3000).contains($0) }.map(Float.init)
        let mean = years.isEmpty ? 0 : years.reduce(0, +) / Float(years.count)
        let variance = years.isEmpty ? 0 : years.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(years.count)
        yearMean = mean
        yearScale = Self.yearWeight.squareRoot() / max(variance.squareRoot(), 5)
    }

    /// The tag places of one track (a missing tag sits at the middle: no nearer to any).
    func point(_ tags: SonicTags) -> [Float] {
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
        if let year = tags.year, (1000...3000).contains(year) {
            values[Self.width - 1] = (Float(year) - yearMean) * yearScale
        }
        return values
    }

    /// A stable place for a name (FNV-1a; Swift's own hashing changes with every run).
    static func place(_ name: String, _ places: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(places))
    }
}
