import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

/// Every field Canto reads, written by TagLib into each format and read back.
@Suite struct TagRoundTripTests {
    @Test(arguments: FixtureFormat.allCases)
    func everyFieldRoundTrips(format: FixtureFormat) throws {
        let directory = try TemporaryDirectory()
        let file = directory.appending("every-field.\(format.fileExtension)")
        try AudioClip(seconds: 1).encode(format, to: file)
        let coverFile = directory.appending("cover.jpg")
        try AudioClip.jpeg(to: coverFile, color: "yellow")
        let cover = Picture(data: try Data(contentsOf: coverFile), mimeType: "image/jpeg")
        let expected = EveryFieldTags()

        try TagReader.write(path: file.path, fields: expected.fields, cover: cover)
        let tags = try TagReader().read(path: file.path, wantCover: true)

        expectEveryField(tags, expected)
        #expect(tags.cover == cover)
        #expect(abs(tags.audio.durationMs - 1_000) <= 1_000)
    }

    @Test func rewritingReplacesEveryField() throws {
        let directory = try TemporaryDirectory()
        let file = directory.appending("rewrite.flac")
        try AudioClip(seconds: 1).encode(.flac, to: file, metadata: ["title": "Old", "artist": "Old Artist"])
        try TagReader.write(path: file.path, fields: EveryFieldTags().fields)
        try TagReader.write(path: file.path, fields: ["TITLE": ["New"]])

        let tags = try TagReader().read(path: file.path, wantCover: false)
        #expect(tags.title == "New")
        #expect(tags.artists.isEmpty)
        #expect(tags.musicBrainz.releaseID == nil)
        #expect(tags.lyrics == nil)
    }

    @Test func writingToAFileThatIsNotAudioFails() throws {
        let directory = try TemporaryDirectory()
        let file = directory.appending("fake.mp3")
        var random = SeededGenerator(seed: 7)
        try Data(random.bytes(4096)).write(to: file)
        #expect(throws: MediaError.self) { try TagReader.write(path: file.path, fields: ["TITLE": ["x"]]) }
        // Nothing was prepended to the file.
        #expect(try Data(contentsOf: file) == Data(SeededGenerator(seed: 7).bytesCopy(4096)))
    }
}

extension SeededGenerator {
    fileprivate func bytesCopy(_ count: Int) -> [UInt8] {
        var copy = self
        return copy.bytes(count)
    }
}

/// Checks each field on its own, so a failure names the field.
func expectEveryField(_ tags: TrackTags, _ expected: EveryFieldTags, sourceLocation: SourceLocation = #_sourceLocation)
{
    #expect(tags.title == expected.title, sourceLocation: sourceLocation)
    #expect(tags.artists == expected.artists, sourceLocation: sourceLocation)
    #expect(tags.album == expected.album, sourceLocation: sourceLocation)
    #expect(tags.albumArtists == [expected.albumArtist], sourceLocation: sourceLocation)
    #expect(tags.trackNumber == expected.trackNumber, sourceLocation: sourceLocation)
    #expect(tags.trackTotal == expected.trackTotal, sourceLocation: sourceLocation)
    #expect(tags.discNumber == expected.discNumber, sourceLocation: sourceLocation)
    #expect(tags.discTotal == expected.discTotal, sourceLocation: sourceLocation)
    #expect(tags.discSubtitle == expected.discSubtitle, sourceLocation: sourceLocation)
    #expect(tags.date == expected.date, sourceLocation: sourceLocation)
    #expect(tags.originalDate == expected.originalDate, sourceLocation: sourceLocation)
    #expect(tags.year == expected.year, sourceLocation: sourceLocation)
    #expect(tags.genres == expected.genres, sourceLocation: sourceLocation)
    #expect(tags.compilation == expected.compilation, sourceLocation: sourceLocation)
    #expect(tags.composers == [expected.composer], sourceLocation: sourceLocation)
    #expect(tags.comment == expected.comment, sourceLocation: sourceLocation)
    #expect(tags.bpm == expected.bpm, sourceLocation: sourceLocation)
    #expect(tags.isrc == expected.isrc, sourceLocation: sourceLocation)
    #expect(tags.musicBrainz.recordingID == expected.recordingID, sourceLocation: sourceLocation)
    #expect(tags.musicBrainz.trackID == expected.releaseTrackID, sourceLocation: sourceLocation)
    #expect(tags.musicBrainz.releaseID == expected.releaseID, sourceLocation: sourceLocation)
    #expect(tags.musicBrainz.releaseGroupID == expected.releaseGroupID, sourceLocation: sourceLocation)
    #expect(tags.musicBrainz.artistIDs == expected.artistIDs, sourceLocation: sourceLocation)
    #expect(tags.musicBrainz.albumArtistIDs == [expected.albumArtistID], sourceLocation: sourceLocation)
    #expect(tags.replayGain.trackGain == expected.trackGain, sourceLocation: sourceLocation)
    #expect(tags.replayGain.trackPeak == expected.trackPeak, sourceLocation: sourceLocation)
    #expect(tags.replayGain.albumGain == expected.albumGain, sourceLocation: sourceLocation)
    #expect(tags.replayGain.albumPeak == expected.albumPeak, sourceLocation: sourceLocation)
    #expect(tags.lyrics == expected.plainLyrics, sourceLocation: sourceLocation)
    #expect(tags.syncedLyrics == expected.syncedLyrics, sourceLocation: sourceLocation)
}
