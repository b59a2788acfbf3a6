public import CantoCore
import CantoMedia
public import Foundation

/// What `LibraryGenerator.generate` made.
public struct GeneratedLibrary: Sendable {
    public var root: URL
    public var trackCount: Int
    public var albumCount: Int
    public var artistCount: Int
    /// Relative paths of every track.
    public var trackPaths: [String]
    public var seconds: TimeInterval
    public var tracksPerSecond: Double { seconds > 0 ? Double(trackCount) / seconds : 0 }
}

/// Builds large libraries for benchmarks and scale tests: one short clip per format is encoded
/// once (on first use), then every track is a copy of a clip tagged by TagLib, written album by
/// album in batches (a million tracks never sit in memory as plans).
///
/// The shape is a household's: about 12 tracks an album (7 to 15), one album in seven on two discs
/// (`Disc N` folders), one in four with a `cover.jpg`; album artists drawn with a long tail (a few
/// with dozens of albums, most with one); one album in ten a compilation (`COMPILATION=1`, no album
/// artist, a different artist on nearly every track, under `Compilations/`); a guest artist on one
/// track in four. At a million tracks: about 80,000 albums and 300,000 artists. Names mix scripts
/// and diacritics. Layout: `Artist/Album (Year)/NN - Title.ext`.
public enum LibraryGenerator {
    struct PlannedTrack: Sendable {
        var path: String
        var format: FixtureFormat
        var fields: TagFields
    }

    static let firstNames = [
        "Björk", "Sigur", "Ólafur", "Agnès", "Zoë", "Renée", "Søren", "Marta", "Kenji", "Yuki", "坂本", "Ana", "Chloé",
        "José", "Łukasz", "Mikael", "Nina", "Otto", "Paulo", "Rosa", "Tomás", "Ülle", "Vera", "Wim",
    ]
    static let lastNames = [
        "Rós", "Arnalds", "Guðmundsdóttir", "Obel", "Moura", "Veloso", "龍一", "Nakamura", "Dvořák", "Ørsted",
        "Kowalski", "Lindqvist", "Carvalho", "Müller", "Petit", "Smith",
    ]
    static let words = [
        "Coração", "Night", "River", "Été", "Light", "Frío", "Garden", "Nuit", "Stone", "Ljós", "Echo", "夜", "Glass",
        "Winter", "Fuego", "Dream", "Ocean", "Storm", "Silence", "Hiver", "Sky", "Vento", "Fire", "Morgen",
    ]
    static let genres = ["Rock", "Electronic", "Jazz", "Ambient", "Folk", "Classical", "Pop", "Hip-Hop"]
    /// Formats weighted the way real libraries are: mostly mp3 and flac.
    static let formats: [FixtureFormat] =
        [.mp3, .mp3, .mp3, .mp3, .flac, .flac, .flac, .aac, .ogg, .opus, .alac, .wav, .aiff, .wavpack]
    /// Tracks planned and written at a time.
    static let batchSize = 4_096

    /// Generates about `tracks` tracks under `root` (created when missing), the same for the same
    /// `seed`.
    public static func generate(at root: URL, tracks: Int, seed: UInt64 = 1) throws -> GeneratedLibrary {
        let started = Date()
        let clips = try ClipStore()
        var planner = Planner(tracks: tracks, seed: seed)
        var paths: [String] = []
        paths.reserveCapacity(tracks)
        let fileManager = FileManager.default
        while !planner.done {
            let (batch, covers) = planner.next(atLeast: batchSize)
            for folder in Set(batch.map { ($0.path as NSString).deletingLastPathComponent }) {
                try fileManager.createDirectory(
                    at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            for folder in covers {
                try fileManager.copyItem(
                    at: try clips.cover(), to: root.appendingPathComponent(folder).appendingPathComponent("cover.jpg"))
            }
            try parallelForEach(batch.count) { index in
                let track = batch[index]
                let destination = root.appendingPathComponent(track.path)
                try FileManager.default.copyItem(at: try clips.clip(track.format), to: destination)
                do {
                    try TagReader.write(path: destination.path, fields: track.fields)
                } catch {
                    throw FixtureError.tagWriteFailed(path: destination.path, reason: "\(error)")
                }
            }
            paths += batch.map(\.path)
        }
        return GeneratedLibrary(
            root: root, trackCount: paths.count, albumCount: planner.albums, artistCount: planner.artistCount,
            trackPaths: paths, seconds: Date().timeIntervalSince(started))
    }

    /// The clips every track is copied from, encoded on first use.
    final class ClipStore: Sendable {
        private let folder: TemporaryDirectory
        private let made = LockedValue<[String: URL]>([:])

        init() throws { folder = try TemporaryDirectory(prefix: "canto-generator-clips") }

        func clip(_ format: FixtureFormat) throws -> URL {
            try made.withLock { made in
                if let url = made[format.rawValue] { return url }
                let url = folder.appending("clip-\(format.rawValue).\(format.fileExtension)")
                try AudioClip(seconds: 1, channels: 1).encode(format, to: url)
                made[format.rawValue] = url
                return url
            }
        }

        func cover() throws -> URL {
            try made.withLock { made in
                if let url = made["cover"] { return url }
                let url = folder.appending("cover.jpg")
                try AudioClip.jpeg(to: url, color: "green")
                made["cover"] = url
                return url
            }
        }
    }

    /// Plans albums one after another until `tracks` are planned.
    struct Planner {
        let tracks: Int
        var random: SeededGenerator
        var planned = 0
        var albums = 0
        /// Album artists are drawn from this many names (the first indexes of `artistName`).
        let pool: Int
        /// The next artist index past the pool: guests and compilation artists, each new.
        var nextNew: Int
        private(set) var artists = Set<Int>()
        var compilations = 0

        init(tracks: Int, seed: UInt64) {
            self.tracks = tracks
            random = SeededGenerator(seed: seed)
            pool = max(1, tracks / 12 * 45 / 100)
            nextNew = pool
        }

        var done: Bool { planned >= tracks }
        /// Distinct artists, with "Various Artists" for the compilations.
        var artistCount: Int { artists.count + (compilations > 0 ? 1 : 0) }

        mutating func roll(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
        /// True `percent` times in a hundred.
        mutating func chance(_ percent: Int) -> Bool { roll(100) < percent }

        /// A new artist (a guest, a compilation's), or now and then one of the pool.
        mutating func otherArtist(newPercent: Int) -> Int {
            guard chance(newPercent) else { return roll(pool) }
            defer { nextNew += 1 }
            return nextNew
        }

        /// Whole albums until at least `count` tracks (or the total) are planned; the folders that
        /// get a cover.
        mutating func next(atLeast count: Int) -> (tracks: [PlannedTrack], covers: [String]) {
            var batch: [PlannedTrack] = []
            var covers: [String] = []
            while batch.count < count, !done {
                let album = albums
                albums += 1
                let title = LibraryGenerator.albumTitle(album, random: &random)
                let year = 1960 + roll(64)
                let format = formats[roll(formats.count)]
                let genre = genres[roll(genres.count)]
                let discs = album % 7 == 3 ? 2 : 1
                let perDisc = min(max(1, (tracks - planned + discs - 1) / discs), 7 + roll(9))
                let compilation = album % 10 == 9
                // The long tail: a cube of a uniform draw puts most albums on a few artists.
                let u = Double(roll(1_000_000)) / 1_000_000
                let albumArtist = compilation ? nil : Int(Double(pool) * u * u * u)
                if compilation { compilations += 1 }
                let albumFolder =
                    "\(albumArtist.map(LibraryGenerator.artistName) ?? "Compilations")/\(title) (\(year))"
                if album % 4 == 0 { covers.append(albumFolder) }
                for disc in 1...discs {
                    let folder = discs > 1 ? albumFolder + "/Disc \(disc)" : albumFolder
                    for number in 1...perDisc where !done {
                        let song = words[roll(words.count)] + " " + words[roll(words.count)]
                        var trackArtists: [Int]
                        if let albumArtist {
                            trackArtists = [albumArtist]
                            if chance(25) {
                                let guest = otherArtist(newPercent: 80)
                                if guest != albumArtist { trackArtists.append(guest) }
                            }
                        } else {
                            trackArtists = [otherArtist(newPercent: 90)]
                        }
                        artists.formUnion(trackArtists)
                        if let albumArtist { artists.insert(albumArtist) }
                        let fileName = String(format: "%02d - %@.%@", number, song, format.fileExtension)
                        var fields: TagFields = [
                            "TITLE": [song], "ARTIST": trackArtists.map(LibraryGenerator.artistName), "ALBUM": [title],
                            "TRACKNUMBER": ["\(number)/\(perDisc)"], "DISCNUMBER": ["\(disc)/\(discs)"],
                            "DATE": ["\(year)"], "GENRE": [genre],
                        ]
                        if let albumArtist {
                            fields["ALBUMARTIST"] = [LibraryGenerator.artistName(albumArtist)]
                        } else {
                            fields["COMPILATION"] = ["1"]
                        }
                        batch.append(PlannedTrack(path: folder + "/" + fileName, format: format, fields: fields))
                        planned += 1
                    }
                }
            }
            return (batch, covers)
        }
    }

    /// Unique, even after case and diacritic folding: the index makes it so past the name pool.
    static func artistName(_ index: Int) -> String {
        let first = firstNames[index % firstNames.count]
        let last = lastNames[(index / firstNames.count) % lastNames.count]
        let round = index / (firstNames.count * lastNames.count)
        return round == 0 ? "\(first) \(last)" : "\(first) \(last) \(round + 1)"
    }

    static func albumTitle(_ index: Int, random: inout SeededGenerator) -> String {
        let word = words[Int((random.next() as UInt64) % UInt64(words.count))]
        return "\(word) \(index + 1)"
    }
}
