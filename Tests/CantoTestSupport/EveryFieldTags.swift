public import CantoMedia
import Foundation

/// One track's worth of every tag Canto reads, as the values a reader should give back and as
/// the TagLib property map that writes them.
public struct EveryFieldTags: Sendable, Equatable {
    public var title = "Ærø — 全部の歌"
    public var artists = ["Sigur Rós", "坂本龍一"]
    public var album = "Coração Completo"
    public var albumArtist = "Björk"
    public var trackNumber = 3
    public var trackTotal = 12
    public var discNumber = 1
    public var discTotal = 2
    public var discSubtitle = "Primeiro Disco"
    public var date = "2001-06-18"
    public var originalDate = "1997-09-22"
    public var year = 2001
    public var genres = ["Electronic", "Ambient"]
    public var compilation = true
    public var composer = "Hildur Guðnadóttir"
    public var comment = "A comment, with ünïcode."
    public var bpm = 128
    public var isrc = "USRC17607839"
    public var recordingID = "2f8b3e0a-5b0c-4a6f-9a43-9d8f0f1c0001"
    public var releaseTrackID = "2f8b3e0a-5b0c-4a6f-9a43-9d8f0f1c0002"
    public var releaseID = "2f8b3e0a-5b0c-4a6f-9a43-9d8f0f1c0003"
    public var releaseGroupID = "2f8b3e0a-5b0c-4a6f-9a43-9d8f0f1c0004"
    public var artistIDs = ["2f8b3e0a-5b0c-4a6f-9a43-9d8f0f1c0005", "2f8b3e0a-5b0c-4a6f-9a43-9d8f0f1c0006"]
    public var albumArtistID = "2f8b3e0a-5b0c-4a6f-9a43-9d8f0f1c0007"
    public var trackGain = -6.5
    public var trackPeak = 0.988
    public var albumGain = -7.25
    public var albumPeak = 0.999
    public var plainLyrics = "First line\nSecond line"
    /// LRC text kept in the LYRICS field, as many taggers do.
    public var syncedLyrics = "[00:01.00]First line\n[00:02.00]Second line"

    public init() {}

    /// The TagLib property map that stores every value above.
    public var fields: TagFields {
        [
            "TITLE": [title],
            "ARTIST": artists,
            "ALBUM": [album],
            "ALBUMARTIST": [albumArtist],
            "TRACKNUMBER": ["\(trackNumber)/\(trackTotal)"],
            "DISCNUMBER": ["\(discNumber)/\(discTotal)"],
            "DISCSUBTITLE": [discSubtitle],
            "DATE": [date],
            "ORIGINALDATE": [originalDate],
            "GENRE": genres,
            "COMPILATION": [compilation ? "1" : "0"],
            "COMPOSER": [composer],
            "COMMENT": [comment],
            "BPM": ["\(bpm)"],
            "ISRC": [isrc],
            "MUSICBRAINZ_TRACKID": [recordingID],
            "MUSICBRAINZ_RELEASETRACKID": [releaseTrackID],
            "MUSICBRAINZ_ALBUMID": [releaseID],
            "MUSICBRAINZ_RELEASEGROUPID": [releaseGroupID],
            "MUSICBRAINZ_ARTISTID": artistIDs,
            "MUSICBRAINZ_ALBUMARTISTID": [albumArtistID],
            "REPLAYGAIN_TRACK_GAIN": [String(format: "%.2f dB", trackGain)],
            "REPLAYGAIN_TRACK_PEAK": [String(format: "%.6f", trackPeak)],
            "REPLAYGAIN_ALBUM_GAIN": [String(format: "%.2f dB", albumGain)],
            "REPLAYGAIN_ALBUM_PEAK": [String(format: "%.6f", albumPeak)],
            "UNSYNCEDLYRICS": [plainLyrics],
            "LYRICS": [syncedLyrics],
        ]
    }
}
