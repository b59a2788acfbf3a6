import Foundation

/// Text folded for grouping, sorting and searching: case and diacritics removed, so
/// "Björk" and "bjork" group and sort together.
public enum SortKey {
    public static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .trimmingCharacters(in: .whitespacesAndNewlines)
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
