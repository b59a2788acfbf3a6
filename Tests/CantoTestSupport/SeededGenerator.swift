public import CantoCore

/// The tests' deterministic generator (the core's SplitMix64), so a seed gives the same library
/// (and the same "random" corrupt bytes) on every machine.
public typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// `count` pseudo-random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next() as UInt64) }
    }
}
