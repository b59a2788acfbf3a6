import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

/// Files that are not what their names say fail with a `MediaError`, never a crash.
@Suite struct BadFileTests {
    @Test func corruptFileThrows() async throws {
        let library = try await FixtureLibrary.shared()
        #expect(throws: MediaError.self) {
            try TagReader().read(path: library.path(library.corruptFile), wantCover: true)
        }
    }

    @Test func zeroByteFileThrows() async throws {
        let library = try await FixtureLibrary.shared()
        #expect(throws: MediaError.self) {
            try TagReader().read(path: library.path(library.zeroByteFile), wantCover: true)
        }
    }

    @Test func missingFileThrows() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: MediaError.self) {
            try TagReader().read(path: directory.appending("nothing.flac").path, wantCover: false)
        }
        #expect(throws: MediaError.self) { try FFmpegProbe.probe(path: directory.appending("nothing.flac").path) }
    }

    @Test(arguments: ["mp3", "flac", "ogg", "m4a", "wav", "wv", "opus", "aiff"])
    func randomBytesUnderAnyAudioNameThrow(suffix: String) throws {
        let directory = try TemporaryDirectory()
        let file = directory.appending("random.\(suffix)")
        var random = SeededGenerator(seed: 42)
        try Data(random.bytes(16_384)).write(to: file)
        #expect(throws: MediaError.self) { try TagReader().read(path: file.path, wantCover: true) }
        #expect(throws: MediaError.self) { try FFmpegProbe.probe(path: file.path) }
    }

    /// Cut inside the header and metadata, before any audio frame.
    @Test(arguments: [10, 100, 4_000])
    func truncatedFlacThrows(keptBytes: Int) async throws {
        let library = try await FixtureLibrary.shared()
        let source = library.url(try #require(library.formatTracks[.flac]))
        let directory = try TemporaryDirectory()
        let file = directory.appending("truncated.flac")
        try Data(try Data(contentsOf: source).prefix(keptBytes)).write(to: file)
        #expect(throws: MediaError.self) { try TagReader().read(path: file.path, wantCover: true) }
        #expect(throws: MediaError.self) { try FFmpegProbe.probe(path: file.path) }
    }
}
