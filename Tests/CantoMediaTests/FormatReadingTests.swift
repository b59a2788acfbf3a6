import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

/// Audio properties and FFmpeg-written tags of one real file per format.
@Suite struct FormatReadingTests {
    @Test(arguments: FixtureFormat.allCases)
    func readsAudioPropertiesAndBasicTags(format: FixtureFormat) async throws {
        let library = try await FixtureLibrary.shared()
        let path = try #require(library.formatTracks[format])
        let expected = try #require(library.track(at: path))

        let tags = try TagReader().read(path: library.path(path), wantCover: false)

        // The fixture's format files are 2 s stereo tones at 44.1 kHz.
        #expect(abs(tags.audio.durationMs - 2_000) <= 1_000, "duration \(tags.audio.durationMs) ms")
        #expect(tags.audio.sampleRate == format.reportedSampleRate(for: 44_100))
        #expect(tags.audio.channels == 2)
        #expect(tags.audio.bitrateKbps > 0)
        if let bitDepth = format.bitDepth {
            #expect(tags.audio.bitDepth == bitDepth)
        }
        if let codec = format.mp4Codec {
            #expect(tags.audio.codec == codec)
        }
        #expect(tags.title == expected.title)
        #expect(tags.artists == [expected.artist])
        #expect(tags.album == expected.album)
        #expect(tags.cover == nil)
    }

    @Test func untaggedFileHasAudioButNoTags() async throws {
        let library = try await FixtureLibrary.shared()
        let tags = try TagReader().read(path: library.path(library.untaggedTrack), wantCover: true)
        #expect(tags.title == nil)
        #expect(tags.artists.isEmpty)
        #expect(tags.album == nil)
        #expect(abs(tags.audio.durationMs - 1_000) <= 1_000)
        #expect(tags.audio.sampleRate == 44_100)
    }

    @Test func readsEmbeddedCover() async throws {
        let library = try await FixtureLibrary.shared()
        let tags = try TagReader().read(path: library.path(library.embeddedCoverTrack), wantCover: true)
        let cover = try #require(tags.cover)
        #expect(cover.data == library.embeddedCover)
        #expect(cover.mimeType == "image/jpeg")
        #expect(cover.data.starts(with: [0xFF, 0xD8]))

        let withoutCover = try TagReader().read(path: library.path(library.embeddedCoverTrack), wantCover: false)
        #expect(withoutCover.cover == nil)
    }
}
