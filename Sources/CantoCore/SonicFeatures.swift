public import Foundation

/// What a track sounds like, as the sonic analyser measured it from a few windows of its audio:
/// loudness, tempo, key, timbre and spectral shape. `values` is in the analyser's order (the
/// `Index` constants); `version` names the analyser, so a change of analyser re-analyses.
public struct SonicFeatures: Sendable, Equatable, Codable {
    /// The analyser these features come from; stored features of another version are measured again.
    public static let version = 1
    /// How many values a vector holds.
    public static let count = 52

    /// Where each feature is in `values`.
    public enum Index {
        public static let loudness = 0
        public static let loudnessRange = 1
        public static let tempo = 2
        public static let tempoStrength = 3
        public static let key = 4
        public static let mode = 5
        public static let keyStrength = 6
        /// 12 values, C to B.
        public static let chroma = 7
        /// 13 values each.
        public static let mfccMean = 19
        public static let mfccVariance = 32
        public static let centroid = 45
        public static let centroidDeviation = 46
        public static let rolloff = 47
        public static let flatness = 48
        public static let flux = 49
        public static let crest = 50
        public static let rmsDeviation = 51
    }

    public var values: [Float]

    public init(values: [Float]) {
        self.values = values
    }

    /// Integrated loudness in LUFS.
    public var loudness: Float { value(Index.loudness) }
    /// Beats per minute.
    public var tempo: Float { value(Index.tempo) }
    /// The key's pitch class, 0 (C) to 11 (B).
    public var key: Int { Int(value(Index.key)) }
    /// Whether the key is major.
    public var isMajor: Bool { value(Index.mode) >= 0.5 }
    /// The key as musicians write it ("C major", "F♯ minor").
    public var keyName: String {
        let names = ["C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"]
        return "\(names[max(0, min(11, key))]) \(isMajor ? "major" : "minor")"
    }

    private func value(_ index: Int) -> Float { index < values.count ? values[index] : 0 }

    /// The vector as stored: little-endian 32-bit floats.
    public var blob: Data {
        var data = Data(capacity: values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Features read back from `blob`; nil when it is not `count` finite floats.
    public init?(blob: Data) {
        guard blob.count == Self.count * 4 else { return nil }
        var values: [Float] = []
        values.reserveCapacity(Self.count)
        let bytes = [UInt8](blob)
        for index in 0..<Self.count {
            var pattern: UInt32 = 0
            for byte in 0..<4 { pattern |= UInt32(bytes[index * 4 + byte]) << (8 * byte) }
            let value = Float(bitPattern: pattern)
            guard value.isFinite else { return nil }
            values.append(value)
        }
        self.values = values
    }
}

/// Read access to tracks' sonic features, for recommenders.
public protocol SonicFeatureReader: Sendable {
    /// A page of tracks' current features (measured for its content now, by this analyser), in
    /// the order of their IDs, from the first ID after `after` (from the start when nil): `limit`
    /// of them, fewer only at the end.
    func features(after: TrackID?, limit: Int) async throws -> [(TrackID, SonicFeatures)]
    /// One track's current features, if measured.
    func features(of id: TrackID) async throws -> SonicFeatures?
    /// How many tracks have current features (a count over every track: not for a timer).
    func featureCount() async throws -> Int
    /// A number that moves whenever a track's features or the catalog may have changed, and
    /// otherwise stays (cheap: a recommender checks it to know when to build its index again).
    func featuresVersion() async throws -> Int
}

extension SonicFeatureReader {
    /// The count: right, but it reads every track's features each time.
    public func featuresVersion() async throws -> Int { try await featureCount() }

    /// Every track's current features, page by page.
    public func allFeatures() async throws -> [(TrackID, SonicFeatures)] {
        var result: [(TrackID, SonicFeatures)] = []
        while true {
            let page = try await features(after: result.last?.0, limit: 1_000)
            result += page
            if page.count < 1_000 { return result }
        }
    }
}
