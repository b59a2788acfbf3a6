import Foundation

/// How names are made searchable: one folding for the index and for the query, so that what a
/// listener types and what a tag holds meet whatever their script, width, case or accents.
///
/// - Compatibility forms are unified (full-width "ＡＢＣ" and half-width "ｶﾀｶﾅ" become "abc" and
///   "かたかな"), case is folded, accents are dropped (Rós → ros, Beyoncé → beyonce) and letters
///   that have no decomposition are spelled out (ß → ss, æ → ae, œ → oe, ø → o, ł → l, đ/ð → d,
///   þ → th, dotless ı → i). Katakana fold to hiragana, so either kana finds the other; the
///   voicing marks are kept (が stays が).
/// - Scripts written without spaces (Han, kana, Hangul) are cut into one token per character,
///   so a run of them is found anywhere inside a longer name as a phrase ("龍一" in 坂本龍一).
/// - A word with punctuation inside ("AC/DC", "P!nk", "R.E.M.") is indexed as its parts and
///   as the parts joined ("ac dc acdc"), so it is found with or without the punctuation.
public enum SearchText {
    /// The index form of `text`: folded tokens separated by spaces.
    public static func indexForm(_ text: String) -> String {
        var out: [String] = []
        for chunk in chunks(fold(text)) {
            out.append(contentsOf: chunk.parts)
            if chunk.parts.count > 1, !chunk.spaceless { out.append(chunk.parts.joined()) }
        }
        return out.joined(separator: " ")
    }

    /// The words of a query's `text` as the index holds them: a chunk with punctuation inside is
    /// one joined word ("ac/dc" → "acdc"), a run of spaceless script is one phrase of its
    /// characters.
    public static func queryTerms(_ text: String) -> [Term] {
        chunks(fold(text)).compactMap { chunk in
            if chunk.spaceless { return Term(tokens: chunk.parts) }
            let joined = chunk.parts.joined()
            return joined.isEmpty ? nil : Term(tokens: [joined])
        }
    }

    /// One word of a query: a single token, or the characters of a spaceless run (a phrase).
    public struct Term: Sendable, Hashable {
        public var tokens: [String]
        public init(tokens: [String]) { self.tokens = tokens }
        /// A single Latin-like word (the kind a typo can be corrected in).
        public var word: String? { tokens.count == 1 && !SearchText.isSpaceless(tokens[0]) ? tokens[0] : nil }
        /// The term as the folded text it stands for (for "did you mean").
        public var text: String {
            tokens.allSatisfy { SearchText.isSpaceless($0) } ? tokens.joined() : tokens.joined(separator: " ")
        }
    }

    /// Case, width, accents and the letters without a decomposition, folded.
    public static func fold(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        let compatible = text.precomposedStringWithCompatibilityMapping.lowercased()
        var scalars = String.UnicodeScalarView()
        for scalar in compatible.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x3099, 0x309A:  // kana voicing marks: part of the letter
                scalars.append(scalar)
            case _ where scalar.properties.generalCategory == .nonspacingMark:
                continue
            case 0x00DF: scalars.append(contentsOf: "ss".unicodeScalars)
            case 0x00E6: scalars.append(contentsOf: "ae".unicodeScalars)
            case 0x0153: scalars.append(contentsOf: "oe".unicodeScalars)
            case 0x00F8: scalars.append("o")
            case 0x0142: scalars.append("l")
            case 0x0111, 0x00F0: scalars.append("d")
            case 0x00FE: scalars.append(contentsOf: "th".unicodeScalars)
            case 0x0131: scalars.append("i")
            case 0x30A1...0x30F6:  // katakana → hiragana
                scalars.append(Unicode.Scalar(scalar.value - 0x60) ?? scalar)
            default: scalars.append(scalar)
            }
        }
        return String(scalars).precomposedStringWithCanonicalMapping
    }

    /// Whether a token's script is written without spaces (one token per character).
    public static func isSpaceless(_ token: String) -> Bool {
        token.unicodeScalars.first.map(isSpaceless) ?? false
    }

    static func isSpaceless(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF,  // kana
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F,  // Han
            0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F,  // Hangul
            0x0E00...0x0E7F, 0x0E80...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF:  // Thai, Lao, Myanmar, Khmer
            return true
        default: return false
        }
    }

    private struct Chunk {
        var parts: [String]
        var spaceless: Bool
    }

    /// Whitespace-separated chunks of folded text, each cut into its runs of letters and digits;
    /// a spaceless script is a chunk of its own with one part per character.
    private static func chunks(_ folded: String) -> [Chunk] {
        var chunks: [Chunk] = []
        var parts: [String] = []
        var run = String.UnicodeScalarView()
        func endRun() {
            if !run.isEmpty { parts.append(String(run)) }
            run = String.UnicodeScalarView()
        }
        func endChunk() {
            endRun()
            if !parts.isEmpty { chunks.append(Chunk(parts: parts, spaceless: false)) }
            parts = []
        }
        var spaceless: [String] = []
        func endSpaceless() {
            if !spaceless.isEmpty { chunks.append(Chunk(parts: spaceless, spaceless: true)) }
            spaceless = []
        }
        for scalar in folded.unicodeScalars {
            if isSpaceless(scalar) {
                endChunk()
                if scalar.properties.generalCategory == .nonspacingMark || scalar.value == 0x3099
                    || scalar.value == 0x309A, let last = spaceless.popLast()
                {
                    spaceless.append(last + String(scalar))
                } else {
                    spaceless.append(String(scalar))
                }
            } else if scalar.value == 0x3099 || scalar.value == 0x309A {
                if let last = spaceless.popLast() { spaceless.append(last + String(scalar)) }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                endSpaceless()
                run.append(scalar)
            } else if scalar.properties.isWhitespace {
                endSpaceless()
                endChunk()
            } else {
                endSpaceless()
                endRun()
            }
        }
        endSpaceless()
        endChunk()
        return chunks
    }
}
