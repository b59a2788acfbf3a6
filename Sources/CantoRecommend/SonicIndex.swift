public import CantoCore
import Foundation

/// Every analysed track as a point of the sonic space, with its artist, for nearest-neighbour
/// questions: what sounds like these tracks (at most so many of one artist), and a path of small
/// steps from one track to another. Brute force over a flat array. Each of a point's 77 values
/// (52 of sound, 25 of tags) is kept in one byte, steps of 1/255 of the range its values take, so
/// a track costs about 120 bytes (its point, its ID's bytes, its artist) and a million tracks
/// about 120 MB; a pass over 100,000 takes a few milliseconds.
public struct SonicIndex: Sendable {
    public let space: SonicSpace
    /// Track IDs, their UTF-8 one after another, in the order the tracks were added; `idEnds[i]`
    /// is where the i-th ends.
    let idBytes: [UInt8]
    let idEnds: [UInt32]
    /// Positions in the order of their IDs' bytes: finding a track is a binary search.
    let byID: [UInt32]
    /// Each track's artist as a hash of its lowercased name (the artist cap asks only "same?").
    let artists: [UInt64]
    /// Points, one after another (`stride` codes each: `width`, then zeros to a multiple of 8).
    let codes: [UInt8]
    /// A typical distance between two tracks (the median of a sample), for similarities.
    let typicalDistance: Float

    static let width = SonicFeatures.count + TagSpace.width
    static let yearPlace = width - 1
    /// The codes a track takes: its values, then none to a multiple of 8, so a distance is taken
    /// eight values at a time.
    static let stride = (width + 7) / 8 * 8

    /// Per value of a point: the value code 0 stands for, and the value of one step. A sound
    /// value spreads about as far as its weight either side of 0 and is kept within five times
    /// that; genres from 0 to twice a lone genre's share (two genres on one place), the artist from
    /// 0 to its share, the year within five times its weight.
    static let lows: [Float] = ranges.map(\.low)
    static let steps: [Float] = ranges.map { max($0.high - $0.low, 1e-6) / 255 }
    /// A step squared: a squared difference of codes times this is one of values (0 for the
    /// padding), eight at a time.
    static let stepSquares: [SIMD8<Float>] = lanes(steps.map { $0 * $0 })
    private static var ranges: [(low: Float, high: Float)] {
        let sound = SonicSpace.weights.map { (low: -5 * $0, high: 5 * $0) }
        let genre = (low: Float(0), high: 2 * TagSpace.genreWeight.squareRoot())
        let artist = (low: Float(0), high: TagSpace.artistWeight.squareRoot())
        let year = 5 * TagSpace.yearWeight.squareRoot()
        return sound + Array(repeating: genre, count: TagSpace.genrePlaces)
            + Array(repeating: artist, count: TagSpace.artistPlaces) + [(low: -year, high: year)]
    }

    /// The code of `value` at place `place`: the nearest step, within the range.
    static func code(_ value: Float, at place: Int) -> UInt8 {
        let steps = ((value - lows[place]) / Self.steps[place]).rounded()
        guard steps.isFinite else { return 128 }
        return UInt8(max(0, min(255, steps)))
    }

    /// One track of the index: its sound and its tags.
    public struct Entry: Sendable {
        public var id: TrackID
        public var features: SonicFeatures
        public var tags: SonicTags

        public init(id: TrackID, features: SonicFeatures, tags: SonicTags) {
            self.id = id
            self.features = features
            self.tags = tags
        }
    }

    /// An index of `tracks` by sound alone (their features and artists).
    public init(_ tracks: [(id: TrackID, artist: String, features: SonicFeatures)]) {
        self.init(entries: tracks.map { Entry(id: $0.id, features: $0.features, tags: SonicTags(artist: $0.artist)) })
    }

    /// An index of `entries`, in a space fitted to their features: each point is the track's
    /// sound (a tagged BPM standing in for the measured tempo) and, when `useTags`, its genres,
    /// artist and year.
    public init(entries: [Entry], useTags: Bool = true) {
        var fitter = SonicSpace.Fitter()
        for entry in entries { fitter.add(entry.features) }
        var builder = Builder(space: fitter.space, useTags: useTags)
        builder.reserve(entries.count)
        for entry in entries { builder.add(entry) }
        self = builder.build()
    }

    /// Builds an index one track at a time in a space fitted beforehand (`SonicSpace.Fitter`), so
    /// a library is never in memory but as the index: a recommender reads its tracks in pages,
    /// once to fit the space and once to add them.
    public struct Builder: Sendable {
        let space: SonicSpace
        let useTags: Bool
        var idBytes: [UInt8] = []
        var idEnds: [UInt32] = []
        var artists: [UInt64] = []
        var codes: [UInt8] = []
        /// Each track's year, 0 for none: the year's place is coded once every year is known.
        var years: [UInt16] = []
        var yearFit = TagSpace.Years()

        public init(space: SonicSpace, useTags: Bool = true) {
            self.space = space
            self.useTags = useTags
        }

        public var count: Int { idEnds.count }

        /// Room for `count` tracks (the arrays grow once, not by doubling).
        public mutating func reserve(_ count: Int) {
            let count = min(max(0, count), 100_000_000)
            idBytes.reserveCapacity(count * 34)
            idEnds.reserveCapacity(count)
            artists.reserveCapacity(count)
            codes.reserveCapacity(count * SonicIndex.stride)
            years.reserveCapacity(count)
        }

        public mutating func add(_ entry: Entry) {
            let id = entry.id.rawValue.utf8
            guard idBytes.count + id.count <= Int(UInt32.max) else { return }
            var features = entry.features
            let tempo = SonicFeatures.Index.tempo
            if let bpm = entry.tags.bpm, (30...300).contains(bpm), tempo < features.values.count {
                features.values[tempo] = Float(bpm)
            }
            for (place, value) in space.point(features).enumerated() {
                codes.append(SonicIndex.code(value, at: place))
            }
            let tags = useTags ? TagSpace.places(entry.tags) : [Float](repeating: 0, count: TagSpace.width)
            for (offset, value) in tags.enumerated() {
                codes.append(SonicIndex.code(value, at: SonicFeatures.count + offset))
            }
            codes.append(contentsOf: repeatElement(0, count: SonicIndex.stride - SonicIndex.width))
            let year = useTags ? TagSpace.Years.usable(entry.tags.year) : nil
            yearFit.add(year)
            years.append(UInt16(year ?? 0))
            idBytes.append(contentsOf: id)
            idEnds.append(UInt32(idBytes.count))
            artists.append(TagSpace.hash(entry.tags.artist.lowercased()))
        }

        /// The index of the tracks added; the builder is left empty (its arrays move to the index
        /// rather than being copied).
        public mutating func build() -> SonicIndex {
            var codes: [UInt8] = []
            swap(&codes, &self.codes)
            let mean = yearFit.mean, scale = yearFit.scale
            for (position, year) in years.enumerated() {
                let value = year == 0 ? 0 : (Float(year) - mean) * scale
                codes[position * SonicIndex.stride + SonicIndex.yearPlace] = SonicIndex.code(
                    value, at: SonicIndex.yearPlace)
            }
            let index = SonicIndex(space: space, idBytes: idBytes, idEnds: idEnds, artists: artists, codes: codes)
            self = Builder(space: space, useTags: useTags)
            return index
        }
    }

    init(space: SonicSpace, idBytes: [UInt8], idEnds: [UInt32], artists: [UInt64], codes: [UInt8]) {
        self.space = space
        self.idBytes = idBytes
        self.idEnds = idEnds
        self.artists = artists
        self.codes = codes
        // By ID, first added first among equals (a track added twice is found where it was first).
        var order = (0..<UInt32(idEnds.count)).map { $0 }
        let ordered = idBytes.withUnsafeBufferPointer { bytes in
            zip(order, order.dropFirst()).allSatisfy {
                Self.compare(bytes, idEnds, Int($0), Int($1)) < 0
            }
        }
        if !ordered {
            idBytes.withUnsafeBufferPointer { bytes in
                order.sort {
                    let order = Self.compare(bytes, idEnds, Int($0), Int($1))
                    return order < 0 || (order == 0 && $0 < $1)
                }
            }
        }
        byID = order
        // The median distance between tracks a fixed stride apart: stable, cheap, and about the
        // distance between two tracks picked at random.
        var sample: [Float] = []
        let count = idEnds.count
        if count > 1 {
            let stride = max(1, count / 200)
            var index = 0
            while index + stride < count, sample.count < 400 {
                sample.append(Self.distance(codes, index, index + stride))
                index += 1
            }
        }
        sample.sort()
        typicalDistance = sample.isEmpty ? 1 : max(1e-6, sample[sample.count / 2])
    }

    /// The ID bytes of track `position`.
    private static func idRange(_ ends: [UInt32], _ position: Int) -> Range<Int> {
        (position == 0 ? 0 : Int(ends[position - 1]))..<Int(ends[position])
    }

    /// Byte order of two tracks' IDs (as SQLite orders text): negative, 0 or positive.
    private static func compare(_ bytes: UnsafeBufferPointer<UInt8>, _ ends: [UInt32], _ a: Int, _ b: Int) -> Int {
        let left = idRange(ends, a), right = idRange(ends, b)
        return compare(UnsafeBufferPointer(rebasing: bytes[left]), UnsafeBufferPointer(rebasing: bytes[right]))
    }

    private static func compare(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(left.count, right.count)
        if common > 0, let a = left.baseAddress, let b = right.baseAddress {
            let order = memcmp(a, b, common)
            if order != 0 { return Int(order) }
        }
        return left.count - right.count
    }

    public var count: Int { idEnds.count }

    /// The memory the index holds, in bytes.
    public var bytes: Int {
        idBytes.count + idEnds.count * 4 + byID.count * 4 + artists.count * 8 + codes.count
    }

    public func contains(_ id: TrackID) -> Bool { position(of: id) != nil }

    /// Where track `id` is, or nil when it is not in the index.
    func position(of id: TrackID) -> Int? {
        var key = id.rawValue
        return key.withUTF8 { key in
            idBytes.withUnsafeBufferPointer { bytes in
                var low = 0, high = byID.count
                while low < high {
                    let middle = (low + high) / 2
                    let here = UnsafeBufferPointer(rebasing: bytes[Self.idRange(idEnds, Int(byID[middle]))])
                    if Self.compare(here, key) < 0 { low = middle + 1 } else { high = middle }
                }
                guard low < byID.count else { return nil }
                let position = Int(byID[low])
                let here = UnsafeBufferPointer(rebasing: bytes[Self.idRange(idEnds, position)])
                return Self.compare(here, key) == 0 ? position : nil
            }
        }
    }

    /// The ID of track `position`.
    func id(at position: Int) -> TrackID {
        TrackID(String(decoding: idBytes[Self.idRange(idEnds, position)], as: UTF8.self))
    }

    /// `values` (`stride` of them, or fewer and zeros after) eight at a time.
    static func lanes(_ values: [Float]) -> [SIMD8<Float>] {
        (0..<stride / 8).map { lane in
            var vector = SIMD8<Float>()
            for offset in 0..<8 where lane * 8 + offset < values.count { vector[offset] = values[lane * 8 + offset] }
            return vector
        }
    }

    /// The squared distance, in the space's units, from `query` (a point in codes, eight at a
    /// time) to the track whose codes start at `codes`.
    @inline(__always)
    static func distance(
        _ query: UnsafeBufferPointer<SIMD8<Float>>, _ weights: UnsafeBufferPointer<SIMD8<Float>>,
        _ codes: UnsafeRawPointer
    ) -> Float {
        var sum = SIMD8<Float>()
        for lane in 0..<query.count {
            let bytes = codes.loadUnaligned(fromByteOffset: lane &* 8, as: SIMD8<UInt8>.self)
            let difference = query[lane] - SIMD8<Float>(bytes)
            sum += weights[lane] * difference * difference
        }
        return sum.sum()
    }

    /// Calls `body` with the position of every track in `positions` but those in `skip`, and its
    /// squared distance from `query` (a point in codes, eight at a time): the one pass every
    /// question makes over the points.
    @inline(__always)
    static func eachDistance(
        _ codes: [UInt8], from query: [SIMD8<Float>], positions: Range<Int>, skipping skip: Set<Int> = [],
        _ body: (Int, Float) -> Void
    ) {
        codes.withUnsafeBytes { codes in
            query.withUnsafeBufferPointer { query in
                stepSquares.withUnsafeBufferPointer { weights in
                    guard let base = codes.baseAddress else { return }
                    for index in positions where !skip.contains(index) {
                        body(index, distance(query, weights, base + index &* stride))
                    }
                }
            }
        }
    }

    /// The squared distance from `query` (a point in codes, eight at a time) to track `index`.
    func distance(from query: [SIMD8<Float>], to index: Int) -> Float {
        Self.distance(codes, from: query, to: index)
    }

    static func distance(_ codes: [UInt8], from query: [SIMD8<Float>], to index: Int) -> Float {
        var found: Float = 0
        eachDistance(codes, from: query, positions: index..<index + 1) { found = $1 }
        return found
    }

    /// The squared distance between tracks `a` and `b`, in the space's units.
    func distance(_ a: Int, _ b: Int) -> Float { Self.distance(codes, a, b) }

    static func distance(_ codes: [UInt8], _ a: Int, _ b: Int) -> Float {
        distance(codes, from: lanes(codes[a * stride..<a * stride + width].map(Float.init)), to: b)
    }

    /// 1 for the same sound, falling towards 0 as tracks grow apart (0.5 at a typical distance).
    public func similarity(distance: Float) -> Double {
        Double(1 / (1 + distance / typicalDistance))
    }

    /// The point of track `position`, in codes.
    func point(at position: Int) -> [Float] {
        codes[position * Self.stride..<position * Self.stride + Self.width].map(Float.init)
    }

    /// One neighbour: the track, its distance, and the seed it is nearest to.
    public struct Neighbour: Sendable, Equatable {
        public var track: TrackID
        public var distance: Float
        public var similarity: Double
        public var nearestSeed: TrackID
    }

    /// The tracks nearest to `seeds` (the centre of those analysed), best first, leaving out the
    /// seeds and `excluding`, with at most `perArtist` of one artist (and `admit` deciding the
    /// rest: the caller's scope). Empty when no seed is analysed.
    public func nearest(
        to seeds: [TrackID], limit: Int, excluding: Set<TrackID> = [], perArtist: Int = 2,
        admit: (TrackID) -> Bool = { _ in true }
    ) -> [Neighbour] {
        let seedPositions = seeds.compactMap { seed in position(of: seed).map { (seed, $0) } }
        guard !seedPositions.isEmpty, limit > 0 else { return [] }
        let seedPoints = seedPositions.map { ($0.0, point(at: $0.1)) }
        var sum = [Float](repeating: 0, count: Self.width)
        for (_, point) in seedPoints {
            for offset in 0..<Self.width { sum[offset] += point[offset] / Float(seedPoints.count) }
        }
        let centre = Self.lanes(sum)
        let seedLanes = seedPoints.map { ($0.0, Self.lanes($0.1)) }
        // Left out by position (a few hundred lookups), not by hashing every track's ID.
        var skip = Set(seedPositions.map(\.1))
        for id in excluding { if let position = position(of: id) { skip.insert(position) } }
        // The nearest few hundred by a bounded heap (one pass, no sort of the whole library);
        // the whole library only when the artist cap and `admit` leave too few of them.
        var scored = nearestPositions(to: centre, count: max(limit * 20, 400), skipping: skip)
        if scored.count < count - skip.count, !enough(scored, limit: limit, perArtist: perArtist, admit: admit) {
            scored = nearestPositions(to: centre, count: count, skipping: skip)
        }
        var perArtistCount: [UInt64: Int] = [:]
        var result: [Neighbour] = []
        for (index, distance) in scored {
            let artist = artists[index]
            if perArtist > 0, perArtistCount[artist, default: 0] >= perArtist { continue }
            let track = id(at: index)
            guard admit(track) else { continue }
            perArtistCount[artist, default: 0] += 1
            let nearestSeed =
                seedLanes.min { self.distance(from: $0.1, to: index) < self.distance(from: $1.1, to: index) }?.0
                ?? seeds[0]
            result.append(
                Neighbour(
                    track: track, distance: distance, similarity: similarity(distance: distance),
                    nearestSeed: nearestSeed))
            if result.count >= limit { break }
        }
        return result
    }

    /// The `count` positions nearest to `query`, nearest first (ties by position), leaving out `skip`.
    func nearestPositions(to query: [SIMD8<Float>], count: Int, skipping skip: Set<Int>) -> [(
        index: Int, distance: Float
    )] {
        guard count > 0 else { return [] }
        // A max-heap of the best so far: its top is the worst kept.
        var heap: [(index: Int, distance: Float)] = []
        heap.reserveCapacity(min(count, self.count))
        func worse(_ a: (index: Int, distance: Float), _ b: (index: Int, distance: Float)) -> Bool {
            a.distance > b.distance || (a.distance == b.distance && a.index > b.index)
        }
        Self.eachDistance(codes, from: query, positions: 0..<self.count, skipping: skip) { index, distance in
            let candidate = (index: index, distance: distance)
            if heap.count < count {
                heap.append(candidate)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard worse(heap[child], heap[parent]) else { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if worse(heap[0], candidate) {
                heap[0] = candidate
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var largest = parent
                    if left < heap.count, worse(heap[left], heap[largest]) { largest = left }
                    if right < heap.count, worse(heap[right], heap[largest]) { largest = right }
                    if largest == parent { break }
                    heap.swapAt(parent, largest)
                    parent = largest
                }
            }
        }
        return heap.sorted { worse($1, $0) }
    }

    /// Whether `scored` holds `limit` picks once the artist cap and `admit` have had their say.
    private func enough(
        _ scored: [(index: Int, distance: Float)], limit: Int, perArtist: Int, admit: (TrackID) -> Bool
    ) -> Bool {
        var counts: [UInt64: Int] = [:]
        var picked = 0
        for (index, _) in scored {
            let artist = artists[index]
            if perArtist > 0, counts[artist, default: 0] >= perArtist { continue }
            guard admit(id(at: index)) else { continue }
            counts[artist, default: 0] += 1
            picked += 1
            if picked >= limit { return true }
        }
        return false
    }

    /// A path of `count` tracks from `start` to `end` (both included): points spaced evenly on the
    /// line between them, each answered by the nearest track not yet used, so the sound moves in
    /// small steps. Nil when either end is not analysed.
    public func path(
        from start: TrackID, to end: TrackID, count: Int, admit: (TrackID) -> Bool = { _ in true }
    ) -> [Neighbour]? {
        guard let startIndex = position(of: start), let endIndex = position(of: end) else { return nil }
        let a = point(at: startIndex), b = point(at: endIndex)
        let steps = max(2, count)
        var used: Set<Int> = [startIndex, endIndex]
        var result = [Neighbour(track: start, distance: 0, similarity: 1, nearestSeed: start)]
        for step in 1..<(steps - 1) {
            let t = Float(step) / Float(steps - 1)
            let target = Self.lanes((0..<Self.width).map { a[$0] + (b[$0] - a[$0]) * t })
            var best: (index: Int, distance: Float)?
            Self.eachDistance(codes, from: target, positions: 0..<self.count, skipping: used) { index, d in
                if let current = best, d >= current.distance { return }
                if admit(id(at: index)) { best = (index, d) }
            }
            guard let best else { break }
            used.insert(best.index)
            let fromStart = distance(startIndex, best.index)
            result.append(
                Neighbour(
                    track: id(at: best.index), distance: fromStart, similarity: similarity(distance: fromStart),
                    nearestSeed: start))
        }
        let whole = distance(startIndex, endIndex)
        result.append(
            Neighbour(track: end, distance: whole, similarity: similarity(distance: whole), nearestSeed: start))
        return result
    }
}
