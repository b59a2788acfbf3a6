public import Foundation

/// Spotify's "extended streaming history" export (`Streaming_History_Audio_*.json`): an array of
/// plays, each with when it ended (`ts`, UTC), how long it played (`ms_played`), the track's
/// name, artist and album, its URI, and why it started and ended. Episodes and audiobooks (no
/// track name) are left out.
public enum StreamingHistory {
    public struct Entry: Sendable, Equatable {
        /// When the play ended.
        public var endedAt: Date
        public var msPlayed: Int
        public var track: String
        public var artist: String
        public var album: String
        /// `spotify:track:…`, when given.
        public var uri: String?
        public var skipped: Bool?

        /// When it started: the end less the time played.
        public var startedAt: Date { endedAt.addingTimeInterval(-Double(msPlayed) / 1_000) }
    }

    /// The export's JSON is not what Spotify writes.
    public struct Unreadable: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The most entries one file may hold (Spotify splits its exports into files of about 16,000).
    public static let maxEntries = 100_000

    /// The music plays of one export file; what is not music is counted in `others`.
    public static func parse(_ data: Data) throws -> (entries: [Entry], others: Int) {
        guard let array = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw Unreadable(reason: "This is not a Spotify streaming history file (a JSON array of plays).")
        }
        guard array.count <= maxEntries else {
            throw Unreadable(reason: "A file may hold at most \(maxEntries) plays; Spotify's own files hold fewer.")
        }
        let iso = ISO8601DateFormatter()
        var entries: [Entry] = []
        var others = 0
        for (index, item) in array.enumerated() {
            guard let object = item as? [String: Any], let stamp = object["ts"] as? String,
                let endedAt = iso.date(from: stamp), let played = object["ms_played"] as? Int, played >= 0
            else {
                throw Unreadable(reason: "Entry \(index + 1) has no valid ts and ms_played.")
            }
            guard let track = Self.text(object["master_metadata_track_name"]),
                let artist = Self.text(object["master_metadata_album_artist_name"])
            else {
                others += 1
                continue
            }
            entries.append(
                Entry(
                    endedAt: endedAt, msPlayed: min(played, 24 * 3_600_000), track: track, artist: artist,
                    album: Self.text(object["master_metadata_album_album_name"]) ?? "",
                    uri: Self.text(object["spotify_track_uri"]), skipped: object["skipped"] as? Bool))
        }
        return (entries, others)
    }

    private static func text(_ value: Any?) -> String? {
        guard let text = value as? String else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : String(trimmed.prefix(500))
    }
}
