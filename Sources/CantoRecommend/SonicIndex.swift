public import CantoCore

/// Every analysed track as a point of the sonic space, with its artist, for nearest-neighbour
/// questions: what sounds like these tracks (at most so many of one artist), and a path of small
/// steps from one track to another. Brute force over a flat array: 100,000 tracks of 77 values
/// (52 of sound, 25 of tags) are 31 MB and a pass takes a few milliseconds.
public struct SonicIndex: Sendable {
    public let space: SonicSpace
    let ids: [TrackID]
    let artists: [String]
    /// Points, one after another (`SonicFeatures.count` values each).
    let points: [Float]
    let positions: [TrackID: Int]
    /// A typical distance between two tracks (the median of a sample), for similarities.
    let typicalDistance: Float

    static let width = SonicFeatures.count + TagSpace.width

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

    /// An index of `entries`: each point is the track's sound (a tagged BPM standing in for the
    /// measured tempo) and, when `useTags`, its genres, artist and year.
    public init(entries: [Entry], useTags: Bool = true) {
        let tempo = SonicFeatures.Index.tempo
        let features = entries.map { entry -> SonicFeatures in
            guard let bpm = entry.tags.bpm, (30...300).contains(bpm), tempo < entry.features.values.count else {
                return entry.features
            }
            var features = entry.features
            features.values[tempo] = Float(bpm)
            return features
        }
        let space = SonicSpace(fitting: features)
        let tagSpace = TagSpace(fitting: entries.map(\.tags))
        self.space = space
        ids = entries.map(\.id)
        artists = entries.map { $0.tags.artist.lowercased() }
        var points: [Float] = []
        points.reserveCapacity(entries.count * Self.width)
        for (entry, features) in zip(entries, features) {
            points += space.point(features)
            points += useTags ? tagSpace.point(entry.tags) : [Float](repeating: 0, count: TagSpace.width)
        }
        self.points = points
        positions = Dictionary(entries.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        // The median distance between tracks a fixed stride apart: stable, cheap, and about the
        // distance between two tracks picked at random.
        var sample: [Float] = []
        if entries.count > 1 {
            let stride = max(1, entries.count / 200)
            var index = 0
            while index + stride < entries.count, sample.count < 400 {
                sample.append(Self.distance(points, index, index + stride))
                index += 1
            }
        }
        sample.sort()
        typicalDistance = sample.isEmpty ? 1 : max(1e-6, sample[sample.count / 2])
    }

    public var count: Int { ids.count }

    public func contains(_ id: TrackID) -> Bool { positions[id] != nil }

    static func distance(_ points: [Float], _ a: Int, _ b: Int) -> Float {
        var sum: Float = 0
        let width = Self.width
        for offset in 0..<width {
            let difference = points[a * width + offset] - points[b * width + offset]
            sum += difference * difference
        }
        return sum
    }

    /// The distance from a point (a query vector) to track `index`.
    func distance(from query: [Float], to index: Int) -> Float {
        var sum: Float = 0
        let base = index * Self.width
        for offset in 0..<Self.width {
            let difference = query[offset] - points[base + offset]
            sum += difference * difference
        }
        return sum
    }

    /// 1 for the same sound, falling towards 0 as tracks grow apart (0.5 at a typical distance).
    public func similarity(distance: Float) -> Double {
        Double(1 / (1 + distance / typicalDistance))
    }

    /// The point of a track, or nil when it is not analysed.
    func point(_ id: TrackID) -> [Float]? {
        guard let index = positions[id] else { return nil }
        return Array(points[index * Self.width..<(index + 1) * Self.width])
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
        let seedPoints = seeds.compactMap { seed in point(seed).map { (seed, $0) } }
        guard !seedPoints.isEmpty, limit > 0 else { return [] }
        var centre = [Float](repeating: 0, count: Self.width)
        for (_, point) in seedPoints {
            for offset in 0..<Self.width { centre[offset] += point[offset] / Float(seedPoints.count) }
        }
        // Left out by position (a few hundred lookups), not by hashing every track's ID.
        var skip = Set<Int>()
        for id in seeds { if let position = positions[id] { skip.insert(position) } }
        for id in excluding { if let position = positions[id] { skip.insert(position) } }
        // The nearest few hundred by a bounded heap (one pass, no sort of the whole library);
        // the whole library only when the artist cap and `admit` leave too few of them.
        var scored = nearestPositions(to: centre, count: max(limit * 20, 400), skipping: skip)
        if scored.count < ids.count - skip.count, !enough(scored, limit: limit, perArtist: perArtist, admit: admit) {
            scored = nearestPositions(to: centre, count: ids.count, skipping: skip)
        }
        var perArtistCount: [String: Int] = [:]
        var result: [Neighbour] = []
        for (index, distance) in scored {
            let artist = artists[index]
            if perArtist > 0, perArtistCount[artist, default: 0] >= perArtist { continue }
            guard admit(ids[index]) else { continue }
            perArtistCount[artist, default: 0] += 1
            let nearestSeed =
                seedPoints.min { self.distance(from: $0.1, to: index) < self.distance(from: $1.1, to: index) }?.0
                ?? seeds[0]
            result.append(
                Neighbour(
                    track: ids[index], distance: distance, similarity: similarity(distance: distance),
                    nearestSeed: nearestSeed))
            if result.count >= limit { break }
        }
        return result
    }

    /// The `count` positions nearest to `query`, nearest first (ties by position), leaving out `skip`.
    func nearestPositions(to query: [Float], count: Int, skipping skip: Set<Int>) -> [(index: Int, distance: Float)] {
        guard count > 0 else { return [] }
        // A max-heap of the best so far: its top is the worst kept.
        var heap: [(index: Int, distance: Float)] = []
        heap.reserveCapacity(min(count, ids.count))
        func worse(_ a: (index: Int, distance: Float), _ b: (index: Int, distance: Float)) -> Bool {
            a.distance > b.distance || (a.distance == b.distance && a.index > b.index)
        }
        points.withUnsafeBufferPointer { buffer in
            query.withUnsafeBufferPointer { q in
                let width = Self.width
                for index in 0..<ids.count where !skip.contains(index) {
                    var sum: Float = 0
                    let base = index * width
                    for offset in 0..<width {
                        let difference = q[offset] - buffer[base + offset]
                        sum += difference * difference
                    }
                    let candidate = (index: index, distance: sum)
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
            }
        }
        return heap.sorted { worse($1, $0) }
    }

    /// Whether `scored` holds `limit` picks once the artist cap and `admit` have had their say.
    private func enough(
        _ scored: [(index: Int, distance: Float)], limit: Int, perArtist: Int, admit: (TrackID) -> Bool
    ) -> Bool {
        var counts: [String: Int] = [:]
        var picked = 0
        for (index, _) in scored {
            let artist = artists[index]
            if perArtist > 0, counts[artist, default: 0] >= perArtist { continue }
            guard admit(ids[index]) else { continue }
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
        guard let a = point(start), let b = point(end), let startIndex = positions[start] else { return nil }
        let steps = max(2, count)
        var used: Set<TrackID> = [start, end]
        var result = [Neighbour(track: start, distance: 0, similarity: 1, nearestSeed: start)]
        for step in 1..<(steps - 1) {
            let t = Float(step) / Float(steps - 1)
            let target = (0..<Self.width).map { a[$0] + (b[$0] - a[$0]) * t }
            var best: (index: Int, distance: Float)?
            for index in ids.indices where !used.contains(ids[index]) {
                let d = distance(from: target, to: index)
                if let current = best, d >= current.distance { continue }
                if admit(ids[index]) { best = (index, d) }
            }
            guard let best else { break }
            used.insert(ids[best.index])
            let fromStart = Self.distance(points, startIndex, best.index)
            result.append(
                Neighbour(
                    track: ids[best.index], distance: fromStart, similarity: similarity(distance: fromStart),
                    nearestSeed: start))
        }
        let whole = distance(from: a, to: positions[end] ?? 0)
        result.append(
            Neighbour(track: end, distance: whole, similarity: similarity(distance: whole), nearestSeed: start))
        return result
    }
}
