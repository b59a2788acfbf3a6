public import Foundation

/// A sine tone to encode with FFmpeg.
public struct AudioClip: Sendable, Equatable {
    public var seconds: Double
    public var frequency: Int
    public var channels: Int
    public var sampleRate: Int

    public init(seconds: Double = 1, frequency: Int = 440, channels: Int = 2, sampleRate: Int = 44_100) {
        self.seconds = seconds
        self.frequency = frequency
        self.channels = channels
        self.sampleRate = sampleRate
    }

    /// Encodes the tone as `format` at `url`. `metadata` becomes FFmpeg `-metadata` options, so
    /// those tags are written by FFmpeg's muxers; with none, the file carries no tags at all.
    public func encode(_ format: FixtureFormat, to url: URL, metadata: [String: String] = [:]) throws {
        var arguments = [
            "-f", "lavfi", "-i", "sine=frequency=\(frequency):duration=\(seconds):sample_rate=\(sampleRate)",
            "-ac", "\(channels)",
        ]
        arguments += format.encoderArguments
        if metadata.isEmpty {
            // No global or stream tags, and no "encoder" tag either.
            arguments += ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]
        } else {
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                arguments += ["-metadata", "\(key)=\(value)"]
            }
        }
        arguments.append(url.path)
        try FFmpegTool.run(arguments)
    }

    /// A small solid-colour JPEG, for covers.
    public static func jpeg(to url: URL, color: String = "red", size: Int = 64) throws {
        try FFmpegTool.run(["-f", "lavfi", "-i", "color=\(color):s=\(size)x\(size)", "-frames:v", "1", url.path])
    }
}
