import CantoCore
import CantoLibrary
import CantoMedia
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// Second scans after the files changed (or did not), each on its own copy of the fixture.
@Suite struct RescanTests {
    /// A private copy of the fixture library and a catalog of one scan of it. The copy lives as
    /// long as this value.
    struct ScannedCopy {
        let directory: TemporaryDirectory
        let fixture: FixtureManifest
        let harness: ScanHarness
    }

    static func scannedCopy(prepare: (FixtureManifest) throws -> Void = { _ in }) async throws -> ScannedCopy {
        let directory = try TemporaryDirectory(prefix: "canto-rescan")
        let fixture = try await FixtureLibrary.shared().copy(to: directory.appending("Music"))
        try prepare(fixture)
        let harness = try ScanHarness(root: fixture.root, data: try TemporaryDirectory(prefix: "canto-data"))
        let summary = try await harness.scan()
        try #require(summary.added == fixture.expectedTrackCount)
        return ScannedCopy(directory: directory, fixture: fixture, harness: harness)
    }

    @Test func unchangedLibraryWritesNothing() async throws {
        // Millisecond parts that a lossy date round trip through SQLite would not give back.
        let copy = try await Self.scannedCopy { fixture in
            for (index, track) in fixture.tracks.enumerated() {
                let seconds = [1_700_000_000, 1_234_567_890][index % 2] + index * 3_600
                try setModificationTime(
                    of: fixture.path(track.path), seconds: seconds, milliseconds: (index * 37 + 123) % 1000)
            }
        }
        let fixture = copy.fixture
        var harness = copy.harness
        try harness.reopen()
        let before = try await harness.allTracks()
        let changes = try harness.database.totalChanges()
        let databaseFile = FileFacts(harness.database.path)
        let walFile = FileFacts(harness.database.path + "-wal")

        let summary = try await harness.scan()

        #expect(summary.unchanged == fixture.expectedTrackCount)
        #expect(summary.added == 0)
        #expect(summary.updated == 0)
        #expect(summary.moved == 0)
        #expect(summary.removed == 0)
        #expect(summary.errors == fixture.errorFiles.count)
        #expect(summary.skipped == fixture.skippedFiles.count)
        #expect(try harness.database.totalChanges() == changes)
        #expect(FileFacts(harness.database.path) == databaseFile)
        #expect(FileFacts(harness.database.path + "-wal") == walFile)
        #expect(try await harness.allTracks() == before)
    }

    /// Files dated before 1970 or after the year 9999 (a broken clock, a hostile archive) are
    /// scanned, and a second scan finds them unchanged: their times are held to the stored range.
    @Test func filesWithTimesOutsideTheStoredRangeAreScanned() async throws {
        let copy = try await Self.scannedCopy { fixture in
            for (index, track) in fixture.tracks.enumerated() {
                // 1950, and the year 60000.
                let seconds = index % 2 == 0 ? -631_152_000 : 1_831_230_000_000
                try setModificationTime(of: fixture.path(track.path), seconds: seconds, milliseconds: 5)
            }
        }
        var harness = copy.harness
        try harness.reopen()
        let tracks = try await harness.allTracks()
        #expect(tracks.count == copy.fixture.expectedTrackCount)
        #expect(tracks.allSatisfy { $0.modifiedAt >= StoredTime.earliest && $0.modifiedAt <= StoredTime.latest })
        let summary = try await harness.scan()
        #expect(summary.unchanged == copy.fixture.expectedTrackCount)
        #expect(summary.updated == 0)
    }

    @Test func changedTagIsUpdated() async throws {
        let copy = try await Self.scannedCopy()
        let (fixture, harness) = (copy.fixture, copy.harness)
        let path = try #require(fixture.formatTracks[.flac])
        let before = try #require(try await harness.track(path))

        try TagReader.write(
            path: fixture.path(path),
            fields: ["TITLE": ["Hunter (Remix)"], "ARTIST": ["Björk"], "ALBUM": ["Homogénique"], "GENRE": ["Trip-Hop"]])
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: fixture.path(path))
        let summary = try await harness.scan()

        #expect(summary.updated == 1)
        #expect(summary.unchanged == fixture.expectedTrackCount - 1)
        #expect(summary.added == 0)
        #expect(summary.moved == 0)
        #expect(summary.removed == 0)
        let after = try #require(try await harness.track(path))
        #expect(after.id == before.id)
        #expect(after.title == "Hunter (Remix)")
        #expect(after.modifiedAt > before.modifiedAt)
        #expect(after.updatedAt > before.updatedAt)
        #expect(after.createdAt == before.createdAt)
        #expect(try await harness.catalog.genres(of: after.id) == ["Trip-Hop"])
        #expect(try await harness.catalog.counts().tracks == fixture.expectedTrackCount)
    }

    @Test func deletedFileIsRemovedAndItsAlbumAndArtistPruned() async throws {
        let copy = try await Self.scannedCopy()
        let (fixture, harness) = (copy.fixture, copy.harness)
        let path = "Caetano Veloso/Coração Vagabundo (1967)/01 - Coração Vagabundo.ogg"
        let before = try #require(try await harness.track(path))
        let artistID = CatalogIDs.artist(name: "Caetano Veloso")
        #expect(try await harness.catalog.artist(artistID) != nil)
        let counts = try await harness.catalog.counts()

        try FileManager.default.removeItem(atPath: fixture.path(path))
        let summary = try await harness.scan()

        #expect(summary.removed == 1)
        #expect(summary.unchanged == fixture.expectedTrackCount - 1)
        #expect(summary.added == 0 && summary.updated == 0 && summary.moved == 0)
        #expect(try await harness.track(path) == nil)
        #expect(try await harness.catalog.track(before.id) == nil)
        #expect(try await harness.catalog.album(before.albumID) == nil)
        #expect(try await harness.catalog.artist(artistID) == nil)
        let after = try await harness.catalog.counts()
        #expect(after.tracks == counts.tracks - 1)
        #expect(after.albums == counts.albums - 1)
        #expect(after.artists == counts.artists - 1)
    }

    @Test func aMusicFolderDroppedFromTheConfigurationTakesItsCatalogWithIt() async throws {
        let copy = try await Self.scannedCopy()
        let harness = copy.harness
        let second = try TemporaryDirectory(prefix: "canto-second-library")
        try AudioClip(seconds: 1).encode(
            .flac, to: second.appending("Solo.flac"), metadata: ["title": "Solo", "artist": "Elsewhere"])
        let other = Library(id: CatalogIDs.library(path: second.path), name: "Other", path: second.path)
        let scanner = LibraryScanner(catalog: harness.catalog, options: ScanOptions(), logger: ScanHarness.logger)
        let both = try await scanner.scan(libraries: [harness.library, other])
        #expect(both.added == 1)
        #expect(try await harness.catalog.artist(CatalogIDs.artist(name: "Elsewhere")) != nil)

        let onlyFirst = try await harness.scan()
        #expect(onlyFirst.added == 0 && onlyFirst.removed == 0)
        #expect(try await harness.catalog.libraries().map(\.id) == [harness.library.id])
        #expect(try await harness.catalog.track(library: other.id, path: "Solo.flac") == nil)
        // Its album and artist go too, although no file of the remaining library changed.
        #expect(try await harness.catalog.artist(CatalogIDs.artist(name: "Elsewhere")) == nil)
        #expect(try await harness.catalog.counts().tracks == copy.fixture.expectedTrackCount)
    }

    @Test func deletedFolderTakesItsTracksAndFoldersWithIt() async throws {
        let copy = try await Self.scannedCopy()
        let (fixture, harness) = (copy.fixture, copy.harness)
        try FileManager.default.removeItem(at: fixture.url("Múm"))
        let summary = try await harness.scan()

        #expect(summary.removed == fixture.multiDiscTracks.count)
        for path in fixture.multiDiscTracks {
            #expect(try await harness.track(path) == nil)
        }
        let folders = try await harness.catalog.folderPaths(in: harness.library.id)
        #expect(!folders.contains { $0.hasPrefix("Múm") })
        #expect(try await harness.catalog.artist(CatalogIDs.artist(name: "Múm")) == nil)
        #expect(try await harness.catalog.counts().tracks == fixture.expectedTrackCount - fixture.multiDiscTracks.count)
    }

    /// New homes scanned before the old folder, after it, and the old folder itself (a rename).
    @Test(arguments: [
        "Elsewhere/Renamed Starálfur.flac", "Zzz Later/Renamed Starálfur.flac",
        "Sigur Rós/Ágætis byrjun/02 - Renamed.flac",
    ])
    func movedAndRenamedFileKeepsItsIdentity(newPath: String) async throws {
        let copy = try await Self.scannedCopy()
        let (fixture, harness) = (copy.fixture, copy.harness)
        let oldPath = fixture.folderCoverTracks[1]
        let newFolder = (newPath as NSString).deletingLastPathComponent
        let before = try #require(try await harness.track(oldPath))
        try await harness.catalog.recordPlay(of: before.id)
        try await harness.catalog.recordPlay(of: before.id)

        try FileManager.default.createDirectory(at: fixture.url(newFolder), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: fixture.url(oldPath), to: fixture.url(newPath))
        let summary = try await harness.scan()

        #expect(summary.moved == 1)
        #expect(summary.added == 0)
        #expect(summary.removed == 0)
        #expect(summary.updated == 0)
        #expect(summary.unchanged == fixture.expectedTrackCount - 1)
        #expect(try await harness.track(oldPath) == nil)
        let after = try #require(try await harness.track(newPath))
        #expect(after.id == before.id)
        #expect(after.playCount == 2)
        #expect(after.title == before.title)
        #expect(after.albumID == before.albumID)
        #expect(after.createdAt == before.createdAt)
        #expect(after.folderID == CatalogIDs.folder(library: harness.library.id, relativePath: newFolder))
        #expect(try await harness.catalog.counts().tracks == fixture.expectedTrackCount)
    }

    @Test func symlinkLoopIsReportedAndTheScanCompletes() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-loop")
        let fixture = try await FixtureLibrary.shared().copy(to: directory.appending("Music"))
        let loop = fixture.url("Björk/Homogénique (1997)/back to the top")
        try FileManager.default.createSymbolicLink(at: loop, withDestinationURL: fixture.root)
        let harness = try ScanHarness(root: fixture.root)

        let summary = try await harness.scan()

        #expect(summary.added == fixture.expectedTrackCount)
        #expect(summary.errors == fixture.errorFiles.count + 1)
        let loops = summary.problems.filter { $0.kind == .symlinkLoop }
        #expect(loops.map(\.path) == [loop.path])
        #expect(try await harness.catalog.counts().tracks == fixture.expectedTrackCount)

        // And again on a rescan.
        let again = try await harness.scan()
        #expect(again.unchanged == fixture.expectedTrackCount)
        #expect(again.problems.filter { $0.kind == .symlinkLoop }.map(\.path) == [loop.path])
    }
}
