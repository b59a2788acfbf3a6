import CantoCore
import CantoMedia
import Testing

/// The rules from TagLib's keys to `TrackTags`, without files.
@Suite struct TagMappingTests {
    let mapping = TagMapping(separators: TagSeparators())

    @Test func semicolonSplitsArtists() {
        #expect(mapping.tags(from: ["ARTIST": ["A; B"]]).artists == ["A", "B"])
    }

    @Test func slashInsideANameDoesNotSplit() {
        #expect(mapping.tags(from: ["ARTIST": ["AC/DC"]]).artists == ["AC/DC"])
        #expect(mapping.tags(from: ["ARTIST": ["Simon / Garfunkel"]]).artists == ["Simon", "Garfunkel"])
    }

    @Test func featuringSplitsArtists() {
        #expect(mapping.tags(from: ["ARTIST": ["Daft Punk feat. Pharrell"]]).artists == ["Daft Punk", "Pharrell"])
    }

    @Test func severalValuesAreNeverJoinedOrSplitFurther() {
        #expect(mapping.tags(from: ["ARTIST": ["Sigur Rós", "坂本龍一"]]).artists == ["Sigur Rós", "坂本龍一"])
    }

    @Test func duplicateArtistsFoldTogether() {
        #expect(mapping.tags(from: ["ARTIST": ["Björk; bjork"]]).artists == ["Björk"])
    }

    @Test func artistsTagIsUsedWhenArtistHoldsOneName() {
        let tags = mapping.tags(from: ["ARTIST": ["A & B"], "ARTISTS": ["A", "B"]])
        #expect(tags.artists == ["A", "B"])
    }

    @Test func customSeparators() {
        let custom = TagMapping(separators: TagSeparators(artist: [" & "], genre: ["|"]))
        let tags = custom.tags(from: ["ARTIST": ["A & B; C"], "GENRE": ["Rock|Pop;Jazz"]])
        #expect(tags.artists == ["A", "B; C"])
        #expect(tags.genres == ["Rock", "Pop;Jazz"])
    }

    @Test func genresSplit() {
        #expect(mapping.tags(from: ["GENRE": ["Rock; Pop/Jazz, Folk"]]).genres == ["Rock", "Pop", "Jazz", "Folk"])
    }

    @Test(
        arguments: [
            ("3/12", 3, 12), ("3", 3, nil), (" 7 / 9 ", 7, 9), ("x/12", nil, 12), ("", nil, nil),
        ] as [(String, Int?, Int?)])
    func trackNumberPairs(value: String, number: Int?, total: Int?) {
        let tags = mapping.tags(from: ["TRACKNUMBER": [value], "DISCNUMBER": [value]])
        #expect(tags.trackNumber == number)
        #expect(tags.trackTotal == total)
        #expect(tags.discNumber == number)
        #expect(tags.discTotal == total)
    }

    @Test func totalsFromSeparateFields() {
        let tags = mapping.tags(from: [
            "TRACKNUMBER": ["4"], "TRACKTOTAL": ["10"], "DISCNUMBER": ["2"], "TOTALDISCS": ["3"],
        ])
        #expect(tags.trackNumber == 4)
        #expect(tags.trackTotal == 10)
        #expect(tags.discNumber == 2)
        #expect(tags.discTotal == 3)
    }

    @Test(
        arguments: [("-6.50 dB", -6.5), ("+2.10 dB", 2.1), ("0.988000", 0.988), ("-3.2DB", -3.2)] as [(String, Double)])
    func replayGainDecibels(value: String, expected: Double) {
        let tags = mapping.tags(from: ["REPLAYGAIN_TRACK_GAIN": [value], "REPLAYGAIN_ALBUM_PEAK": [value]])
        #expect(tags.replayGain.trackGain == expected)
        #expect(tags.replayGain.albumPeak == expected)
    }

    @Test func unparsableReplayGainIsNil() {
        #expect(mapping.tags(from: ["REPLAYGAIN_TRACK_GAIN": ["loud"]]).replayGain.trackGain == nil)
    }

    @Test(arguments: ["ALBUMARTIST", "ALBUM ARTIST", "ALBUM_ARTIST"])
    func albumArtistVariants(key: String) {
        #expect(mapping.tags(from: [key: ["Björk"]]).albumArtists == ["Björk"])
    }

    @Test func albumArtistPrefersTheStandardKey() {
        let tags = mapping.tags(from: ["ALBUM ARTIST": ["Other"], "ALBUMARTIST": ["Björk"]])
        #expect(tags.albumArtists == ["Björk"])
    }

    @Test(arguments: [("1", true), ("true", true), ("YES", true), ("0", false), ("", false)] as [(String, Bool)])
    func compilationFlag(value: String, expected: Bool) {
        #expect(mapping.tags(from: ["COMPILATION": [value]]).compilation == expected)
    }

    @Test func yearFromDateOrOriginalDate() {
        #expect(mapping.tags(from: ["DATE": ["1997-09-22"]]).year == 1997)
        #expect(mapping.tags(from: ["ORIGINALDATE": ["1984"]]).year == 1984)
        #expect(mapping.tags(from: ["DATE": ["n/a"]]).year == nil)
    }

    @Test func bpmRounds() {
        #expect(mapping.tags(from: ["BPM": ["127.6"]]).bpm == 128)
        #expect(mapping.tags(from: ["BPM": ["fast"]]).bpm == nil)
    }

    @Test func blankValuesAreIgnored() {
        let tags = mapping.tags(from: ["TITLE": ["  ", "Real Title "], "ARTIST": [" ; "]])
        #expect(tags.title == "Real Title")
        #expect(tags.artists.isEmpty)
    }

    @Test func lrcInLyricsIsSynced() {
        let lrc = "[00:01.00]First\n[00:02.50]Second"
        let tags = mapping.tags(from: ["LYRICS": [lrc]])
        #expect(tags.syncedLyrics == lrc)
    }

    @Test func plainLyricsAreNotSynced() {
        let tags = mapping.tags(from: ["LYRICS": ["Just words\n[Chorus]\nMore words"]])
        #expect(tags.lyrics == "Just words\n[Chorus]\nMore words")
        #expect(tags.syncedLyrics == nil)
    }

    @Test func plainAndSyncedLyricsStaySeparate() {
        let tags = mapping.tags(from: ["UNSYNCEDLYRICS": ["Plain words"], "LYRICS": ["[00:01.00]Plain words"]])
        #expect(tags.lyrics == "Plain words")
        #expect(tags.syncedLyrics == "[00:01.00]Plain words")
    }

    @Test func musicBrainzIDs() {
        let tags = mapping.tags(from: [
            "MUSICBRAINZ_TRACKID": ["rec"], "MUSICBRAINZ_RELEASETRACKID": ["rt"], "MUSICBRAINZ_ALBUMID": ["rel"],
            "MUSICBRAINZ_RELEASEGROUPID": ["rg"], "MUSICBRAINZ_ARTISTID": ["a1/a2"],
            "MUSICBRAINZ_ALBUMARTISTID": ["aa1; aa2"],
        ])
        #expect(tags.musicBrainz.recordingID == "rec")
        #expect(tags.musicBrainz.trackID == "rt")
        #expect(tags.musicBrainz.releaseID == "rel")
        #expect(tags.musicBrainz.releaseGroupID == "rg")
        #expect(tags.musicBrainz.artistIDs == ["a1", "a2"])
        #expect(tags.musicBrainz.albumArtistIDs == ["aa1", "aa2"])
    }

    @Test func commentFallsBackToDescription() {
        #expect(mapping.tags(from: ["DESCRIPTION": ["desc"]]).comment == "desc")
        #expect(mapping.tags(from: ["COMMENT": ["c"], "DESCRIPTION": ["desc"]]).comment == "c")
    }
}
