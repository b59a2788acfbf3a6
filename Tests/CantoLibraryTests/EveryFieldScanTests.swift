import CantoCore
import CantoLibrary
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// The track carrying every tag, through TagLib, the scanner and SQLite.
@Suite struct EveryFieldScanTests {
    @Test func everyFieldReachesTheCatalog() async throws {
        let fixture = try await FixtureLibrary.shared()
        let expected = fixture.everyFieldTags
        let harness = try ScanHarness(root: fixture.root)
        let started = Date()
        _ = try await harness.scan()

        let track = try #require(try await harness.track(fixture.everyFieldTrack))
        #expect(track.title == expected.title)
        #expect(track.artistName == expected.artists.joined(separator: " / "))
        #expect(track.album == expected.album)
        #expect(track.albumArtistName == expected.albumArtist)
        #expect(track.trackNumber == expected.trackNumber)
        #expect(track.trackTotal == expected.trackTotal)
        #expect(track.discNumber == expected.discNumber)
        #expect(track.discTotal == expected.discTotal)
        #expect(track.discSubtitle == expected.discSubtitle)
        #expect(track.date == expected.date)
        #expect(track.originalDate == expected.originalDate)
        #expect(track.year == expected.year)
        #expect(track.compilation == expected.compilation)
        #expect(track.comment == expected.comment)
        #expect(track.bpm == expected.bpm)
        #expect(track.isrc == expected.isrc)
        #expect(track.musicBrainz.recordingID == expected.recordingID)
        #expect(track.musicBrainz.trackID == expected.releaseTrackID)
        #expect(track.musicBrainz.releaseID == expected.releaseID)
        #expect(track.musicBrainz.releaseGroupID == expected.releaseGroupID)
        #expect(track.musicBrainz.artistIDs == expected.artistIDs)
        #expect(track.musicBrainz.albumArtistIDs == [expected.albumArtistID])
        #expect(track.replayGain.trackGain == expected.trackGain)
        #expect(track.replayGain.trackPeak == expected.trackPeak)
        #expect(track.replayGain.albumGain == expected.albumGain)
        #expect(track.replayGain.albumPeak == expected.albumPeak)

        let credits = try await harness.catalog.credits(of: track.id)
        #expect(
            credits.filter { $0.role == .artist } == [
                ArtistCredit(name: expected.artists[0], musicBrainzID: expected.artistIDs[0], role: .artist),
                ArtistCredit(name: expected.artists[1], musicBrainzID: expected.artistIDs[1], role: .artist),
            ])
        #expect(
            credits.filter { $0.role == .albumArtist } == [
                ArtistCredit(name: expected.albumArtist, musicBrainzID: expected.albumArtistID, role: .albumArtist)
            ])
        #expect(credits.filter { $0.role == .composer }.map(\.name) == [expected.composer])
        #expect(try await harness.catalog.genres(of: track.id) == expected.genres)
        let lyrics = try await harness.catalog.lyrics(of: track.id)
        #expect(lyrics.plain == expected.plainLyrics)
        #expect(lyrics.synced == expected.syncedLyrics)

        // Audio properties and file facts.
        #expect(track.suffix == "flac")
        #expect(abs(track.audio.durationMs - 1_000) <= 100)
        #expect(track.audio.sampleRate == 44_100)
        #expect(track.audio.channels == 2)
        #expect(track.audio.bitDepth == 16)
        #expect(track.audio.bitrateKbps > 0)
        let facts = FileFacts(fixture.path(fixture.everyFieldTrack))
        #expect(track.size == facts.size)
        let modified = try #require(facts.modified)
        #expect(abs(track.modifiedAt.timeIntervalSince(modified)) < 0.001)
        #expect(track.createdAt >= started.addingTimeInterval(-1))
        #expect(track.playCount == 0)
        #expect(track.artworkID == nil)

        let album = try #require(try await harness.catalog.album(track.albumID))
        #expect(album.title == expected.album)
        #expect(album.albumArtistName == expected.albumArtist)
        #expect(album.releaseMBID == expected.releaseID)
        #expect(album.year == expected.year)
        #expect(album.compilation)
    }
}
