import CantoCore
import CantoRecommend
import Testing

/// The tags in the sonic space: with the same sound, a track of the seed's genre (and era) is
/// nearer than one of another; a tagged BPM stands in for the measured tempo.
@Suite struct SonicTagTests {
    /// A sound: `base` everywhere, `tempo` at the tempo.
    static func features(_ base: Float, tempo: Float = 120) -> SonicFeatures {
        var values = [Float](repeating: base, count: SonicFeatures.count)
        values[SonicFeatures.Index.tempo] = tempo
        return SonicFeatures(values: values)
    }

    /// Thirty tracks of spread sound to fit the space, plus the tracks under test.
    static func index(_ extra: [SonicIndex.Entry], useTags: Bool = true) -> SonicIndex {
        var random = SplitMix64(seed: 7)
        let background = (0..<30).map { number in
            SonicIndex.Entry(
                id: TrackID("bg\(number)"),
                features: features(
                    Float.random(in: -3...3, using: &random), tempo: Float.random(in: 80...160, using: &random)),
                tags: SonicTags(
                    artist: "Background \(number)", genres: ["Genre \(number % 5)"], year: 1970 + number))
        }
        return SonicIndex(entries: background + extra, useTags: useTags)
    }

    @Test func aSharedGenreAndEraBringTracksNearer() {
        let entries = [
            SonicIndex.Entry(
                id: TrackID("seed"), features: Self.features(0.5),
                tags: SonicTags(artist: "A", genres: ["Bossa Nova"], year: 1964)),
            // Sounds a little nearer, but another genre and decades apart.
            SonicIndex.Entry(
                id: TrackID("other"), features: Self.features(0.52),
                tags: SonicTags(artist: "B", genres: ["Industrial"], year: 1995)),
            SonicIndex.Entry(
                id: TrackID("kin"), features: Self.features(0.56),
                tags: SonicTags(artist: "C", genres: ["bossa nova"], year: 1965)),
        ]
        func order(_ index: SonicIndex) -> [String] {
            index.nearest(to: [TrackID("seed")], limit: 40, perArtist: 0).map(\.track.rawValue).filter {
                $0 == "kin" || $0 == "other"
            }
        }
        #expect(Self.index(entries).nearest(to: [TrackID("seed")], limit: 1).first?.track.rawValue == "kin")
        #expect(order(Self.index(entries)) == ["kin", "other"])
        // By sound alone the order turns: the tags are what moved it.
        #expect(order(Self.index(entries, useTags: false)) == ["other", "kin"])
    }

    @Test func aTaggedBPMStandsInForTheMeasuredTempo() {
        // Measured at 60 (a half-time guess), tagged 120: it belongs with the 120s.
        let entries = [
            SonicIndex.Entry(id: TrackID("seed"), features: Self.features(0, tempo: 120), tags: SonicTags(artist: "A")),
            SonicIndex.Entry(
                id: TrackID("tagged"), features: Self.features(0, tempo: 60), tags: SonicTags(artist: "B", bpm: 120)),
            SonicIndex.Entry(id: TrackID("slow"), features: Self.features(0, tempo: 64), tags: SonicTags(artist: "C")),
        ]
        #expect(Self.index(entries).nearest(to: [TrackID("seed")], limit: 1).first?.track.rawValue == "tagged")
        #expect(Self.index(entries).nearest(to: [TrackID("slow")], limit: 1).first?.track.rawValue != "tagged")
    }
}
