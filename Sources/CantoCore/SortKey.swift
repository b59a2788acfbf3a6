import Foundation

/// Text folded for grouping, sorting and searching: case and diacritics removed, so
/// "Björk" and "bjork" group and sort together.
public enum SortKey {
    public static func folded(_ text: String) -> String {
        if let ascii = asciiFolded(text) { return ascii }
        return text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `folded` of ASCII text without Foundation (nil for text that is not ASCII): letters
    /// lowered, tabs, line breaks and spaces trimmed from both ends, the same result to the
    /// byte (artist IDs are hashes of it). Foundation's folding and trimming were a twentieth
    /// of a first scan's time.
    static func asciiFolded(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
            var start = 0
            var end = bytes.count
            for byte in bytes where byte >= 0x80 { return nil }
            while start < end, isSpace(bytes[start]) { start += 1 }
            while end > start, isSpace(bytes[end - 1]) { end -= 1 }
            return String(unsafeUninitializedCapacity: end - start) { out in
                for index in start..<end {
                    let byte = bytes[index]
                    out[index - start] = (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
                }
                return end - start
            }
        }
    }

    /// The sort name: folded, without a leading article ("The Beatles" sorts as "beatles").
    public static func sortName(_ text: String, articles: [String] = ["the", "a", "an", "el", "la", "le", "les"])
        -> String
    {
        let folded = folded(text)
        for article in articles where folded.hasPrefix(article + " ") {
            return String(folded.dropFirst(article.count + 1))
        }
        return folded
    }

    /// The index letter used by artist indexes: "#" for anything not starting with a letter.
    public static func indexLetter(_ sortName: String) -> String {
        guard let first = sortName.first, first.isLetter else { return "#" }
        return String(first).uppercased()
    }
}
