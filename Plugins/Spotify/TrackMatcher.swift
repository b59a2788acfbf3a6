public import CantoCore
import Foundation

/// Finds the local track a Spotify track is: the ISRC first (from the local tags), then the
/// normalised artist and title with the duration within ±3 s, the album and track number breaking
/// ties. Names are compared transliterated to Latin, without accents, case or punctuation; "feat."
/// credits and "Remastered" suffixes are left out of titles, while "Live", "Acoustic", "Demo",
/// "Instrumental" and remix versions must agree on both sides. A listener's own correction (a
/// chosen track, or "none of these") always wins.
public struct TrackMatcher: Sendable {
    /// A local track as the matcher sees it.
    public struct Local: Sendable, Equatable {
        public var id: TrackID
        public var title: String
        public var artist: String
        public var album: String
        public var trackNumber: Int?
        public var durationMs: Int?
        public var isrc: String?

        public init(
            id: TrackID, title: String, artist: String, album: String = "", trackNumber: Int? = nil,
            durationMs: Int? = nil, isrc: String? = nil
        ) {
            self.id = id
            self.title = title
            self.artist = artist
            self.album = album
            self.trackNumber = trackNumber
            self.durationMs = durationMs
            self.isrc = isrc
        }
    }

    /// A track as Spotify describes it.
    public struct Remote: Sendable, Equatable {
        public var id: String
        public var title: String
        public var artists: [String]
        public var album: String
        public var trackNumber: Int?
        public var durationMs: Int?
        public var isrc: String?

        public init(
            id: String, title: String, artists: [String], album: String = "", trackNumber: Int? = nil,
            durationMs: Int? = nil, isrc: String? = nil
        ) {
            self.id = id
            self.title = title
            self.artists = artists
            self.album = album
            self.trackNumber = trackNumber
            self.durationMs = durationMs
            self.isrc = isrc
        }
    }

    /// How a match was made.
    public enum Method: String, Sendable, Codable {
        case isrc, tags, manual
    }

    public struct Match: Sendable, Equatable {
        public var track: TrackID
        public var method: Method
        /// 0 to 1: 1 for an ISRC or a listener's own choice.
        public var confidence: Double

        public init(track: TrackID, method: Method, confidence: Double) {
            self.track = track
            self.method = method
            self.confidence = confidence
        }
    }

    /// A local track under its normalised parts.
    struct Entry: Sendable {
        var local: Local
        var title: Title
        var artists: Set<String>
        var album: String
    }

    let byISRC: [String: [Local]]
    let byTitle: [String: [Entry]]
    /// The listener's corrections: a Spotify track ID to a local track, or to nil for "no match".
    let corrections: [String: TrackID?]
    let known: Set<TrackID>

    /// Durations further apart than this are different recordings.
    static let durationTolerance = 3_000

    public init(library: [Local], corrections: [String: TrackID?] = [:]) {
        var byISRC: [String: [Local]] = [:]
        var byTitle: [String: [Entry]] = [:]
        for local in library {
            if let isrc = local.isrc.flatMap(Self.isrc) { byISRC[isrc, default: []].append(local) }
            let title = Title(local.title)
            guard !title.core.isEmpty else { continue }
            byTitle[title.core, default: []].append(
                Entry(
                    local: local, title: title, artists: Set(Self.artists(local.artist)),
                    album: Self.albumKey(local.album)))
        }
        self.byISRC = byISRC
        self.byTitle = byTitle
        self.corrections = corrections
        known = Set(library.map(\.id))
    }

    /// The local track `remote` is, if any.
    /// Whether `track` is in the library the matcher was made over.
    public func knows(_ track: TrackID) -> Bool { known.contains(track) }

    public func match(_ remote: Remote) -> Match? {
        if let corrected = corrections[remote.id] {
            guard let corrected, known.contains(corrected) else { return nil }
            return Match(track: corrected, method: .manual, confidence: 1)
        }
        if let isrc = remote.isrc.flatMap(Self.isrc), let found = byISRC[isrc], !found.isEmpty {
            // Several local copies of one recording: the one on the same album, else the closest in length.
            let best = found.min { score(of: $0, against: remote) > score(of: $1, against: remote) }
            if let best { return Match(track: best.id, method: .isrc, confidence: 1) }
        }
        let title = Title(remote.title)
        let artists = Set(remote.artists.flatMap(Self.artists))
        let album = Self.albumKey(remote.album)
        var best: (entry: Entry, confidence: Double)?
        for entry in byTitle[title.core] ?? [] {
            guard entry.title.version == title.version, !entry.artists.isDisjoint(with: artists) else { continue }
            var confidence = 0.8
            if let local = entry.local.durationMs, let wanted = remote.durationMs {
                let apart = abs(local - wanted)
                guard apart <= Self.durationTolerance else { continue }
                confidence += apart <= 1_000 ? 0.1 : 0.05
            }
            if !album.isEmpty, entry.album == album { confidence += 0.06 }
            if let number = remote.trackNumber, entry.local.trackNumber == number { confidence += 0.03 }
            if best.map({ confidence > $0.confidence }) ?? true { best = (entry, confidence) }
        }
        return best.map { Match(track: $0.entry.local.id, method: .tags, confidence: min(0.99, $0.confidence)) }
    }

    private func score(of local: Local, against remote: Remote) -> Double {
        var score = 0.0
        if !remote.album.isEmpty, Self.albumKey(local.album) == Self.albumKey(remote.album) { score += 2 }
        if let a = local.durationMs, let b = remote.durationMs { score -= Double(abs(a - b)) / 10_000 }
        return score
    }

    // MARK: Normalising

    /// Letters and digits only, transliterated to Latin, without accents, lower-cased, words
    /// separated by one space; "&" and "+" read as "and".
    static func normalise(_ text: String) -> String {
        var text = text.applyingTransform(.toLatin, reverse: false) ?? text
        text = text.applyingTransform(.stripDiacritics, reverse: false) ?? text
        text = text.lowercased()
        for (letter, plain) in [
            ("ø", "o"), ("æ", "ae"), ("œ", "oe"), ("ß", "ss"), ("đ", "d"), ("ł", "l"), ("þ", "th"), ("ð", "d"),
        ] {
            text = text.replacingOccurrences(of: letter, with: plain)
        }
        text = text.replacingOccurrences(of: "&", with: " and ").replacingOccurrences(of: "+", with: " and ")
        var words: [String] = []
        var word = ""
        for scalar in text.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                word.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "’" {
                continue  // "don't" and "dont" are one word
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.joined(separator: " ")
    }

    /// The artists a credit names: "A feat. B", "A & B", "A, B", "A x B", "A with B" are A and B
    /// (an artist whose own name holds "and" is kept whole as well).
    static func artists(_ credit: String) -> [String] {
        var parts = [credit]
        for separator in [
            " feat. ", " feat ", " ft. ", " ft ", " featuring ", ", ", " & ", " x ", " with ", "; ", " / ",
        ] {
            parts = parts.flatMap { $0.lowercased().components(separatedBy: separator) }
        }
        return Array(Set((parts + [credit]).map(normalise).filter { !$0.isEmpty }))
    }

    /// An album's key: normalised, without an edition note ("(Deluxe Edition)", "- Remastered").
    static func albumKey(_ album: String) -> String {
        Title(album).core
    }

    /// A valid ISRC, upper-cased without dashes ("USRC17607839").
    static func isrc(_ text: String) -> String? {
        let plain = text.uppercased().filter { $0.isLetter || $0.isNumber }
        return plain.count == 12 ? plain : nil
    }

    /// A title's core (what it is called) and its version ("live", "acoustic", a remix…), with
    /// featured artists and remaster notes left out.
    struct Title: Sendable, Equatable {
        var core: String
        var version: String

        static let versions = ["live", "acoustic", "demo", "instrumental", "remix", "mix", "unplugged", "karaoke"]
        static let ignored = [
            "remaster", "remastered", "feat", "featuring", "ft", "with", "mono", "stereo", "version",
            "deluxe", "edition", "bonus", "track", "expanded", "anniversary", "explicit", "clean", "single", "radio",
            "edit",
            "original", "album", "from",
        ]

        init(_ raw: String) {
            // Notes come in brackets or after " - ": "Song (Live at Wembley)", "Song - 2011 Remaster".
            var main = raw
            var notes: [String] = []
            while let open = main.lastIndex(where: { "([".contains($0) }) {
                let close = main[open...].firstIndex(where: { ")]".contains($0) }) ?? main.endIndex
                notes.append(String(main[main.index(after: open)..<close]))
                main.removeSubrange(open..<(close == main.endIndex ? close : main.index(after: close)))
            }
            if let dash = main.range(of: " - ", options: .backwards) {
                notes.append(String(main[dash.upperBound...]))
                main = String(main[..<dash.lowerBound])
            }
            if let featuring = main.range(
                of: #" (feat\.?|ft\.|featuring) "#, options: [.regularExpression, .caseInsensitive])
            {
                main = String(main[..<featuring.lowerBound])
            }
            core = TrackMatcher.normalise(main)
            var version: [String] = []
            for note in notes {
                let words = TrackMatcher.normalise(note).split(separator: " ").map(String.init)
                if words.first == "feat" || words.first == "ft" || words.first == "featuring" || words.first == "with" {
                    continue
                }
                for word in words where Self.versions.contains(word) { version.append(word == "mix" ? "remix" : word) }
                // A remix names its remixer: "Song (Someone Remix)" differs from "Song (Other Remix)".
                if words.contains("remix") || words.contains("mix") {
                    version.append(
                        words.filter { !Self.versions.contains($0) && !Self.ignored.contains($0) }.joined(
                            separator: " "))
                }
            }
            self.version = Array(Set(version)).sorted().joined(separator: " ")
        }
    }
}
