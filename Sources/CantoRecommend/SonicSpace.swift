public import CantoCore
import Foundation

/// The space the sonic recommender measures distance in: each feature transformed (tempo on a
/// log scale, so an octave is one step; variances as logs), standardised against the library's own
/// spread, and weighted so each aspect of the sound (loudness, rhythm, tonality, timbre, timbre's
/// movement, spectral shape, dynamics) counts the same however many numbers describe it. The key's
/// pitch class is categorical and left out (the chroma carries it).
public struct SonicSpace: Sendable, Equatable {
    /// The aspects, as places in `SonicFeatures.values`, each with its weight: timbre (the
    /// cepstrum's means) counts double, as the strongest cue of how alike two recordings sound;
    /// loudness and dynamics, which mastering moves as much as music does, count half.
    public static let groups: [[Int]] = {
        let index = SonicFeatures.Index.self
        return [
            [index.loudness, index.loudnessRange],
            [index.tempo, index.tempoStrength],
            [index.mode, index.keyStrength] + Array(index.chroma..<index.chroma + 12),
            Array(index.mfccMean..<index.mfccMean + 13),
            Array(index.mfccVariance..<index.mfccVariance + 13),
            [index.centroid, index.centroidDeviation, index.rolloff, index.flatness, index.flux],
            [index.crest, index.rmsDeviation],
        ]
    }()
    static let groupWeights: [Float] = [0.5, 1, 1, 2, 1, 1, 0.5]

    /// Per value of a transformed vector: the library's mean, and the weight over its spread.
    public private(set) var means: [Float]
    public private(set) var scales: [Float]

    /// A space fitted to `library` (every analysed track's features).
    public init(fitting library: [SonicFeatures]) {
        var fitter = Fitter()
        for features in library { fitter.add(features) }
        self = fitter.space
    }

    /// Fits a space one track at a time, so a library need not be in memory at once to fit it
    /// (sums in double precision: a million tracks' squares would lose a float's digits).
    public struct Fitter: Sendable {
        var sums = [Double](repeating: 0, count: SonicFeatures.count)
        var squares = [Double](repeating: 0, count: SonicFeatures.count)
        var count = 0

        public init() {}

        public mutating func add(_ features: SonicFeatures) {
            let vector = SonicSpace.transform(features)
            for index in 0..<SonicFeatures.count {
                let value = Double(vector[index])
                sums[index] += value
                squares[index] += value * value
            }
            count += 1
        }

        /// The space of the tracks added so far.
        public var space: SonicSpace {
            let n = Double(max(1, count))
            var means = [Float](repeating: 0, count: SonicFeatures.count)
            var scales = [Float](repeating: 0, count: SonicFeatures.count)
            for (index, weight) in SonicSpace.weights.enumerated() where weight > 0 {
                let mean = sums[index] / n
                let spread = Float(max(0, squares[index] / n - mean * mean).squareRoot())
                means[index] = Float(mean)
                scales[index] = weight / max(spread, 1e-4)
            }
            return SonicSpace(means: means, scales: scales)
        }
    }

    /// Each value's weight (its group's weight shared among the group's values, as a square
    /// root: it multiplies a distance that is squared); 0 for values no group holds. A standardised
    /// value times its weight spreads about as far as the weight either side of 0.
    public static let weights: [Float] = {
        var weights = [Float](repeating: 0, count: SonicFeatures.count)
        for (group, groupWeight) in zip(groups, groupWeights) {
            for index in group { weights[index] = (groupWeight / Float(group.count)).squareRoot() }
        }
        return weights
    }()

    init(means: [Float], scales: [Float]) {
        self.means = means
        self.scales = scales
    }

    /// The features as a point of the space.
    public func point(_ features: SonicFeatures) -> [Float] {
        let values = Self.transform(features)
        return (0..<SonicFeatures.count).map { (values[$0] - means[$0]) * scales[$0] }
    }

    /// Squared Euclidean distance between two points.
    public static func distance(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for index in 0..<min(a.count, b.count) {
            let difference = a[index] - b[index]
            sum += difference * difference
        }
        return sum
    }

    static func transform(_ features: SonicFeatures) -> [Float] {
        var values = features.values + [Float](repeating: 0, count: max(0, SonicFeatures.count - features.values.count))
        let index = SonicFeatures.Index.self
        values[index.tempo] = values[index.tempo] > 0 ? Float.log2(values[index.tempo]) : 0
        for offset in 0..<13 {
            values[index.mfccVariance + offset] = Float.log(1 + max(0, values[index.mfccVariance + offset]))
        }
        return values
    }
}

extension Float {
    static func log2(_ value: Float) -> Float { Float(Foundation.log2(Double(value))) }
    static func log(_ value: Float) -> Float { Float(Foundation.log(Double(value))) }
}
