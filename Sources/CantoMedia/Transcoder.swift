import CFFmpegShim

/// A format Canto transcodes to.
public enum TranscodeFormat: String, Sendable, CaseIterable, Codable {
    case mp3, opus, aac, flac

    /// The MIME type of the stream the transcoder writes.
    public var mimeType: String {
        switch self {
        case .mp3: "audio/mpeg"
        case .opus: "audio/ogg"
        case .aac: "audio/aac"
        case .flac: "audio/flac"
        }
    }

    /// The file suffix Subsonic clients expect for the stream.
    public var suffix: String { self == .aac ? "aac" : rawValue }

    /// The bitrate used when the client names none (kbit/s); FLAC has none.
    public var defaultBitrate: Int {
        switch self {
        case .mp3: 192
        case .opus: 128
        case .aac: 192
        case .flac: 0
        }
    }

    /// The bitrates the encoder accepts (kbit/s); requests outside are clamped.
    public var bitrateRange: ClosedRange<Int> {
        switch self {
        case .mp3: 32...320
        case .opus: 6...510
        case .aac: 32...320
        case .flac: 0...0
        }
    }

    public var isLossless: Bool { self == .flac }

    var cValue: canto_output_format {
        switch self {
        case .mp3: CANTO_FORMAT_MP3
        case .opus: CANTO_FORMAT_OPUS
        case .aac: CANTO_FORMAT_AAC
        case .flac: CANTO_FORMAT_FLAC
        }
    }
}

/// What to make of a file: a format, a bitrate and a start offset.
public struct TranscodeOptions: Sendable, Hashable {
    public var format: TranscodeFormat
    /// kbit/s, clamped to the format's range (ignored for FLAC).
    public var bitrateKbps: Int
    /// Where the output starts, in milliseconds into the track.
    public var startMs: Int64

    public init(format: TranscodeFormat, bitrateKbps: Int? = nil, startMs: Int64 = 0) {
        self.format = format
        let bitrate = bitrateKbps ?? format.defaultBitrate
        self.bitrateKbps =
            format.isLossless ? 0 : min(max(bitrate, format.bitrateRange.lowerBound), format.bitrateRange.upperBound)
        self.startMs = max(0, startMs)
    }
}

/// Why a transcode failed: the file could not be opened or decoded, or encoding failed.
public struct TranscodeError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { "transcoding failed: \(message)" }
}

/// One running transcode of one file. Blocking and single-threaded: call `read` from a
/// `BlockingPool`, one call at a time. Work happens only inside `read`, so a reader that
/// stops asking stops the encoder (backpressure), and `close` (or deinit) frees every FFmpeg
/// object at any point of the stream.
public final class Transcoder: @unchecked Sendable {
    // @unchecked: the C state is touched by one caller at a time (the stream's own task).
    private var handle: OpaquePointer?
    public let options: TranscodeOptions

    /// Opens `path`; throws when the file cannot be decoded.
    public init(path: String, options: TranscodeOptions) throws(TranscodeError) {
        _ = FFmpegProbe.quietLogs
        self.options = options
        var cOptions = canto_transcode_options(
            format: options.format.cValue, bitrate_kbps: Int32(options.bitrateKbps), start_ms: options.startMs)
        var error = [CChar](repeating: 0, count: 256)
        var opened: OpaquePointer?
        let rc = canto_transcoder_open(path, &cOptions, &opened, &error, error.count)
        guard rc == 0, let opened else {
            throw TranscodeError(code: rc, message: Self.message(error, rc))
        }
        handle = opened
    }

    deinit { canto_transcoder_close(handle) }

    /// The next bytes of output, at most `capacity`; nil at the end of the stream.
    public func read(capacity: Int = 64 * 1024) throws(TranscodeError) -> [UInt8]? {
        guard let handle else { return nil }
        var error = [CChar](repeating: 0, count: 256)
        var buffer = [UInt8](repeating: 0, count: capacity)
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            canto_transcoder_read(handle, pointer.baseAddress, capacity, &error, error.count)
        }
        if count < 0 {
            throw TranscodeError(
                code: Int32(truncatingIfNeeded: count), message: Self.message(error, Int32(truncatingIfNeeded: count)))
        }
        if count == 0 { return nil }
        buffer.removeSubrange(Int(count)...)
        return buffer
    }

    /// Frees the FFmpeg objects now rather than at deinit.
    public func close() {
        canto_transcoder_close(handle)
        handle = nil
    }

    private static func message(_ buffer: [CChar], _ code: Int32) -> String {
        let text = String(cBuffer: buffer)
        return text.isEmpty ? "FFmpeg error \(code)" : text
    }
}
