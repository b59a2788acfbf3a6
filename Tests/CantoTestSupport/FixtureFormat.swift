/// The audio formats the fixtures cover, with how FFmpeg encodes each and what a reader
/// should find in the result.
public enum FixtureFormat: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case mp3, flac, ogg, opus, aac, alac, wav, aiff, wavpack

    public var description: String { rawValue }

    /// The file name extension (AAC and ALAC both live in .m4a).
    public var fileExtension: String {
        switch self {
        case .aac, .alac: "m4a"
        case .wavpack: "wv"
        default: rawValue
        }
    }

    /// FFmpeg's output options for the codec.
    var encoderArguments: [String] {
        switch self {
        case .mp3: ["-c:a", "libmp3lame", "-b:a", "64k"]
        case .flac: ["-c:a", "flac"]
        case .ogg: ["-c:a", "libvorbis", "-q:a", "0"]
        case .opus: ["-c:a", "libopus", "-b:a", "32k"]
        case .aac: ["-c:a", "aac", "-b:a", "64k"]
        case .alac: ["-c:a", "alac"]
        case .wav: ["-c:a", "pcm_s16le"]
        // FFmpeg writes AIFF tags only as an ID3v2 chunk, and only when asked.
        case .aiff: ["-c:a", "pcm_s16be", "-write_id3v2", "1", "-id3v2_version", "4"]
        case .wavpack: ["-c:a", "wavpack"]
        }
    }

    public var isLossless: Bool {
        switch self {
        case .flac, .alac, .wav, .aiff, .wavpack: true
        case .mp3, .ogg, .opus, .aac: false
        }
    }

    /// Bits per sample of the encoded file, for lossless formats (the tone is 16-bit).
    public var bitDepth: Int? { isLossless ? 16 : nil }

    /// The sample rate a reader reports for a 44.1 kHz tone: Opus always decodes at 48 kHz.
    public func reportedSampleRate(for sampleRate: Int) -> Int {
        self == .opus ? 48_000 : sampleRate
    }

    /// The codec name TagLib reports inside an MP4 container.
    public var mp4Codec: String? {
        switch self {
        case .aac: "aac"
        case .alac: "alac"
        default: nil
        }
    }
}
