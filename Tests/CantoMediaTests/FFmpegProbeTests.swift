import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

@Suite struct FFmpegProbeTests {
    @Test func probesWav() async throws {
        let library = try await FixtureLibrary.shared()
        let result = try FFmpegProbe.probe(path: library.path(try #require(library.formatTracks[.wav])))
        #expect(result.container == "wav")
        #expect(result.audio.codec == "pcm_s16le")
        #expect(abs(result.audio.durationMs - 2_000) <= 50)
        #expect(result.audio.sampleRate == 44_100)
        #expect(result.audio.channels == 2)
        #expect(result.audio.bitrateKbps == 1_411)
    }

    @Test(arguments: [FixtureFormat.flac, .opus, .alac, .wavpack])
    func probesOtherFormats(format: FixtureFormat) async throws {
        let library = try await FixtureLibrary.shared()
        let result = try FFmpegProbe.probe(path: library.path(try #require(library.formatTracks[format])))
        #expect(abs(result.audio.durationMs - 2_000) <= 100)
        #expect(result.audio.channels == 2)
        #expect(!result.container.isEmpty)
    }

    @Test func failsCleanlyOnRandomBytes() async throws {
        let library = try await FixtureLibrary.shared()
        #expect(throws: MediaError.self) { try FFmpegProbe.probe(path: library.path(library.corruptFile)) }
        #expect(throws: MediaError.self) { try FFmpegProbe.probe(path: library.path(library.zeroByteFile)) }
        #expect(throws: MediaError.self) { try FFmpegProbe.probe(path: library.path(library.textFile)) }
    }

    @Test func reportsAVersion() {
        #expect(FFmpegProbe.version.hasPrefix("avformat "))
    }
}
