public import Foundation

/// FNV-1a, 64 bits, twice with different offsets for 128 bits. Not cryptographic: it names
/// catalog entries and samples file content for move detection, where speed and stability
/// across runs and machines matter (Swift's `Hasher` is seeded per process).
public enum StableHash {
    private static let prime: UInt64 = 0x0000_0100_0000_01B3
    private static let offsets: (UInt64, UInt64) = (0xCBF2_9CE4_8422_2325, 0x6C62_272E_07BB_0142)

    /// 32 hex digits of a 128-bit hash of `text`'s UTF-8 bytes.
    public static func hex128(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex128(UnsafeRawBufferPointer($0)) }
    }

    public static func hex128(bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex128($0) }
    }

    public static func hex128(data: Data) -> String {
        data.withUnsafeBytes { hex128($0) }
    }

    public static func hex128(_ buffer: UnsafeRawBufferPointer) -> String {
        var high = offsets.0
        var low = offsets.1
        for byte in buffer {
            high = (high ^ UInt64(byte)) &* prime
            low = (low ^ UInt64(byte)) &* prime
        }
        return hexDigits(high) + hexDigits(low)
    }

    private static func hexDigits(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
