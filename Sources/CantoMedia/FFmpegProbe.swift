import CFFmpegShim
public import CantoCore

/// What FFmpeg learns about a file TagLib could not read.
public struct ProbeResult: Sendable, Equatable {
    public var audio: AudioProperties
    public var container: String
}

/// The Swift face of the FFmpeg probe. Blocking: call it from a `BlockingPool`.
public enum FFmpegProbe {
    /// FFmpeg's own log lines are muted below errors once; Canto logs failures itself.
    static let quietLogs: Void = canto_ffmpeg_set_log_level(-8 /* AV_LOG_QUIET */)

    public static var version: String { String(cString: canto_ffmpeg_version()) }

    public static func probe(path: String) throws(MediaError) -> ProbeResult {
        try run(canto_probe, path: path)
    }

    /// Decodes the whole file and measures the audio it holds (exact, but as slow as a
    /// decode); for checking what the transcoder wrote.
    public static func decode(path: String) throws(MediaError) -> ProbeResult {
        try run(canto_decode_duration, path: path)
    }

    private static func run(
        _ function: (UnsafePointer<CChar>?, UnsafeMutablePointer<canto_probe_info>?, UnsafeMutablePointer<CChar>?, Int)
            -> Int32,
        path: String
    ) throws(MediaError) -> ProbeResult {
        _ = quietLogs
        var info = canto_probe_info()
        var error = [CChar](repeating: 0, count: 256)
        let rc = function(path, &info, &error, error.count)
        guard rc == 0 else {
            let message = String(cBuffer: error)
            throw .unreadable(reason: message.isEmpty ? "FFmpeg error \(rc)" : message)
        }
        var audio = AudioProperties()
        audio.durationMs = info.duration_ms
        audio.bitrateKbps = Int(info.bitrate_kbps)
        audio.sampleRate = Int(info.sample_rate)
        audio.channels = Int(info.channels)
        audio.bitDepth = info.bit_depth > 0 ? Int(info.bit_depth) : nil
        audio.codec = cString(info.codec)
        return ProbeResult(audio: audio, container: cString(info.container) ?? "")
    }
}

/// A fixed-size C char array (imported as a tuple) as a Swift string; nil when empty.
func cString<T>(_ tuple: T) -> String? {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// A NUL-terminated C buffer as a string.
    init(cBuffer: [CChar]) {
        self = String(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
