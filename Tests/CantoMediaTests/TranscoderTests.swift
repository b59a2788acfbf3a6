import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

/// The in-process transcoder: every input format to every output format, decoded back with
/// FFmpeg's libraries; seeking; bitrates; bad input; fuzzed input.
@Suite("Transcoder")
struct TranscoderTests {
    static let seconds = 6.0

    /// A 6-second tone in each fixture format, made once (the directory lives as long as the run).
    static let fixtures: (directory: TemporaryDirectory, files: [FixtureFormat: String]) = {
        let directory = try! TemporaryDirectory(prefix: "canto-transcode")
        var files: [FixtureFormat: String] = [:]
        for format in FixtureFormat.allCases {
            let url = directory.appending("tone.\(format.rawValue).\(format.fileExtension)")
            try! AudioClip(seconds: seconds, frequency: 330).encode(format, to: url)
            files[format] = url.path
        }
        return (directory, files)
    }()
    static var inputs: [FixtureFormat: String] { fixtures.files }

    /// Transcodes all of `path` into a file and decodes the result back.
    static func transcode(_ path: String, _ options: TranscodeOptions, suffix: String? = nil) throws -> ProbeResult {
        let transcoder = try Transcoder(path: path, options: options)
        var output: [UInt8] = []
        while let chunk = try transcoder.read() { output += chunk }
        let directory = try TemporaryDirectory(prefix: "canto-transcoded")
        let file = directory.appending("out.\(suffix ?? options.format.suffix)")
        try Data(output).write(to: file)
        return try FFmpegProbe.decode(path: file.path)
    }

    @Test(arguments: FixtureFormat.allCases, TranscodeFormat.allCases)
    func everyInputToEveryOutputDecodesBack(input: FixtureFormat, output: TranscodeFormat) throws {
        let path = try #require(Self.inputs[input])
        let result = try Self.transcode(path, TranscodeOptions(format: output))
        let expectedCodec = ["mp3": "mp3", "opus": "opus", "aac": "aac", "flac": "flac"][output.rawValue]
        #expect(result.audio.codec == expectedCodec)
        #expect(abs(Double(result.audio.durationMs) / 1000 - Self.seconds) <= 1, "\(result.audio.durationMs) ms")
        #expect(result.audio.channels == 2)
    }

    @Test(arguments: TranscodeFormat.allCases)
    func startingAtAnOffsetDropsWhatCameBefore(output: TranscodeFormat) throws {
        let path = try #require(Self.inputs[.flac])
        let result = try Self.transcode(path, TranscodeOptions(format: output, startMs: 4_000))
        #expect(abs(Double(result.audio.durationMs) / 1000 - (Self.seconds - 4)) <= 1, "\(result.audio.durationMs) ms")
    }

    @Test func startingPastTheEndGivesAnEmptyStreamNotAnError() throws {
        let path = try #require(Self.inputs[.mp3])
        let transcoder = try Transcoder(path: path, options: TranscodeOptions(format: .mp3, startMs: 60_000))
        var total = 0
        while let chunk = try transcoder.read() { total += chunk.count }
        #expect(total < 4_096)
    }

    @Test(arguments: [(TranscodeFormat.mp3, 96), (.mp3, 256), (.opus, 64), (.aac, 128)])
    func bitrateIsWhatWasAskedFor(format: TranscodeFormat, kbps: Int) throws {
        let directory = try TemporaryDirectory(prefix: "canto-bitrate")
        // Noise, so the encoder needs every bit it is given.
        let noise = directory.appending("noise.flac")
        try FFmpegTool.run(["-f", "lavfi", "-i", "anoisesrc=d=20:c=pink:r=44100", "-ac", "2", noise.path])
        let transcoder = try Transcoder(path: noise.path, options: TranscodeOptions(format: format, bitrateKbps: kbps))
        var bytes = 0
        while let chunk = try transcoder.read() { bytes += chunk.count }
        let measured = Double(bytes) * 8 / 20 / 1000
        // Opus is variable-rate by design; the others hold their rate closely.
        let low = format == .opus ? 0.6 : 0.8
        #expect(measured > Double(kbps) * low && measured < Double(kbps) * 1.25, "\(measured) kbit/s")
    }

    @Test func optionsClampBitratesToWhatEachEncoderTakes() {
        #expect(TranscodeOptions(format: .mp3, bitrateKbps: 5_000).bitrateKbps == 320)
        #expect(TranscodeOptions(format: .opus, bitrateKbps: 1).bitrateKbps == 6)
        #expect(TranscodeOptions(format: .flac, bitrateKbps: 128).bitrateKbps == 0)
        #expect(TranscodeOptions(format: .aac).bitrateKbps == 192)
        #expect(TranscodeOptions(format: .mp3, startMs: -5).startMs == 0)
    }

    @Test func missingCorruptAndNonAudioFilesThrow() async throws {
        let library = try await FixtureLibrary.shared()
        let directory = try TemporaryDirectory(prefix: "canto-bad")
        let text = directory.appending("notes.mp3")
        try Data("not audio at all".utf8).write(to: text)
        for path in [directory.appending("missing.flac").path, library.path(library.corruptFile), text.path] {
            #expect(throws: TranscodeError.self) {
                let transcoder = try Transcoder(path: path, options: TranscodeOptions(format: .mp3))
                while try transcoder.read() != nil {}
            }
        }
    }

    @Test func aFileCutShortEndsTheStreamWithoutACrash() throws {
        let path = try #require(Self.inputs[.flac])
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let directory = try TemporaryDirectory(prefix: "canto-cut")
        let cut = directory.appending("cut.flac")
        try data.prefix(data.count / 2).write(to: cut)
        let transcoder = try Transcoder(path: cut.path, options: TranscodeOptions(format: .opus))
        var total = 0
        do {
            while let chunk = try transcoder.read() { total += chunk.count }
        } catch {
            // An error part-way is as good as a clean end; a crash is not.
        }
        #expect(total > 0)
    }

    @Test func closingMidStreamAndAgainIsSafe() throws {
        let path = try #require(Self.inputs[.flac])
        let transcoder = try Transcoder(path: path, options: TranscodeOptions(format: .mp3))
        #expect(try transcoder.read(capacity: 1024)?.isEmpty == false)
        transcoder.close()
        transcoder.close()
        #expect(try transcoder.read() == nil)
    }

    /// A few hundred mutated files (flipped bytes, overwritten runs, truncations) of every
    /// input format: each either transcodes or throws. `canto-bench fuzz` runs many more.
    @Test func mutatedFilesNeverCrash() throws {
        var random = SeededGenerator(seed: 7)
        let directory = try TemporaryDirectory(prefix: "canto-fuzz")
        var outcomes = (finished: 0, failed: 0)
        for (format, path) in Self.inputs.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            for round in 0..<30 {
                let mutated = Mutation.apply(to: original, using: &random)
                let file = directory.appending("m\(round).\(format.fileExtension)")
                try Data(mutated).write(to: file)
                do {
                    let transcoder = try Transcoder(path: file.path, options: TranscodeOptions(format: .opus))
                    var chunks = 0
                    while try transcoder.read() != nil, chunks < 10_000 { chunks += 1 }
                    outcomes.finished += 1
                } catch {
                    outcomes.failed += 1
                }
            }
        }
        #expect(outcomes.finished + outcomes.failed == 30 * FixtureFormat.allCases.count)
        #expect(outcomes.finished > 0)
    }
}
