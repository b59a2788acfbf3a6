/// FNV-1a, 64 bits, twice with different offsets for 128 bits. Not cryptographic: it names
/// catalog entries and samples file content for move detection, where speed and stability
/// across runs and machines matter (Swift's `Hasher` is seeded per process).
public enum StableHash {
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    public static func fnv1a64<S: Sequence>(_ bytes: S, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64
    where S.Element == UInt8 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= prime
        }
        return hash
    }

    /// 32 hex digits of a 128-bit hash of `text`'s UTF-8 bytes.
    public static func hex128(_ text: String) -> String {
        hex128(bytes: Array(text.utf8))
    }

    public static func hex128<S: Sequence>(bytes: S) -> String where S.Element == UInt8 {
        let high = fnv1a64(bytes)
        let low = fnv1a64(bytes, seed: 0x6C62_272E_07BB_0142)
        return hexDigits(high) + hexDigits(low)
    }

    private static func hexDigits(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
