import CantoCore
import Testing

@testable import CantoRecommend

/// The index keeps each value of a point in a byte: its neighbours must still be those of the
/// exact points, its IDs found whatever order they came in, and its size a byte a value (and
/// three of padding).
@Suite struct SonicIndexTests {
    /// `count` tracks around 20 centres, 40 artists, 12 genres, years from 1960.
    static func entries(_ count: Int, seed: UInt64 = 11) -> [SonicIndex.Entry] {
        var random = SplitMix64(seed: seed)
        let centres = (0..<20).map { _ in
            (0..<SonicFeatures.count).map { _ in Float.random(in: -2...2, using: &random) }
        }
        return (0..<count).map { number in
            var values = centres[number % centres.count].map { $0 + Float.random(in: -0.5...0.5, using: &random) }
            values[SonicFeatures.Index.tempo] = Float.random(in: 70...170, using: &random)
            return SonicIndex.Entry(
                id: TrackID("t\(StableHash.hex128("track \(number)"))"), features: SonicFeatures(values: values),
                tags: SonicTags(
                    artist: "Artist \(number % 40)", genres: ["Genre \(number % 12)"], year: 1960 + number % 50))
        }
    }

    /// The exact point of each entry, as the index would hold it before coding.
    static func exactPoints(_ entries: [SonicIndex.Entry], space: SonicSpace) -> [[Float]] {
        var years = TagSpace.Years()
        for entry in entries { years.add(entry.tags.year) }
        return entries.map { entry in
            var tags = TagSpace.places(entry.tags)
            if let year = TagSpace.Years.usable(entry.tags.year) {
                tags[TagSpace.width - 1] = (Float(year) - years.mean) * years.scale
            }
            return space.point(entry.features) + tags
        }
    }

    @Test func codedPointsFindTheNeighboursOfExactOnes() {
        let entries = Self.entries(2_000)
        let index = SonicIndex(entries: entries)
        let exact = Self.exactPoints(entries, space: index.space)
        var found = 0, asked = 0
        var worstSimilarityError = 0.0
        for seed in stride(from: 0, to: entries.count, by: 97) {
            let expected = exact.indices.filter { $0 != seed }
                .sorted { SonicSpace.distance(exact[seed], exact[$0]) < SonicSpace.distance(exact[seed], exact[$1]) }
                .prefix(10).map { entries[$0].id }
            let answer = index.nearest(to: [entries[seed].id], limit: 10, perArtist: 0)
            found += Set(answer.map(\.track)).intersection(expected).count
            asked += expected.count
            for neighbour in answer {
                guard let position = entries.firstIndex(where: { $0.id == neighbour.track }) else { continue }
                let truth = index.similarity(distance: SonicSpace.distance(exact[seed], exact[position]))
                worstSimilarityError = max(worstSimilarityError, abs(truth - neighbour.similarity))
            }
        }
        // Ten nearest of 2,000 by coded points against exact ones: nearly all the same tracks.
        #expect(Double(found) / Double(asked) >= 0.9, "\(found) of \(asked)")
        #expect(worstSimilarityError < 0.02, "\(worstSimilarityError)")
    }

    @Test func aTrackCostsAByteAValueBesidesItsIDAndArtist() {
        let entries = Self.entries(1_000)
        let index = SonicIndex(entries: entries)
        let idBytes = entries.reduce(0) { $0 + $1.id.rawValue.utf8.count }
        // 77 codes, the ID's bytes with where it ends and its place in ID order, the artist's hash.
        #expect(index.bytes == entries.count * (SonicIndex.stride + 4 + 4 + 8) + idBytes)
        #expect(SonicIndex.width == 77)
        #expect(SonicIndex.stride == 80)
    }

    @Test func tracksAreFoundWhateverOrderTheyCameIn() throws {
        let entries = Self.entries(300)
        var random = SplitMix64(seed: 3)
        let shuffled = entries.shuffled(using: &random)
        let index = SonicIndex(entries: shuffled)
        for entry in entries { #expect(index.contains(entry.id)) }
        #expect(!index.contains(TrackID("t-none")))
        #expect(!index.contains(TrackID("")))
        // Shorter and longer than an ID that is there.
        let some = try #require(entries.first?.id.rawValue)
        #expect(!index.contains(TrackID(String(some.dropLast()))))
        #expect(!index.contains(TrackID(some + "0")))
        // The same neighbours at the same distances as the index built in ID order (the typical
        // distance, from a sample in the order of adding, may differ a little).
        let ordered = SonicIndex(entries: entries.sorted { $0.id.rawValue < $1.id.rawValue })
        for seed in entries.prefix(20) {
            let shuffledAnswer = index.nearest(to: [seed.id], limit: 5)
            let orderedAnswer = ordered.nearest(to: [seed.id], limit: 5)
            #expect(shuffledAnswer.map(\.track) == orderedAnswer.map(\.track))
            #expect(shuffledAnswer.map(\.distance) == orderedAnswer.map(\.distance))
        }
    }

    @Test func anIndexBuiltFromPagesIsTheSameAsOneBuiltAtOnce() throws {
        let entries = Self.entries(500)
        var fitter = SonicSpace.Fitter()
        for page in stride(from: 0, to: entries.count, by: 64) {
            for entry in entries[page..<min(entries.count, page + 64)] { fitter.add(entry.features) }
        }
        var builder = SonicIndex.Builder(space: fitter.space)
        for entry in entries { builder.add(entry) }
        let paged = builder.build()
        let whole = SonicIndex(entries: entries)
        #expect(paged.space == whole.space)
        #expect(paged.codes == whole.codes)
        for seed in entries.prefix(10) {
            #expect(paged.nearest(to: [seed.id], limit: 8) == whole.nearest(to: [seed.id], limit: 8))
            let path = paged.path(from: seed.id, to: entries[250].id, count: 6)
            #expect(path?.count == 6)
            #expect(path?.first?.track == seed.id)
            #expect(path?.last?.track == entries[250].id)
        }
        // Each step of a path is the track nearest its point on the line, of all not yet used.
        let start = entries[3].id, end = entries[404].id
        let path = try #require(paged.path(from: start, to: end, count: 8))
        let a = paged.point(at: try #require(paged.position(of: start)))
        let b = paged.point(at: try #require(paged.position(of: end)))
        var used: Set<TrackID> = [start, end]
        for (step, neighbour) in path.enumerated().dropFirst().dropLast() {
            let t = Float(step) / 7
            let target = SonicIndex.lanes((0..<SonicIndex.width).map { a[$0] + (b[$0] - a[$0]) * t })
            let best = entries.filter { !used.contains($0.id) }.min {
                paged.distance(from: target, to: paged.position(of: $0.id) ?? 0)
                    < paged.distance(from: target, to: paged.position(of: $1.id) ?? 0)
            }
            #expect(neighbour.track == best?.id)
            used.insert(neighbour.track)
        }
    }

    @Test func valuesOutsideTheirRangeAreKeptAtItsEnds() {
        #expect(SonicIndex.code(1e9, at: 0) == 255)
        #expect(SonicIndex.code(-1e9, at: 0) == 0)
        #expect(SonicIndex.code(.nan, at: 0) == 128)
        #expect(SonicIndex.code(0, at: SonicFeatures.count) == 0)
    }
}
