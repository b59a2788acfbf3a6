import CantoCore
import CantoLibrary
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// The benchmark generator's output, scanned: a few hundred tracks across many folders.
@Suite struct GeneratedLibraryTests {
    @Test func generatedLibraryScansToWhatWasGenerated() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-generated")
        let generated = try LibraryGenerator.generate(at: directory.appending("Music"), tracks: 240, seed: 7)
        #expect(generated.trackCount == 240)
        #expect(Set(generated.trackPaths).count == 240)

        let harness = try ScanHarness(root: generated.root)
        let summary = try await harness.scan()

        #expect(summary.added == 240)
        #expect(summary.errors == 0)
        let counts = try await harness.catalog.counts()
        #expect(counts.tracks == 240)
        #expect(counts.albums == generated.albumCount)
        #expect(counts.artists == generated.artistCount)
        let albums = try await harness.allAlbums()
        #expect(albums.contains { $0.album.discCount == 2 })
        #expect(albums.contains { $0.album.artworkID != nil })
        #expect(albums.allSatisfy { $0.album.trackCount == $0.tracks.count && !$0.tracks.isEmpty })
        // The household shape: compilations under "Various Artists" with an artist a track, guest
        // artists beside an album's own, more artists than albums.
        let compilations = albums.filter(\.album.compilation)
        #expect(!compilations.isEmpty)
        #expect(compilations.allSatisfy { $0.album.albumArtistName == "Various Artists" })
        #expect(compilations.allSatisfy { Set($0.tracks.map(\.artistName)).count > 1 })
        #expect(albums.contains { $0.tracks.contains { $0.artistName.contains(" / ") } })
        #expect(generated.artistCount > generated.albumCount)
    }

    @Test func sameSeedGivesTheSameLibrary() throws {
        let first = try TemporaryDirectory(prefix: "canto-generated")
        let second = try TemporaryDirectory(prefix: "canto-generated")
        let a = try LibraryGenerator.generate(at: first.appending("Music"), tracks: 30, seed: 99)
        let b = try LibraryGenerator.generate(at: second.appending("Music"), tracks: 30, seed: 99)
        #expect(a.trackPaths == b.trackPaths)
        #expect(a.albumCount == b.albumCount)
    }
}
