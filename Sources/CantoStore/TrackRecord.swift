import CantoCore
import Foundation
import GRDB

/// A row of `track`. The wire and domain types stay separate from it.
struct TrackRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "track"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    enum Columns {
        static let libraryID = Column("library_id")
        static let albumID = Column("album_id")
        static let path = Column("path")
        static let discNumber = Column("disc_number")
        static let trackNumber = Column("track_number")
    }

    var id: String
    var libraryId: String
    var folderId: String
    var albumId: String
    var path: String
    var suffix: String
    var size: Int64
    var modifiedAt: Date
    var contentHash: String
    var title: String
    var sortTitle: String
    var album: String
    var artistName: String
    var albumArtistName: String
    var trackNumber: Int?
    var trackTotal: Int?
    var discNumber: Int?
    var discTotal: Int?
    var discSubtitle: String?
    var date: String?
    var originalDate: String?
    var year: Int?
    var compilation: Bool
    var comment: String?
    var bpm: Int?
    var isrc: String?
    var mbzRecordingId: String?
    var mbzTrackId: String?
    var mbzReleaseId: String?
    var mbzReleaseGroupId: String?
    var mbzArtistIds: String?
    var mbzAlbumArtistIds: String?
    var rgTrackGain: Double?
    var rgTrackPeak: Double?
    var rgAlbumGain: Double?
    var rgAlbumPeak: Double?
    var durationMs: Int64
    var bitrate: Int
    var sampleRate: Int
    var channels: Int
    var bitDepth: Int?
    var codec: String?
    var artworkId: String?
    var playCount: Int
    var createdAt: Date
    var updatedAt: Date

    /// Decodes a `SELECT *` (or `track.*`) row by position: columns come in table order, which
    /// `columnNames` mirrors (a test holds the two together). Decoding by name through Codable
    /// cost ~65 µs a row; by position it is a few. A value that does not decode throws
    /// `StoredValueUnreadable`.
    init(row: Row) throws {
        let row = StoredRow(row, table: "track")
        id = try row[0]
        libraryId = try row[1]
        folderId = try row[2]
        albumId = try row[3]
        path = try row[4]
        suffix = try row[5]
        size = try row[6]
        modifiedAt = try row[7]
        contentHash = try row[8]
        title = try row[9]
        sortTitle = try row[10]
        album = try row[11]
        artistName = try row[12]
        albumArtistName = try row[13]
        trackNumber = try row[14]
        trackTotal = try row[15]
        discNumber = try row[16]
        discTotal = try row[17]
        discSubtitle = try row[18]
        date = try row[19]
        originalDate = try row[20]
        year = try row[21]
        compilation = try row[22]
        comment = try row[23]
        bpm = try row[24]
        isrc = try row[25]
        mbzRecordingId = try row[26]
        mbzTrackId = try row[27]
        mbzReleaseId = try row[28]
        mbzReleaseGroupId = try row[29]
        mbzArtistIds = try row[30]
        mbzAlbumArtistIds = try row[31]
        rgTrackGain = try row[32]
        rgTrackPeak = try row[33]
        rgAlbumGain = try row[34]
        rgAlbumPeak = try row[35]
        durationMs = try row[36]
        bitrate = try row[37]
        sampleRate = try row[38]
        channels = try row[39]
        bitDepth = try row[40]
        codec = try row[41]
        artworkId = try row[42]
        playCount = try row[43]
        createdAt = try row[44]
        updatedAt = try row[45]
    }

    /// Column names in declaration order, for the hand-written upsert (Codable encoding costs
    /// more than the insert itself at scan speed).
    static let columnNames = [
        "id",
        "library_id",
        "folder_id",
        "album_id",
        "path",
        "suffix",
        "size",
        "modified_at",
        "content_hash",
        "title",
        "sort_title",
        "album",
        "artist_name",
        "album_artist_name",
        "track_number",
        "track_total",
        "disc_number",
        "disc_total",
        "disc_subtitle",
        "date",
        "original_date",
        "year",
        "compilation",
        "comment",
        "bpm",
        "isrc",
        "mbz_recording_id",
        "mbz_track_id",
        "mbz_release_id",
        "mbz_release_group_id",
        "mbz_artist_ids",
        "mbz_album_artist_ids",
        "rg_track_gain",
        "rg_track_peak",
        "rg_album_gain",
        "rg_album_peak",
        "duration_ms",
        "bitrate",
        "sample_rate",
        "channels",
        "bit_depth",
        "codec",
        "artwork_id",
        "play_count",
        "created_at",
        "updated_at",
    ]

    /// `INSERT … ON CONFLICT(id) DO UPDATE` for every column but the track's own history.
    static let upsertSQL: String = {
        let kept: Set<String> = ["id", "play_count", "created_at"]
        let placeholders = databaseQuestionMarks(count: columnNames.count)
        let updates = columnNames.filter { !kept.contains($0) }.map { "\($0) = excluded.\($0)" }
        return "INSERT INTO track (\(columnNames.joined(separator: ", "))) VALUES (\(placeholders)) "
            + "ON CONFLICT(id) DO UPDATE SET \(updates.joined(separator: ", "))"
    }()

    /// The values of `columnNames`, in the same order.
    var upsertArguments: StatementArguments {
        [
            id,
            libraryId,
            folderId,
            albumId,
            path,
            suffix,
            size,
            modifiedAt,
            contentHash,
            title,
            sortTitle,
            album,
            artistName,
            albumArtistName,
            trackNumber,
            trackTotal,
            discNumber,
            discTotal,
            discSubtitle,
            date,
            originalDate,
            year,
            compilation,
            comment,
            bpm,
            isrc,
            mbzRecordingId,
            mbzTrackId,
            mbzReleaseId,
            mbzReleaseGroupId,
            mbzArtistIds,
            mbzAlbumArtistIds,
            rgTrackGain,
            rgTrackPeak,
            rgAlbumGain,
            rgAlbumPeak,
            durationMs,
            bitrate,
            sampleRate,
            channels,
            bitDepth,
            codec,
            artworkId,
            playCount,
            createdAt,
            updatedAt,
        ]
    }

    /// Several IDs in one column, separated by a character no ID contains.
    private static let listSeparator: Character = "\u{1F}"

    init(_ t: Track) {
        id = t.id.rawValue
        libraryId = t.libraryID.rawValue
        folderId = t.folderID.rawValue
        albumId = t.albumID.rawValue
        path = t.path
        suffix = t.suffix
        size = t.size
        modifiedAt = t.modifiedAt
        contentHash = t.contentHash
        title = t.title
        sortTitle = SortKey.sortName(t.title)
        album = t.album
        artistName = t.artistName
        albumArtistName = t.albumArtistName
        trackNumber = t.trackNumber
        trackTotal = t.trackTotal
        discNumber = t.discNumber
        discTotal = t.discTotal
        discSubtitle = t.discSubtitle
        date = t.date
        originalDate = t.originalDate
        year = t.year
        compilation = t.compilation
        comment = t.comment
        bpm = t.bpm
        isrc = t.isrc
        mbzRecordingId = t.musicBrainz.recordingID
        mbzTrackId = t.musicBrainz.trackID
        mbzReleaseId = t.musicBrainz.releaseID
        mbzReleaseGroupId = t.musicBrainz.releaseGroupID
        mbzArtistIds = Self.joined(t.musicBrainz.artistIDs)
        mbzAlbumArtistIds = Self.joined(t.musicBrainz.albumArtistIDs)
        rgTrackGain = t.replayGain.trackGain
        rgTrackPeak = t.replayGain.trackPeak
        rgAlbumGain = t.replayGain.albumGain
        rgAlbumPeak = t.replayGain.albumPeak
        durationMs = t.audio.durationMs
        bitrate = t.audio.bitrateKbps
        sampleRate = t.audio.sampleRate
        channels = t.audio.channels
        bitDepth = t.audio.bitDepth
        codec = t.audio.codec
        artworkId = t.artworkID?.rawValue
        playCount = t.playCount
        createdAt = t.createdAt
        updatedAt = t.updatedAt
    }

    var track: Track {
        var musicBrainz = MusicBrainzIDs()
        musicBrainz.recordingID = mbzRecordingId
        musicBrainz.trackID = mbzTrackId
        musicBrainz.releaseID = mbzReleaseId
        musicBrainz.releaseGroupID = mbzReleaseGroupId
        musicBrainz.artistIDs = Self.split(mbzArtistIds)
        musicBrainz.albumArtistIDs = Self.split(mbzAlbumArtistIds)
        var replayGain = ReplayGain()
        replayGain.trackGain = rgTrackGain
        replayGain.trackPeak = rgTrackPeak
        replayGain.albumGain = rgAlbumGain
        replayGain.albumPeak = rgAlbumPeak
        var audio = AudioProperties()
        audio.durationMs = durationMs
        audio.bitrateKbps = bitrate
        audio.sampleRate = sampleRate
        audio.channels = channels
        audio.bitDepth = bitDepth
        audio.codec = codec
        return Track(
            id: TrackID(id), libraryID: LibraryID(libraryId), folderID: FolderID(folderId), albumID: AlbumID(albumId),
            path: path, suffix: suffix, size: size, modifiedAt: Self.wholeMilliseconds(modifiedAt),
            contentHash: contentHash, title: title,
            album: album, artistName: artistName, albumArtistName: albumArtistName, trackNumber: trackNumber,
            trackTotal: trackTotal, discNumber: discNumber, discTotal: discTotal, discSubtitle: discSubtitle,
            date: date, originalDate: originalDate, year: year, compilation: compilation, comment: comment, bpm: bpm,
            isrc: isrc, musicBrainz: musicBrainz, replayGain: replayGain, audio: audio,
            artworkID: artworkId.map { ArtworkID($0) }, playCount: playCount,
            createdAt: Self.wholeMilliseconds(createdAt),
            updatedAt: Self.wholeMilliseconds(updatedAt))
    }

    /// GRDB stores dates as text with milliseconds but decodes them through a calendar, which
    /// can land a hair off the millisecond. Rounding gives back exactly the whole-millisecond
    /// `Date` that was written, so the scanner's equality check on file times holds.
    static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    private static func joined(_ values: [String]) -> String? {
        values.isEmpty ? nil : values.joined(separator: String(listSeparator))
    }

    private static func split(_ value: String?) -> [String] {
        value.map { $0.split(separator: listSeparator).map(String.init) } ?? []
    }
}
