import CantoCore
import CantoMedia
import Foundation

/// What a stream sends: the original file, or a transcode.
enum StreamOutput: Sendable, Equatable {
    case raw
    case transcode(TranscodeOptions)
}

/// What the client asked for: Subsonic's `format`, `maxBitRate` and `timeOffset`, or the
/// native API's query, and the client's name (Subsonic `c`).
struct StreamRequest: Sendable, Equatable {
    var format: String?
    var maxBitRate: Int?
    var offsetSeconds: Double = 0
    var client: String?

    /// The highest bitrate cap a client may ask for (kbit/s); anything above means no cap anyway.
    static let maxBitRate = 100_000
    /// The furthest a client may seek (seconds): a week, far beyond any track.
    static let maxOffsetSeconds: Double = 7 * 24 * 3600
}

/// Chooses a stream's output. In order: `format=raw` always means the original file; a
/// format the client names; the per-client default from config; the user's preferred format.
/// The bitrate is the lowest of the client's `maxBitRate`, the per-client default, the user's
/// own cap and the admin's cap on the user. With no format named, a file above the cap is
/// transcoded to the configured default format. A file already in the wanted format and
/// within the cap is sent as it is, unless the client seeks (`timeOffset`), which needs a
/// transcode.
struct StreamPlanner: Sendable {
    /// Per-client defaults (`transcoding.client_formats`, "DSub=mp3:192").
    var clientDefaults: [String: (format: String, bitrate: Int?)] = [:]
    /// The format used when only a bitrate cap forces a transcode.
    var defaultFormat: TranscodeFormat = .mp3

    /// Parses `client=format[:bitrate]` entries; malformed entries are reported.
    static func parseClientDefaults(_ entries: [String]) throws(StreamPlannerError) -> [String: (
        format: String, bitrate: Int?
    )] {
        var defaults: [String: (format: String, bitrate: Int?)] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw StreamPlannerError(entry: entry) }
            let spec = parts[1].split(separator: ":").map(String.init)
            guard let format = spec.first, format == "raw" || TranscodeFormat(rawValue: format) != nil,
                spec.count == 1 || (spec.count == 2 && Int(spec[1]) != nil)
            else { throw StreamPlannerError(entry: entry) }
            defaults[parts[0].lowercased()] = (format, spec.count == 2 ? Int(spec[1]) : nil)
        }
        return defaults
    }

    func plan(
        _ track: Track, request: StreamRequest, user: User, preferences: UserPreferences,
        entitlements: Entitlements = .unlimited
    ) -> StreamOutput {
        let output = planned(track, request: request, user: user, preferences: preferences, plan: entitlements)
        // A plan without original files: always a lossy transcode, within the plan's cap.
        guard !entitlements.originalFiles else { return output }
        switch output {
        case .raw:
            let format =
                Self.format(track.suffix, codec: track.audio.codec).flatMap { $0.isLossless ? nil : $0 }
                ?? (defaultFormat.isLossless ? .mp3 : defaultFormat)
            let cap = [entitlements.maxBitrate, request.maxBitRate, preferences.maxBitrate, user.maxBitrate]
                .compactMap { $0 }.filter { $0 > 0 }.min()
            return .transcode(TranscodeOptions(format: format, bitrateKbps: cap ?? format.defaultBitrate, startMs: 0))
        case .transcode(var options):
            if options.format.isLossless {
                options.format = defaultFormat.isLossless ? .mp3 : defaultFormat
                options.bitrateKbps =
                    entitlements.maxBitrate.map { min($0, options.format.defaultBitrate) }
                    ?? options.format.defaultBitrate
            }
            return .transcode(options)
        }
    }

    private func planned(
        _ track: Track, request: StreamRequest, user: User, preferences: UserPreferences, plan: Entitlements
    ) -> StreamOutput {
        let requested = request.format.map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        if requested == "raw" && plan.maxBitrate == nil { return .raw }
        let client = request.client.flatMap { clientDefaults[$0.lowercased()] }
        let caps = [request.maxBitRate, client?.bitrate, preferences.maxBitrate, user.maxBitrate, plan.maxBitrate]
            .compactMap { $0 }
            .filter { $0 > 0 }
        let cap = caps.min()
        // Clamped again here, so no caller's number can overflow the conversion.
        let offset = request.offsetSeconds.isFinite ? request.offsetSeconds : 0
        let startMs = Int64((min(max(0, offset), StreamRequest.maxOffsetSeconds) * 1000).rounded())
        let preferred = preferences.streamFormat == "raw" ? nil : preferences.streamFormat
        let named = [requested, client?.format, preferred].compactMap { $0 }.first {
            Self.format($0) != nil || $0 == "raw"
        }
        let source = Self.format(track.suffix, codec: track.audio.codec)
        let withinCap = cap.map { track.audio.bitrateKbps <= $0 } ?? true

        var target: TranscodeFormat
        if let named, let format = Self.format(named) {
            if format == source && withinCap && startMs == 0 { return .raw }
            target = format
        } else {
            // Nothing named (or "raw" from a default): the original unless the cap or a seek says otherwise.
            if withinCap && startMs == 0 { return .raw }
            target = source.flatMap { $0.isLossless ? nil : $0 } ?? defaultFormat
            if !withinCap && target.isLossless { target = defaultFormat }
        }
        var bitrate = cap ?? target.defaultBitrate
        if cap == nil, !target.isLossless, track.audio.bitrateKbps > 0, source == target {
            // Re-encoding only to seek: keep the file's own rate.
            bitrate = track.audio.bitrateKbps
        }
        return .transcode(TranscodeOptions(format: target, bitrateKbps: bitrate, startMs: startMs))
    }

    /// The transcode format a name or file stands for ("ogg" and "oga" are Opus here).
    static func format(_ name: String, codec: String? = nil) -> TranscodeFormat? {
        switch name.lowercased() {
        case "mp3": return .mp3
        case "opus": return .opus
        case "ogg", "oga": return codec == nil || codec == "opus" ? .opus : nil
        case "aac", "m4a", "mp4": return codec == nil || codec == "aac" ? .aac : nil
        case "flac": return .flac
        default: return nil
        }
    }
}

/// A malformed `transcoding.client_formats` entry.
struct StreamPlannerError: Error, CustomStringConvertible {
    var entry: String
    var description: String {
        "transcoding.client_formats: \"\(entry)\" is not client=format[:bitrate] with format raw, mp3, opus, aac or flac"
    }
}
