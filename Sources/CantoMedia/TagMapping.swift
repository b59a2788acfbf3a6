public import CantoCore
import Foundation

/// The text that splits several artists or genres held in one value ("A; B").
/// Values a format holds natively as several (ID3v2.4, Vorbis comments) are never split.
public struct TagSeparators: Sendable, Equatable {
    public var artist: [String]
    public var genre: [String]
    public init(artist: [String] = [" / ", "; ", " feat. ", " ft. "], genre: [String] = [";", "/", ","]) {
        self.artist = artist
        self.genre = genre
    }
}

/// Turns TagLib's unified keys into `TrackTags`. Pure, so every rule is tested without files.
public struct TagMapping: Sendable {
    public var separators: TagSeparators
    public init(separators: TagSeparators) { self.separators = separators }

    public func tags(from fields: TagFields) -> TrackTags {
        func first(_ keys: String...) -> String? {
            for key in keys {
                if let value = fields[key]?.first(where: { !$0.trimmed.isEmpty }) { return value.trimmed }
            }
            return nil
        }
        func all(_ key: String, splitBy split: [String]) -> [String] {
            let values = fields[key] ?? []
            return Self.unique(values.flatMap { Self.split($0, by: split) })
        }
        var tags = TrackTags()
        tags.title = first("TITLE")
        tags.artists = all("ARTIST", splitBy: separators.artist)
        if tags.artists.count <= 1, let artists = fields["ARTISTS"], artists.count > 1 {
            tags.artists = Self.unique(artists.map(\.trimmed))
        }
        tags.album = first("ALBUM")
        for key in ["ALBUMARTIST", "ALBUM ARTIST", "ALBUM_ARTIST"] where tags.albumArtists.isEmpty {
            tags.albumArtists = all(key, splitBy: separators.artist)
        }
        (tags.trackNumber, tags.trackTotal) = Self.numberPair(first("TRACKNUMBER"))
        tags.trackTotal = tags.trackTotal ?? Int(first("TRACKTOTAL", "TOTALTRACKS") ?? "")
        (tags.discNumber, tags.discTotal) = Self.numberPair(first("DISCNUMBER"))
        tags.discTotal = tags.discTotal ?? Int(first("DISCTOTAL", "TOTALDISCS") ?? "")
        tags.discSubtitle = first("DISCSUBTITLE", "SETSUBTITLE")
        tags.date = first("DATE", "YEAR")
        tags.originalDate = first("ORIGINALDATE", "ORIGINALYEAR")
        tags.year = Self.year(tags.date) ?? Self.year(tags.originalDate)
        tags.genres = all("GENRE", splitBy: separators.genre)
        tags.compilation = Self.isTrue(first("COMPILATION"))
        tags.composers = all("COMPOSER", splitBy: separators.artist)
        tags.comment = first("COMMENT", "DESCRIPTION")
        tags.bpm = first("BPM").flatMap { Double($0) }.map { Int($0.rounded()) }
        tags.isrc = first("ISRC")
        tags.musicBrainz.recordingID = first("MUSICBRAINZ_TRACKID")
        tags.musicBrainz.trackID = first("MUSICBRAINZ_RELEASETRACKID")
        tags.musicBrainz.releaseID = first("MUSICBRAINZ_ALBUMID")
        tags.musicBrainz.releaseGroupID = first("MUSICBRAINZ_RELEASEGROUPID")
        tags.musicBrainz.artistIDs = all("MUSICBRAINZ_ARTISTID", splitBy: ["/", ";"])
        tags.musicBrainz.albumArtistIDs = all("MUSICBRAINZ_ALBUMARTISTID", splitBy: ["/", ";"])
        tags.replayGain.trackGain = Self.decibels(first("REPLAYGAIN_TRACK_GAIN"))
        tags.replayGain.trackPeak = Self.decibels(first("REPLAYGAIN_TRACK_PEAK"))
        tags.replayGain.albumGain = Self.decibels(first("REPLAYGAIN_ALBUM_GAIN"))
        tags.replayGain.albumPeak = Self.decibels(first("REPLAYGAIN_ALBUM_PEAK"))
        // Some taggers store LRC text in the plain lyrics field, often beside plain text in
        // UNSYNCEDLYRICS: the LRC value is the synced lyrics, the other one the plain lyrics.
        let lyrics = ["LYRICS", "UNSYNCEDLYRICS"].flatMap { fields[$0] ?? [] }.map(\.trimmed).filter { !$0.isEmpty }
        tags.syncedLyrics = lyrics.first(where: Self.looksLikeLRC)
        tags.lyrics = lyrics.first { !Self.looksLikeLRC($0) } ?? tags.syncedLyrics
        return tags
    }

    static func split(_ value: String, by separators: [String]) -> [String] {
        var parts = [value]
        for separator in separators {
            parts = parts.flatMap { $0.components(separatedBy: separator) }
        }
        return parts.map(\.trimmed).filter { !$0.isEmpty }
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert(SortKey.folded($0)).inserted }
    }

    /// "3/12" → (3, 12); "3" → (3, nil).
    static func numberPair(_ value: String?) -> (Int?, Int?) {
        guard let value else { return (nil, nil) }
        let parts = value.split(separator: "/", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (parts.first ?? nil, parts.count > 1 ? parts[1] : nil)
    }

    static func year(_ date: String?) -> Int? {
        guard let date, date.count >= 4, let year = Int(date.prefix(4)), year > 0 else { return nil }
        return year
    }

    static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return ["1", "true", "yes"].contains(value)
    }

    /// "-6.50 dB" → -6.5.
    static func decibels(_ value: String?) -> Double? {
        guard let value else { return nil }
        let number = value.lowercased().replacingOccurrences(of: "db", with: "").trimmed
        return Double(number)
    }

    static func looksLikeLRC(_ text: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix("[") && $0.dropFirst().first?.isNumber == true }
    }
}

extension String {
    /// Without leading and trailing white space and newlines. Most tags have none, and
    /// Foundation's `trimmingCharacters` cost 4% of a first scan's time even then.
    var trimmed: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace }) ?? first
        if first == startIndex, index(after: last) == endIndex { return self }
        return String(self[first...last])
    }
}
