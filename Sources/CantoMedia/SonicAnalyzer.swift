import CFFmpegShim
public import CantoCore

/// The sonic analyser: decodes a few windows of a track through FFmpeg and measures them
/// (`SonicFeatures`). Blocking, and CPU-bound: call it from a `BlockingPool`.
public struct SonicAnalyzer: Sendable {
    /// Seconds in each window, and how many windows, spread over the track.
    public var windowSeconds: Int
    public var windows: Int

    public init(windowSeconds: Int = 8, windows: Int = 3) {
        self.windowSeconds = max(1, min(60, windowSeconds))
        self.windows = max(1, min(16, windows))
    }

    /// What one analysis gives.
    public struct Outcome: Sendable, Equatable {
        public var features: SonicFeatures
        /// Seconds of audio decoded and measured.
        public var secondsAnalyzed: Double
    }

    /// Measures the audio at `path` (a file, or an address FFmpeg reads). Throws
    /// `MediaError.unreadable` with the reason ("silent", "too little audio to analyse", FFmpeg's
    /// message) when there is nothing to measure.
    public func analyze(path: String) throws(MediaError) -> Outcome {
        _ = FFmpegProbe.quietLogs
        var result = canto_analysis_result()
        var error = [CChar](repeating: 0, count: 256)
        let rc = canto_analyze(path, Int32(windowSeconds), Int32(windows), &result, &error, error.count)
        guard rc == 0 else {
            let message = String(cBuffer: error)
            throw .unreadable(reason: message.isEmpty ? "FFmpeg error \(rc)" : message)
        }
        let values = withUnsafeBytes(of: result.features) { Array($0.bindMemory(to: Float.self)) }
        return Outcome(
            features: SonicFeatures(values: Array(values.prefix(SonicFeatures.count))),
            secondsAnalyzed: Double(result.seconds_analyzed))
    }
}
