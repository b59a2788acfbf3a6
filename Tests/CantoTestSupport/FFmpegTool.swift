import Foundation

/// Why building a fixture failed.
public enum FixtureError: Error, CustomStringConvertible {
    case ffmpegFailed(arguments: [String], status: Int32, output: String)
    case tagWriteFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .ffmpegFailed(let arguments, let status, let output):
            "ffmpeg exited with \(status): \(output)\narguments: \(arguments.joined(separator: " "))"
        case .tagWriteFailed(let path, let reason): "writing tags to \(path) failed: \(reason)"
        }
    }
}

/// Runs the `ffmpeg` command line found on PATH. The fixtures are made with the real encoder so
/// the files are what users have, not hand-built headers.
public enum FFmpegTool {
    /// Runs `ffmpeg` with `arguments` (quiet, never reading standard input, overwriting outputs).
    public static func run(_ arguments: [String]) throws {
        let all = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + arguments
        let result = try ChildProcess.run("ffmpeg", all, output: .discard, errors: .collect)
        guard result.status == 0 else {
            throw FixtureError.ffmpegFailed(arguments: all, status: result.status, output: result.output)
        }
    }
}
