/// Why a file could not be read. The scanner logs it with the path and goes on.
public enum MediaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// TagLib could not read the file, and FFmpeg could not probe it either.
    case unreadable(reason: String)
    /// The file holds no audio stream.
    case noAudio

    public var description: String {
        switch self {
        case .unreadable(let reason): "unreadable audio file: \(reason)"
        case .noAudio: "no audio stream"
        }
    }
}
