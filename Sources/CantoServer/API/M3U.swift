import CantoCore
import CantoDomain
import Foundation

/// Extended M3U playlists: written with absolute file paths (what other players and servers
/// read), read back by path, by path relative to a library, or by the `#EXTINF` artist and title.
enum M3U {
    struct Entry: Equatable {
        /// The line naming the file, as written.
        var location: String
        /// From the `#EXTINF` line before it, when there is one.
        var artist: String?
        var title: String?
    }

    static func render(_ tracks: [Track], libraries: [Library]) -> String {
        let roots = Dictionary(uniqueKeysWithValues: libraries.map { ($0.id, $0.path) })
        var text = "#EXTM3U\n"
        for track in tracks {
            let seconds = Int((track.audio.durationMs + 500) / 1000)
            let label = "\(track.artistName) - \(track.title)".replacingOccurrences(of: "\n", with: " ")
            text += "#EXTINF:\(seconds),\(label)\n"
            text += (roots[track.libraryID].map { $0 + "/" } ?? "") + track.path + "\n"
        }
        return text
    }

    static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        var pending: (artist: String?, title: String?)?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FEFF}", with: "")
            if line.isEmpty { continue }
            if line.hasPrefix("#EXTINF:") {
                let label = line.split(separator: ",", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
                let parts = label.components(separatedBy: " - ")
                pending =
                    parts.count >= 2
                    ? (parts[0], parts.dropFirst().joined(separator: " - "))
                    : (nil, label.isEmpty ? nil : label)
                continue
            }
            if line.hasPrefix("#") { continue }
            entries.append(Entry(location: line, artist: pending?.artist, title: pending?.title))
            pending = nil
        }
        return entries
    }

    /// The catalog track an entry names, if any.
    static func match(_ entry: Entry, libraries: [Library], catalog: CatalogView) async throws -> Track? {
        var location = entry.location.replacingOccurrences(of: "\\", with: "/")
        if location.hasPrefix("file://") {
            location = URL(string: location)?.path ?? String(location.dropFirst("file://".count))
        }
        if location.hasPrefix("./") { location.removeFirst(2) }
        for library in libraries {
            let root = library.path.hasSuffix("/") ? library.path : library.path + "/"
            if location.hasPrefix(root),
                let track = try await catalog.track(library: library.id, path: String(location.dropFirst(root.count)))
            {
                return track
            }
            if !location.hasPrefix("/"), let track = try await catalog.track(library: library.id, path: location) {
                return track
            }
        }
        if let title = entry.title {
            let candidates = try await catalog.tracks(titled: title, limit: 50)
            let byArtist = candidates.first { track in
                entry.artist.map { track.artistName.caseInsensitiveCompare($0) == .orderedSame } ?? false
            }
            return byArtist ?? (entry.artist == nil ? candidates.first : nil)
        }
        return nil
    }

    /// `attachment; filename="…m3u8"` with a UTF-8 fallback for any name.
    static func attachment(name: String) -> String {
        let plain = String(
            name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "playlist"
        return "attachment; filename=\"\(plain).m3u8\"; filename*=UTF-8''\(encoded).m3u8"
    }
}
