import CantoCore
import CantoStore
import CantoTestSupport
import Foundation

/// A real database file in a temporary folder, with one library configured.
struct TestCatalog {
    let directory: TemporaryDirectory
    let database: CantoDatabase
    let repository: CatalogRepository
    let library = Library(id: LibraryID("lib1"), name: "Music", path: "/music")

    init() async throws {
        directory = try TemporaryDirectory(prefix: "canto-store")
        database = try CantoDatabase(dataDirectory: directory.url)
        repository = CatalogRepository(database: database)
        try await repository.syncLibraries([library], source: "local")
    }

    /// A whole-millisecond date, as the scanner records file times.
    static func date(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: (seconds * 1000).rounded(.down) / 1000)
    }

    /// A track with every column set, in `album` by `albumArtist`.
    func write(
        path: String, title: String, artists: [String] = ["Artist"], albumArtist: String = "Artist",
        album: String = "Album", genres: [String] = ["Rock"], lyrics: String? = "words",
        syncedLyrics: String? = "[00:01.00]words", artwork: Artwork? = nil, disc: Int = 1, track: Int = 1,
        year: Int = 2001, durationMs: Int64 = 1_000
    ) -> TrackWrite {
        var musicBrainz = MusicBrainzIDs()
        musicBrainz.recordingID = "rec-\(path)"
        musicBrainz.trackID = "rt-\(path)"
        musicBrainz.releaseID = "rel-\(album)"
        musicBrainz.releaseGroupID = "rg-\(album)"
        musicBrainz.artistIDs = artists.map { "mb-\($0)" }
        musicBrainz.albumArtistIDs = ["mb-\(albumArtist)"]
        var replayGain = ReplayGain()
        replayGain.trackGain = -6.5
        replayGain.trackPeak = 0.98
        replayGain.albumGain = -7.25
        replayGain.albumPeak = 0.99
        var audio = AudioProperties()
        audio.durationMs = durationMs
        audio.bitrateKbps = 320
        audio.sampleRate = 44_100
        audio.channels = 2
        audio.bitDepth = 16
        audio.codec = "alac"
        let folder = (path as NSString).deletingLastPathComponent
        let value = Track(
            id: CatalogIDs.track(library: library.id, relativePath: path), libraryID: library.id,
            folderID: CatalogIDs.folder(library: library.id, relativePath: folder),
            albumID: CatalogIDs.album(albumArtist: albumArtist, title: album, releaseMBID: musicBrainz.releaseID),
            path: path, suffix: "m4a", size: 123_456, modifiedAt: Self.date(1_700_000_000.123_9),
            contentHash: "hash-\(path)", title: title, album: album, artistName: artists.joined(separator: " / "),
            albumArtistName: albumArtist, trackNumber: track, trackTotal: 12, discNumber: disc, discTotal: 2,
            discSubtitle: "Disc Subtitle", date: "\(year)-06-18", originalDate: "1997-09-22", year: year,
            compilation: false, comment: "comment", bpm: 128, isrc: "USRC17607839", musicBrainz: musicBrainz,
            replayGain: replayGain, audio: audio, artworkID: artwork?.id, playCount: 0,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 1_700_000_100)
        )
        var credits = artists.enumerated().map {
            ArtistCredit(name: $1, musicBrainzID: musicBrainz.artistIDs[$0], role: .artist)
        }
        credits.append(ArtistCredit(name: albumArtist, musicBrainzID: "mb-\(albumArtist)", role: .albumArtist))
        credits.append(ArtistCredit(name: "Composer", role: .composer))
        return TrackWrite(
            track: value, credits: credits, genres: genres, lyrics: lyrics, syncedLyrics: syncedLyrics,
            artwork: artwork)
    }

    func apply(_ writes: [TrackWrite], deleting: [TrackID] = []) async throws {
        var batch = CatalogBatch()
        batch.tracks = writes
        batch.deletedTracks = deleting
        try await repository.apply(batch)
    }
}
