public import Foundation

/// What a previous scan recorded about a file: enough to tell whether it changed.
public struct KnownFile: Sendable, Equatable {
    public var id: TrackID
    public var libraryID: LibraryID
    public var path: String
    public var size: Int64
    public var modifiedAt: Date
    public var contentHash: String
    public init(id: TrackID, libraryID: LibraryID, path: String, size: Int64, modifiedAt: Date, contentHash: String) {
        self.id = id
        self.libraryID = libraryID
        self.path = path
        self.size = size
        self.modifiedAt = modifiedAt
        self.contentHash = contentHash
    }
}

/// A track's genres and artist credits, read for many tracks at once when rendering lists.
/// A track's tags in brief, for what reads them for every track (the sonic index's build).
public struct TrackTagSummary: Sendable, Equatable {
    /// The artist as tagged (all of them, as `Track.artistName` joins them).
    public var artistName: String
    /// Genre names in tag order.
    public var genres: [String]
    public var year: Int?
    public var bpm: Int?

    public init(artistName: String, genres: [String] = [], year: Int? = nil, bpm: Int? = nil) {
        self.artistName = artistName
        self.genres = genres
        self.year = year
        self.bpm = bpm
    }
}

public struct TrackDetails: Sendable, Equatable {
    /// Genre names in tag order.
    public var genres: [String] = []
    /// Credits by role, then position.
    public var credits: [ArtistCredit] = []
    /// The catalog ID of each credit's artist, in the same order (read, not derived again).
    public var artistIDs: [ArtistID] = []
    public init(genres: [String] = [], credits: [ArtistCredit] = [], artistIDs: [ArtistID] = []) {
        self.genres = genres
        self.credits = credits
        self.artistIDs = artistIDs
    }
}

/// An album with its tracks (by disc and number) and their genres and credits, read at once.
public struct AlbumContents: Sendable {
    public var album: Album
    public var tracks: [Track]
    public var details: [TrackID: TrackDetails]
    public init(album: Album, tracks: [Track], details: [TrackID: TrackDetails]) {
        self.album = album
        self.tracks = tracks
        self.details = details
    }

    /// The genres of the album's tracks, each once, by name.
    public var genres: [String] {
        Set(details.values.flatMap(\.genres)).sorted { $0.caseInsensitiveCompare($1) == .orderedAscending }
    }
}

/// A named artist credit, with its MusicBrainz ID when the tags carry one.
public struct ArtistCredit: Sendable, Equatable {
    public var name: String
    public var musicBrainzID: String?
    public var role: ArtistRole
    public init(name: String, musicBrainzID: String? = nil, role: ArtistRole) {
        self.name = name
        self.musicBrainzID = musicBrainzID
        self.role = role
    }
}

/// One track to write, with everything linked to it.
public struct TrackWrite: Sendable, Equatable {
    public var track: Track
    public var credits: [ArtistCredit]
    public var genres: [String]
    public var lyrics: String?
    public var syncedLyrics: String?
    public var artwork: Artwork?
    public var albumTitleSort: String
    public init(
        track: Track, credits: [ArtistCredit], genres: [String], lyrics: String?, syncedLyrics: String?,
        artwork: Artwork?
    ) {
        self.track = track
        self.credits = credits
        self.genres = genres
        self.lyrics = lyrics
        self.syncedLyrics = syncedLyrics
        self.artwork = artwork
        self.albumTitleSort = SortKey.sortName(track.album)
    }
}

/// One transaction's worth of scanner output. Applying it is all-or-nothing.
public struct CatalogBatch: Sendable {
    public var folders: [Folder] = []
    public var tracks: [TrackWrite] = []
    public var deletedTracks: [TrackID] = []
    public var deletedFolders: [FolderID] = []
    public init() {}
    public var isEmpty: Bool { folders.isEmpty && tracks.isEmpty && deletedTracks.isEmpty && deletedFolders.isEmpty }
}

/// The scanner's view of the catalog. No SQL leaks through it.
public protocol CatalogWriter: Sendable {
    /// Makes the libraries of one media source match `libraries` (each must name that source);
    /// returns how many of its libraries (with their tracks) were removed because they are no
    /// longer listed. Other sources' libraries are left alone.
    @discardableResult
    func syncLibraries(_ libraries: [Library], source: String) async throws -> Int
    /// Every folder path recorded for a library.
    func folderPaths(in library: LibraryID) async throws -> Set<String>
    /// The files recorded directly in one folder of a library.
    func knownFiles(in library: LibraryID, folder: String) async throws -> [KnownFile]
    /// Tracks whose audio content hash is `contentHash`, for move detection.
    func knownFiles(withContentHash contentHash: String) async throws -> [KnownFile]
    /// The same for several contents at once (a folder of new files), in one read.
    func knownFiles(withContentHashes contentHashes: [String]) async throws -> [KnownFile]
    /// Called before a scan's first read of the catalog. Returns true when the catalog holds no
    /// track at all: the scan is a first import, every file is new and none can have moved, so
    /// it looks up no known file, and the store may set aside what only speeds up reads (its
    /// indexes) until `finishScan`.
    func beginScan() async throws -> Bool
    /// Writes a batch in one transaction.
    func apply(_ batch: CatalogBatch) async throws
    /// Recomputes album and artist figures and removes albums, artists, genres and artwork
    /// nothing refers to any more. Called once at the end of a scan that changed anything, with
    /// the time the libraries are marked scanned at; with nil after a scan that failed (the
    /// batches it wrote stay, their figures made whole, and the libraries are not marked).
    func finishScan(libraries: [LibraryID], at date: Date?) async throws
}

/// Read access to the catalog for the APIs and tests.
extension CatalogWriter {
    /// A writer that sets nothing aside: every scan looks up what the catalog knows.
    public func beginScan() async throws -> Bool { false }

    /// One read per content hash; writers over a database answer in one read.
    public func knownFiles(withContentHashes contentHashes: [String]) async throws -> [KnownFile] {
        var found: [KnownFile] = []
        for hash in contentHashes { found += try await knownFiles(withContentHash: hash) }
        return found
    }
}

public protocol CatalogReader: Sendable {
    func libraries() async throws -> [Library]
    func track(_ id: TrackID) async throws -> Track?
    func track(library: LibraryID, path: String) async throws -> Track?
    func tracks(inAlbum id: AlbumID) async throws -> [Track]
    /// Tracks by ID, in the order asked, leaving out IDs that name no track.
    func tracks(_ ids: [TrackID]) async throws -> [Track]
    func album(_ id: AlbumID) async throws -> Album?
    func albums(offset: Int, limit: Int) async throws -> [Album]
    func artist(_ id: ArtistID) async throws -> Artist?
    func artists() async throws -> [Artist]
    /// A number that changes whenever any artist or album changes, for caches of whole lists.
    func catalogVersion() async throws -> Int
    /// A value that changes whenever a track is added, changed or removed (not when one is
    /// played), for caches built over every track (a plugin's matcher).
    func tracksFingerprint() async throws -> String
    func credits(of track: TrackID) async throws -> [ArtistCredit]
    func genres(of track: TrackID) async throws -> [String]
    /// Genres and credits of each of `tracks` in two queries; tracks without any are absent.
    func details(of tracks: [TrackID]) async throws -> [TrackID: TrackDetails]
    /// The artist, genres, year and BPM of each of `tracks` that exists, and nothing else of them.
    func tagSummaries(of tracks: [TrackID]) async throws -> [TrackID: TrackTagSummary]
    /// The album, its tracks and their details in one read; nil when there is no such album.
    func albumContents(_ id: AlbumID) async throws -> AlbumContents?
    func lyrics(of track: TrackID) async throws -> (plain: String?, synced: String?)
    func artwork(_ id: ArtworkID) async throws -> Artwork?
    /// The libraries whose tracks use an artwork.
    func libraries(usingArtwork id: ArtworkID) async throws -> Set<LibraryID>
    func folders(in library: LibraryID) async throws -> [Folder]
    func counts() async throws -> CatalogCounts
    /// Albums whose album artist is `artist`, by year then title.
    func albums(byArtist artist: ArtistID) async throws -> [Album]
    /// Every genre with how many tracks and albums carry it in `libraries` (nil: all), by name.
    func genreCounts(in libraries: LibraryScope) async throws -> [GenreCount]
    /// The folder and the tracks directly in it, by disc, track number and path.
    func folder(_ id: FolderID) async throws -> Folder?
    func subfolders(of id: FolderID) async throws -> [Folder]
    func tracks(inFolder id: FolderID) async throws -> [Track]
    /// Tracks with this title (case-insensitive), for lyrics looked up by artist and title.
    func tracks(titled title: String, limit: Int) async throws -> [Track]
    /// A small stable number for each library (Subsonic music folder ids are integers).
    func libraryNumbers() async throws -> [LibraryID: Int]
    /// Adds one play to a track's play count.
    func recordPlay(of track: TrackID) async throws
}

public struct CatalogCounts: Sendable, Equatable, Codable {
    public var tracks: Int
    public var albums: Int
    public var artists: Int
    public var genres: Int
    public var folders: Int
    public init(tracks: Int, albums: Int, artists: Int, genres: Int, folders: Int) {
        self.tracks = tracks
        self.albums = albums
        self.artists = artists
        self.genres = genres
        self.folders = folders
    }
}

public struct GenreCount: Sendable, Equatable {
    public var name: String
    public var trackCount: Int
    public var albumCount: Int
    public init(name: String, trackCount: Int, albumCount: Int) {
        self.name = name
        self.trackCount = trackCount
        self.albumCount = albumCount
    }
}

extension CatalogReader {
    /// From the whole tracks and their details; a store that can read less overrides it.
    public func tagSummaries(of tracks: [TrackID]) async throws -> [TrackID: TrackTagSummary] {
        let details = try await details(of: tracks)
        var summaries: [TrackID: TrackTagSummary] = [:]
        for track in try await self.tracks(tracks) {
            summaries[track.id] = TrackTagSummary(
                artistName: track.artistName, genres: details[track.id]?.genres ?? [], year: track.year, bpm: track.bpm)
        }
        return summaries
    }

    /// Whether any of the album's tracks lies in one of `scope`'s libraries.
    public func album(_ id: AlbumID, hasTracksIn scope: [LibraryID]) async throws -> Bool {
        try await tracks(inAlbum: id).contains { scope.contains($0.libraryID) }
    }
}
