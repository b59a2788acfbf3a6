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
/// once, then every track is a copy of a clip tagged by TagLib. Layout:
/// `Artist/Album (Year)/NN - Title.ext`, about ten tracks an album and five albums an artist,
/// some albums on two discs in `Disc N` folders, some with a `cover.jpg`.
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

    /// Generates about `tracks` tracks under `root` (created when missing), the same for the same
    /// `seed`.
    public static func generate(at root: URL, tracks: Int, seed: UInt64 = 1) throws -> GeneratedLibrary {
        let started = Date()
        let clips = try TemporaryDirectory(prefix: "canto-generator-clips")
        var random = SeededGenerator(seed: seed)
        let (planned, albums, artists, covers) = plan(tracks: tracks, random: &random)

        let usedFormats = Array(Set(planned.map(\.format)))
        let coverURL = clips.appending("cover.jpg")
        try parallelForEach(usedFormats.count + 1) { index in
            if index == usedFormats.count { return try AudioClip.jpeg(to: coverURL, color: "green") }
            let format = usedFormats[index]
            try AudioClip(seconds: 1, channels: 1).encode(format, to: clipURL(format, in: clips.url))
        }
        let fileManager = FileManager.default
        for folder in Set(planned.map { ($0.path as NSString).deletingLastPathComponent }) {
            try fileManager.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for folder in covers {
            try fileManager.copyItem(
                at: coverURL, to: root.appendingPathComponent(folder).appendingPathComponent("cover.jpg"))
        }
        let clipsURL = clips.url
        try parallelForEach(planned.count) { index in
            let track = planned[index]
            let destination = root.appendingPathComponent(track.path)
            try FileManager.default.copyItem(at: clipURL(track.format, in: clipsURL), to: destination)
            do {
                try TagReader.write(path: destination.path, fields: track.fields)
            } catch {
                throw FixtureError.tagWriteFailed(path: destination.path, reason: "\(error)")
            }
        }
        return GeneratedLibrary(
            root: root, trackCount: planned.count, albumCount: albums, artistCount: artists,
            trackPaths: planned.map(\.path), seconds: Date().timeIntervalSince(started))
    }

    /// The tracks to make, the album and artist counts, and the folders that get a cover.
    static func plan(tracks: Int, random: inout SeededGenerator)
        -> (tracks: [PlannedTrack], albums: Int, artists: Int, covers: [String])
    {
        var planned: [PlannedTrack] = []
        var covers: [String] = []
        var albums = 0
        var artists = 0
        while planned.count < tracks {
            let artist = artistName(artists)
            artists += 1
            for _ in 0..<5 where planned.count < tracks {
                let title = albumTitle(albums, random: &random)
                let year = 1960 + Int((random.next() as UInt64) % 64)
                let format = formats[Int((random.next() as UInt64) % UInt64(formats.count))]
                let genre = genres[Int((random.next() as UInt64) % UInt64(genres.count))]
                let discs = albums % 7 == 3 ? 2 : 1
                let perDisc = min(
                    max(1, (tracks - planned.count + discs - 1) / discs), 8 + Int((random.next() as UInt64) % 5))
                let albumFolder = "\(artist)/\(title) (\(year))"
                if albums % 4 == 0 { covers.append(albumFolder) }
                albums += 1
                for disc in 1...discs {
                    let folder = discs > 1 ? albumFolder + "/Disc \(disc)" : albumFolder
                    for number in 1...perDisc where planned.count < tracks {
                        let song =
                            words[Int((random.next() as UInt64) % UInt64(words.count))] + " "
                            + words[Int((random.next() as UInt64) % UInt64(words.count))]
                        let fileName = String(format: "%02d - %@.%@", number, song, format.fileExtension)
                        let fields: TagFields = [
                            "TITLE": [song], "ARTIST": [artist], "ALBUMARTIST": [artist], "ALBUM": [title],
                            "TRACKNUMBER": ["\(number)/\(perDisc)"], "DISCNUMBER": ["\(disc)/\(discs)"],
                            "DATE": ["\(year)"], "GENRE": [genre],
                        ]
                        planned.append(PlannedTrack(path: folder + "/" + fileName, format: format, fields: fields))
                    }
                }
            }
        }
        return (planned, albums, artists, covers)
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

    private static func clipURL(_ format: FixtureFormat, in directory: URL) -> URL {
        directory.appendingPathComponent("clip-\(format.rawValue).\(format.fileExtension)")
    }
}
