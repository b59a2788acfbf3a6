import CantoCore
import CantoLibrary
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// A first scan of the fixture library into an empty catalog.
@Suite struct ScanFixtureTests {
    @Test func summaryCountsEveryFileAndNamesTheProblems() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        let summary = try await harness.scan()

        #expect(summary.added == fixture.expectedTrackCount)
        #expect(summary.updated == 0)
        #expect(summary.moved == 0)
        #expect(summary.removed == 0)
        #expect(summary.unchanged == 0)
        #expect(summary.errors == fixture.errorFiles.count)
        #expect(summary.skipped == fixture.skippedFiles.count)
        #expect(summary.cancelled == false)
        let problems = Dictionary(uniqueKeysWithValues: summary.problems.map { ($0.path, $0.kind) })
        #expect(
            problems == [
                fixture.path(fixture.corruptFile): .corrupt,
                fixture.path(fixture.zeroByteFile): .emptyFile,
            ])
        #expect(try await harness.catalog.counts().tracks == fixture.expectedTrackCount)
    }

    @Test func everyExpectedTrackIsThereWithItsNamesIntact() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let tracks = try await harness.allTracks()
        #expect(tracks.map(\.path) == fixture.tracks.map(\.path).sorted())
        for expected in fixture.tracks {
            let track = try #require(try await harness.track(expected.path), "\(expected.path)")
            #expect(track.title == expected.title, "\(expected.path)")
            #expect(track.artistName == expected.artist, "\(expected.path)")
            #expect(track.album == expected.album, "\(expected.path)")
            #expect(track.albumArtistName == expected.albumArtist, "\(expected.path)")
            #expect(track.suffix == expected.format.fileExtension, "\(expected.path)")
            #expect(track.audio.durationMs > 0, "\(expected.path)")
        }
        // Spot checks that non-ASCII survived the file system, TagLib and SQLite byte for byte.
        let names = Set(tracks.flatMap { [$0.title, $0.artistName, $0.album] })
        for name in ["Björk", "Sigur Rós", "坂本龍一", "Coração Vagabundo", "音楽図鑑", "Homogénique", "Ágætis byrjun"] {
            #expect(names.contains(name), "\(name)")
        }
        #expect(tracks.contains { $0.path.hasPrefix("坂本龍一/音楽図鑑/") })
        let artists = try await harness.catalog.artists().map(\.name)
        for name in ["Björk", "Sigur Rós", "坂本龍一", "Múm", "Caetano Veloso"] {
            #expect(artists.contains(name), "\(name)")
        }
    }

    @Test func albumsAreGroupedAsExpected() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let albums = try await harness.allAlbums()
        let found = albums.map {
            ExpectedAlbum(
                title: $0.album.title, albumArtist: $0.album.albumArtistName, trackCount: $0.album.trackCount,
                discCount: $0.album.discCount, compilation: $0.album.compilation)
        }
        #expect(found.sorted { $0.title < $1.title } == fixture.albums.sorted { $0.title < $1.title })
        for (album, tracks) in albums {
            #expect(album.trackCount == tracks.count)
            #expect(album.durationMs == tracks.reduce(0) { $0 + $1.audio.durationMs })
            #expect(album.albumArtistID == CatalogIDs.artist(name: album.albumArtistName))
        }
    }

    enum Compilation: CaseIterable, Sendable {
        /// Album artist "Various Artists" and COMPILATION=1 in the tags.
        case tagged
        /// Several track artists in one folder and no album artist tag.
        case untagged
    }

    @Test(arguments: Compilation.allCases)
    func compilationIsOneAlbumUnderVariousArtists(which: Compilation) async throws {
        let fixture = try await FixtureLibrary.shared()
        let expected = which == .tagged ? fixture.taggedCompilation : fixture.untaggedCompilation
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let matching = try await harness.allAlbums().filter { $0.album.title == expected.title }
        try #require(matching.count == 1)
        let (album, tracks) = matching[0]
        #expect(album.albumArtistName == "Various Artists")
        #expect(album.compilation)
        #expect(tracks.count == expected.trackCount)
        #expect(Set(tracks.map(\.artistName)).count == tracks.count)
        #expect(tracks.allSatisfy { $0.compilation && $0.albumArtistName == "Various Artists" })
        let various = try #require(try await harness.catalog.artist(album.albumArtistID))
        #expect(various.name == "Various Artists")
        #expect(various.albumCount == 2)
        for track in tracks {
            let credits = try await harness.catalog.credits(of: track.id)
            #expect(credits.filter { $0.role == .albumArtist }.map(\.name) == ["Various Artists"])
            #expect(credits.filter { $0.role == .artist }.map(\.name) == [track.artistName])
        }
    }

    @Test func multiDiscAlbumIsOneAlbum() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let matching = try await harness.allAlbums().filter { $0.album.title == fixture.multiDisc.title }
        try #require(matching.count == 1)
        let (album, tracks) = matching[0]
        #expect(album.discCount == 2)
        #expect(album.trackCount == 4)
        #expect(album.albumArtistName == fixture.multiDisc.albumArtist)
        #expect(album.compilation == false)
        #expect(tracks.map(\.path) == fixture.multiDiscTracks)
        #expect(tracks.map(\.discNumber) == [1, 1, 2, 2])
        #expect(tracks.map(\.trackNumber) == [1, 2, 1, 2])
        #expect(tracks.allSatisfy { $0.discTotal == 2 && $0.trackTotal == 2 })
        #expect(Set(tracks.map(\.folderID)).count == 2)
    }

    @Test func embeddedCoverBecomesArtwork() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let track = try #require(try await harness.track(fixture.embeddedCoverTrack))
        let artworkID = try #require(track.artworkID)
        let artwork = try #require(try await harness.catalog.artwork(artworkID))
        #expect(artwork.source == .embedded)
        #expect(artwork.path == fixture.path(fixture.embeddedCoverTrack))
        #expect(artwork.mimeType == "image/jpeg")
        #expect(artwork.byteCount == fixture.embeddedCover.count)
        #expect(try await harness.catalog.album(track.albumID)?.artworkID == artworkID)
    }

    @Test func folderCoverBecomesArtwork() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let coverPath = fixture.path(fixture.folderCoverImage)
        var albumIDs = Set<AlbumID>()
        for path in fixture.folderCoverTracks {
            let track = try #require(try await harness.track(path))
            let artworkID = try #require(track.artworkID)
            let artwork = try #require(try await harness.catalog.artwork(artworkID))
            #expect(artwork.source == .file)
            #expect(artwork.path == coverPath)
            #expect(artwork.mimeType == "image/jpeg")
            #expect(artwork.byteCount == FileFacts(coverPath).size)
            #expect(try await harness.catalog.album(track.albumID)?.artworkID == artwork.id)
            albumIDs.insert(track.albumID)
        }
        #expect(albumIDs.count == 1)
        // Albums without a cover have no artwork.
        for path in fixture.multiDiscTracks {
            #expect(try await harness.track(path)?.artworkID == nil)
        }
    }

    @Test func untaggedFileIsNamedFromItsFolders() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let track = try #require(try await harness.track(fixture.untaggedTrack))
        #expect(track.title == "Untagged Song")
        #expect(track.artistName == "Artist Folder")
        #expect(track.album == "Album Folder")
        #expect(track.albumArtistName == "Artist Folder")
        #expect(track.trackNumber == nil)
        #expect(track.audio.sampleRate == 44_100)
        #expect(try await harness.catalog.genres(of: track.id).isEmpty)
    }

    @Test func foldersMirrorTheDirectoryTree() async throws {
        let fixture = try await FixtureLibrary.shared()
        let harness = try ScanHarness(root: fixture.root)
        _ = try await harness.scan()

        let folders = try await harness.catalog.folders(in: harness.library.id)
        let byPath = Dictionary(uniqueKeysWithValues: folders.map { ($0.path, $0) })
        let expected = Set(
            fixture.tracks.flatMap { track -> [String] in
                let parts = track.path.split(separator: "/").dropLast()
                return (0...parts.count).map { parts.prefix($0).joined(separator: "/") }
            } + ["Broken"])
        #expect(Set(byPath.keys) == expected)
        let disc = try #require(byPath["Múm/Finally We Are No One/CD 2"])
        #expect(disc.name == "CD 2")
        #expect(disc.parentID == byPath["Múm/Finally We Are No One"]?.id)
        #expect(byPath[""]?.parentID == nil)
    }
}
