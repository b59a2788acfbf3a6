import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import Testing

@Suite struct CatalogRepositoryTests {
    @Test func trackWriteRoundTrips() async throws {
        let catalog = try await TestCatalog()
        let artwork = Artwork(
            id: ArtworkID("a1"), source: .embedded, path: "/music/A/1.m4a", mimeType: "image/png", byteCount: 99)
        let write = catalog.write(
            path: "Ærø/Coração/01 - 坂本.m4a", title: "坂本 Ærø", artists: ["Sigur Rós", "Björk"],
            albumArtist: "Björk", album: "Coração", genres: ["Electronic", "Ambient"], artwork: artwork)
        try await catalog.apply([write])

        let track = try #require(try await catalog.repository.track(write.track.id))
        #expect(track == write.track)
        #expect(try await catalog.repository.track(library: catalog.library.id, path: write.track.path) == write.track)
        #expect(try await catalog.repository.genres(of: track.id) == ["Electronic", "Ambient"])
        let lyrics = try await catalog.repository.lyrics(of: track.id)
        #expect(lyrics.plain == "words")
        #expect(lyrics.synced == "[00:01.00]words")
        #expect(try await catalog.repository.artwork(artwork.id) == artwork)

        let credits = try await catalog.repository.credits(of: track.id)
        #expect(
            credits.filter { $0.role == .artist } == [
                ArtistCredit(name: "Sigur Rós", musicBrainzID: "mb-Sigur Rós", role: .artist),
                ArtistCredit(name: "Björk", musicBrainzID: "mb-Björk", role: .artist),
            ])
        #expect(
            credits.filter { $0.role == .albumArtist } == [
                ArtistCredit(name: "Björk", musicBrainzID: "mb-Björk", role: .albumArtist)
            ])
        #expect(credits.filter { $0.role == .composer } == [ArtistCredit(name: "Composer", role: .composer)])
    }

    /// The sonic index's slim read gives what the whole tracks and their details say.
    @Test func tagSummariesAreTheTracksTags() async throws {
        let catalog = try await TestCatalog()
        let writes = (0..<5).map { index in
            catalog.write(
                path: "s/\(index).flac", title: "Song \(index)", artists: index == 0 ? ["A", "B"] : ["Solo \(index)"],
                genres: index == 1 ? [] : ["Rock", "Jazz \(index)", "Pop"], year: 1990 + index)
        }
        try await catalog.apply(writes)
        let ids = writes.map(\.track.id) + [TrackID("missing")]
        let summaries = try await catalog.repository.tagSummaries(of: ids)
        let details = try await catalog.repository.details(of: ids)
        var expected: [TrackID: TrackTagSummary] = [:]
        for track in try await catalog.repository.tracks(ids) {
            expected[track.id] = TrackTagSummary(
                artistName: track.artistName, genres: details[track.id]?.genres ?? [], year: track.year, bpm: track.bpm)
        }
        #expect(summaries == expected)
        #expect(summaries.count == 5 && summaries[writes[0].track.id]?.artistName == "A / B")
        #expect(
            summaries[writes[2].track.id]?.genres == ["Rock", "Jazz 2", "Pop"]
                && summaries[writes[1].track.id]?.genres == [])
        #expect(try await catalog.repository.tagSummaries(of: []).isEmpty)
    }

    @Test func modificationTimesRoundTripExactly() async throws {
        // The scanner compares stored and on-disk times for equality: a lossy round trip
        // would make every file look changed on every scan.
        let catalog = try await TestCatalog()
        var writes: [TrackWrite] = []
        for (index, seconds) in [1_700_000_000.001, 1_234_567_890.999, 1_600_000_000.5, 86_400.007].enumerated() {
            var write = catalog.write(path: "T/\(index).m4a", title: "T\(index)")
            write.track.modifiedAt = TestCatalog.date(seconds)
            writes.append(write)
        }
        try await catalog.apply(writes)
        let known = try await catalog.repository.knownFiles(in: catalog.library.id, folder: "T")
        #expect(known.count == writes.count)
        for write in writes {
            let file = try #require(known.first { $0.id == write.track.id })
            #expect(file.modifiedAt == write.track.modifiedAt)
            #expect(file.size == write.track.size)
            #expect(file.contentHash == write.track.contentHash)
            #expect(file.path == write.track.path)
        }
        #expect(
            try await catalog.repository.knownFiles(withContentHash: "hash-T/2.m4a").map(\.id) == [writes[2].track.id])
        #expect(try await catalog.repository.knownFiles(in: catalog.library.id, folder: "Other").isEmpty)
    }

    @Test func rewritingATrackKeepsPlayCountAndFirstSeenDate() async throws {
        let catalog = try await TestCatalog()
        let first = catalog.write(path: "A/1.m4a", title: "Old Title")
        try await catalog.apply([first])
        try await catalog.repository.recordPlay(of: first.track.id)
        try await catalog.repository.recordPlay(of: first.track.id)

        var second = catalog.write(
            path: "A/1.m4a", title: "New Title", artists: ["Someone Else"], genres: ["Jazz"], lyrics: nil,
            syncedLyrics: nil)
        second.track.createdAt = Date(timeIntervalSince1970: 1_800_000_000)
        second.track.updatedAt = Date(timeIntervalSince1970: 1_800_000_000)
        try await catalog.apply([second])

        let track = try #require(try await catalog.repository.track(first.track.id))
        #expect(track.title == "New Title")
        #expect(track.playCount == 2)
        #expect(track.createdAt == first.track.createdAt)
        #expect(track.updatedAt == second.track.updatedAt)
        #expect(try await catalog.repository.genres(of: track.id) == ["Jazz"])
        // The old credits, genres and lyrics are gone: the upsert updated, so they were deleted.
        let credits = try await catalog.repository.credits(of: track.id)
        #expect(credits.filter { $0.role == .artist }.map(\.name) == ["Someone Else"])
        let lyrics = try await catalog.repository.lyrics(of: track.id)
        #expect(lyrics.plain == nil && lyrics.synced == nil)
    }

    @Test func deletingATrackCascadesToItsLinks() async throws {
        let catalog = try await TestCatalog()
        let keep = catalog.write(path: "A/1.m4a", title: "Keep", artists: ["Kept"], genres: ["Rock"])
        let gone = catalog.write(path: "A/2.m4a", title: "Gone", artists: ["Leaving"], genres: ["Jazz"])
        try await catalog.apply([keep, gone])
        #expect(try await catalog.repository.credits(of: gone.track.id).count == 3)

        try await catalog.apply([], deleting: [gone.track.id])

        #expect(try await catalog.repository.track(gone.track.id) == nil)
        // Artists and genres remain until finishScan, so empty joins mean the links are gone.
        #expect(try await catalog.repository.counts().genres == 2)
        #expect(try await catalog.repository.credits(of: gone.track.id).isEmpty)
        #expect(try await catalog.repository.genres(of: gone.track.id).isEmpty)
        let lyrics = try await catalog.repository.lyrics(of: gone.track.id)
        #expect(lyrics.plain == nil && lyrics.synced == nil)
        // The other track's links are untouched.
        #expect(try await catalog.repository.credits(of: keep.track.id).count == 3)
        #expect(try await catalog.repository.genres(of: keep.track.id) == ["Rock"])
        #expect(try await catalog.repository.lyrics(of: keep.track.id).plain == "words")
    }

    /// Any artist or album write moves the catalog version; reads and plays do not.
    @Test func catalogVersionMovesWithArtistAndAlbumWrites() async throws {
        let catalog = try await TestCatalog()
        let start = try await catalog.repository.catalogVersion()
        #expect(try await catalog.repository.catalogVersion() == start)
        try await catalog.apply([catalog.write(path: "a/1.flac", title: "One", album: "First")])
        let afterWrite = try await catalog.repository.catalogVersion()
        #expect(afterWrite > start)
        _ = try await catalog.repository.artists()
        #expect(try await catalog.repository.catalogVersion() == afterWrite)
        try await catalog.apply([catalog.write(path: "b/1.flac", title: "Two", album: "Second")])
        let afterSecond = try await catalog.repository.catalogVersion()
        #expect(afterSecond > afterWrite)
        // A play counts in the household's counter, but no shared rendering shows it: the
        // catalog caches stay.
        let track = try #require(try await catalog.repository.albums(offset: 0, limit: 1).first)
        let id = try #require(try await catalog.repository.tracks(inAlbum: track.id).first?.id)
        try await catalog.repository.recordPlay(of: id)
        #expect(try await catalog.repository.catalogVersion() == afterSecond)
        #expect(try await catalog.repository.track(id)?.playCount == 1)
    }

    /// A scan's batches fill the writer's page cache (64 MB while it writes) past SQLite's default
    /// 2 MB, so they are not spilled to the WAL and read back; the end of the scan gives those
    /// pages back and the cache returns to SQLite's 2 MB.
    @Test func theEndOfAScanEmptiesTheWritersCache() async throws {
        let catalog = try await TestCatalog()
        for batch in 0..<4 {
            let writes = (0..<1_000).map { index in
                catalog.write(
                    path: "F\(batch)/\(index).m4a", title: "Title \(batch) \(index)", artists: ["Artist \(index % 97)"],
                    album: "Album \(batch) \(index / 12)", genres: ["Genre \(index % 13)"])
            }
            try await catalog.apply(writes)
        }
        let cache = { @Sendable (db: Database) in
            (used: SQLiteMemory.cacheUsed(by: db) ?? -1, size: try Int.fetchOne(db, sql: "PRAGMA cache_size"))
        }
        let filled = try await catalog.database.pool.writeWithoutTransaction(cache)
        #expect(filled.used > 3 * 1_024 * 1_024, "\(filled.used) bytes")
        #expect(filled.size == -65_536)
        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: Date())
        let emptied = try await catalog.database.pool.writeWithoutTransaction(cache)
        #expect(emptied.used >= 0 && emptied.used < 512 * 1_024, "\(emptied.used) bytes")
        #expect(emptied.size == -2_000)
    }

    /// After a scan that failed, the batches it wrote have whole figures, the writer gives back
    /// its scan cache, and the library is not marked scanned.
    @Test func theEndOfAFailedScanMakesItsBatchesWholeWithoutMarkingTheLibrary() async throws {
        let catalog = try await TestCatalog()
        let tracks = (1...3).map { index in
            catalog.write(
                path: "A/\(index).m4a", title: "Song \(index)", artists: ["Band"], albumArtist: "Band",
                album: "Half Scanned", durationMs: 1_000)
        }
        try await catalog.apply(tracks)
        let settings = { @Sendable (db: Database) in
            (
                cache: try Int.fetchOne(db, sql: "PRAGMA cache_size"),
                lastScan: try Row.fetchOne(db, sql: "SELECT last_scan_at FROM library")?[0] as DatabaseValue?
            )
        }
        #expect(try await catalog.database.pool.writeWithoutTransaction(settings).cache == -65_536)
        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: nil)
        let after = try await catalog.database.pool.writeWithoutTransaction(settings)
        #expect(after.cache == -2_000)
        #expect(after.lastScan?.isNull == true)
        let album = try #require(try await catalog.repository.albums(offset: 0, limit: 10).first)
        #expect(album.title == "Half Scanned" && album.trackCount == 3 && album.durationMs == 3_000)
    }

    @Test func finishScanPrunesOrphansAndRefreshesFigures() async throws {
        let catalog = try await TestCatalog()
        let cover = Artwork(
            id: ArtworkID("a-gone"), source: .file, path: "/music/B/cover.jpg", mimeType: "image/jpeg",
            byteCount: 10)
        let disc1 = catalog.write(
            path: "A/1.m4a", title: "One", artists: ["Stay"], albumArtist: "Stay", album: "Kept",
            genres: ["Rock"], disc: 1, track: 1, year: 1999, durationMs: 1_000)
        let disc2 = catalog.write(
            path: "A/2.m4a", title: "Two", artists: ["Stay"], albumArtist: "Stay", album: "Kept",
            genres: ["Rock"], disc: 2, track: 1, year: 2001, durationMs: 2_500)
        let gone = catalog.write(
            path: "B/1.m4a", title: "Gone", artists: ["Orphan"], albumArtist: "Orphan Band",
            album: "Orphaned", genres: ["Jazz"], artwork: cover)
        try await catalog.apply([disc1, disc2, gone])
        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: Date())
        #expect(
            try await catalog.repository.counts()
                == CatalogCounts(tracks: 3, albums: 2, artists: 4, genres: 2, folders: 0))

        try await catalog.apply([], deleting: [gone.track.id])
        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: Date())

        #expect(
            try await catalog.repository.counts()
                == CatalogCounts(tracks: 2, albums: 1, artists: 2, genres: 1, folders: 0))
        #expect(try await catalog.repository.album(gone.track.albumID) == nil)
        #expect(try await catalog.repository.artist(CatalogIDs.artist(name: "Orphan")) == nil)
        #expect(try await catalog.repository.artist(CatalogIDs.artist(name: "Orphan Band")) == nil)
        #expect(try await catalog.repository.artwork(cover.id) == nil)

        let album = try #require(try await catalog.repository.album(disc1.track.albumID))
        #expect(album.title == "Kept")
        #expect(album.trackCount == 2)
        #expect(album.discCount == 2)
        #expect(album.durationMs == 3_500)
        #expect(album.year == 2001)
        #expect(album.releaseMBID == "rel-Kept")
        let artist = try #require(try await catalog.repository.artist(CatalogIDs.artist(name: "Stay")))
        #expect(artist.albumCount == 1)
        #expect(artist.trackCount == 2)
        #expect(try await catalog.repository.artists().map(\.name).sorted() == ["Composer", "Stay"])
    }

    /// The end of a scan that wrote no track (a rescan that found no change) writes no album or
    /// artist row: the catalog version, and every cache keyed by it, stay. A write since the last
    /// end is remembered in its own transaction, so a scan cut off before its end (a new process
    /// over the same file) still gets its figures at the next end.
    @Test func theEndOfAScanWithoutChangesWritesNothing() async throws {
        let catalog = try await TestCatalog()
        let first = catalog.write(path: "A/1.m4a", title: "One", album: "Kept", durationMs: 1_000)
        try await catalog.apply([first])
        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: Date())
        let version = try await catalog.repository.catalogVersion()
        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: Date())
        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: nil)
        #expect(try await catalog.repository.catalogVersion() == version)

        let second = catalog.write(path: "A/2.m4a", title: "Two", album: "Kept", durationMs: 2_500)
        try await catalog.apply([second])
        // The process stops here; another opens the same file and ends its scan.
        let reopened = CatalogRepository(database: try CantoDatabase(dataDirectory: catalog.directory.url))
        try await reopened.finishScan(libraries: [catalog.library.id], at: Date())
        let album = try #require(try await reopened.album(first.track.albumID))
        #expect(album.trackCount == 2)
        #expect(album.durationMs == 3_500)
        let refreshed = try await reopened.catalogVersion()
        #expect(refreshed > version)
        try await reopened.finishScan(libraries: [catalog.library.id], at: Date())
        #expect(try await reopened.catalogVersion() == refreshed)
    }

    /// A batch writes an album or artist row shared by many tracks once, unless a later track
    /// would change it: what is stored is what writing every track in turn stored.
    @Test func sharedRowsInABatchEndAsIfEachTrackWroteThem() async throws {
        let catalog = try await TestCatalog()
        var writes = (1...3).map { number in
            catalog.write(path: "A/\(number).m4a", title: "Song \(number)", artists: ["Solo"], albumArtist: "Solo")
        }
        // Only the second track knows the release group and the artist's MusicBrainz ID; the
        // third says the album is a compilation.
        for index in [0, 2] {
            writes[index].track.musicBrainz.releaseGroupID = nil
            writes[index].credits = writes[index].credits.map { ArtistCredit(name: $0.name, role: $0.role) }
        }
        writes[1].credits = writes[1].credits.map {
            ArtistCredit(name: $0.name, musicBrainzID: $0.name == "Solo" ? "mb-solo" : nil, role: $0.role)
        }
        writes[1].track.musicBrainz.releaseGroupID = "rg-second"
        writes[2].track.compilation = true
        try await catalog.apply(writes)

        let albumID = writes[0].track.albumID
        #expect(try await catalog.repository.album(albumID)?.compilation == true)
        #expect(try await catalog.repository.artist(CatalogIDs.artist(name: "Solo"))?.musicBrainzID == "mb-solo")
        let group = try await catalog.database.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT release_group_mbid FROM album WHERE id = ?", arguments: [albumID.rawValue])
        }
        #expect(group == "rg-second")
    }

    @Test func aFailingBatchWritesNothing() async throws {
        let catalog = try await TestCatalog()
        let good = catalog.write(path: "A/1.m4a", title: "Good")
        var bad = catalog.write(path: "A/2.m4a", title: "Bad")
        bad.track.libraryID = LibraryID("no-such-library")  // violates the track → library foreign key
        await #expect(throws: (any Error).self) { try await catalog.apply([good, bad]) }
        #expect(
            try await catalog.repository.counts()
                == CatalogCounts(tracks: 0, albums: 0, artists: 0, genres: 0, folders: 0))
    }

    @Test func removingALibraryRemovesItsTracks() async throws {
        let catalog = try await TestCatalog()
        let write = catalog.write(path: "A/1.m4a", title: "One")
        try await catalog.apply([write])
        let other = Library(id: LibraryID("lib2"), name: "Other", path: "/other")
        try await catalog.repository.syncLibraries([other], source: "local")
        #expect(try await catalog.repository.libraries() == [other])
        #expect(try await catalog.repository.track(write.track.id) == nil)
        #expect(try await catalog.repository.genres(of: write.track.id).isEmpty)
    }

    @Test func foldersAreRecordedOnce() async throws {
        let catalog = try await TestCatalog()
        let id = catalog.library.id
        let root = Folder(
            id: CatalogIDs.folder(library: id, relativePath: ""), libraryID: id, parentID: nil, path: "",
            name: "Music")
        let child = Folder(
            id: CatalogIDs.folder(library: id, relativePath: "Björk"), libraryID: id, parentID: root.id,
            path: "Björk", name: "Björk")
        var batch = CatalogBatch()
        batch.folders = [root, child, child]
        try await catalog.repository.apply(batch)
        #expect(try await catalog.repository.folders(in: id) == [root, child])
        #expect(try await catalog.repository.folderPaths(in: id) == ["", "Björk"])

        var removal = CatalogBatch()
        removal.deletedFolders = [child.id]
        try await catalog.repository.apply(removal)
        #expect(try await catalog.repository.folderPaths(in: id) == [""])
    }
}
