public import CantoCore

/// Damages a file the ways real files get damaged, for fuzzing the decoders: flipped bits,
/// overwritten runs, bytes dropped from the middle, and truncation.
public enum Mutation {
    public static func apply(to original: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = original
        guard !bytes.isEmpty else { return bytes }
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            for _ in 0..<Int.random(in: 1...32, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8(
                    1 << Int.random(in: 0..<8, using: &random))
            }
        case 1:
            let start = Int.random(in: 0..<bytes.count, using: &random)
            let end = min(bytes.count, start + Int.random(in: 1...512, using: &random))
            for index in start..<end { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        case 2:
            let start = Int.random(in: 0..<bytes.count, using: &random)
            let end = min(bytes.count, start + Int.random(in: 1...4_096, using: &random))
            bytes.removeSubrange(start..<end)
        default:
            bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        }
        // The header is where parsers trust sizes most: damage it too, half of the time.
        if Bool.random(using: &random), bytes.count > 64 {
            bytes[Int.random(in: 0..<64, using: &random)] = UInt8.random(in: 0...255, using: &random)
        }
        return bytes
    }
}
