import Foundation
import Hummingbird
import Metrics
import Synchronization

/// Streams on `/metrics`: how many are being sent now, by format and client
/// (`canto_streams_active{format,client}`), and how fast transcodes encode
/// (`canto_transcode_seconds_per_audio_second`: encoder time per second of audio, the inverse of
/// the speed in × real time, so a histogram with the usual duration buckets fits it).
enum StreamMetrics {
    private static let encoding = Timer(label: "canto_transcode_seconds_per_audio_second")
    private static let streaming = Atomic<Int>(0)

    /// Streams being sent now, of every format and client (the System page's figure).
    static var active: Int { streaming.load(ordering: .relaxed) }

    /// The client a stream is for: the Subsonic `c` parameter, or `web` for the native API,
    /// cut to a short label of letters, digits, `-`, `_` and `.` (a label set by callers must
    /// stay small).
    static func client(of request: Request) -> String {
        guard request.uri.path.hasPrefix("/rest") else { return "web" }
        let named = request.uri.queryParameters["c"].map(String.init) ?? ""
        let kept = named.unicodeScalars.filter {
            CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)
        }
        let label = String(String.UnicodeScalarView(kept.prefix(32)))
        return label.isEmpty ? "unknown" : label
    }

    /// `body`, counted in `canto_streams_active` while it is being written.
    static func counted(_ body: ResponseBody, format: String, client: String) -> ResponseBody {
        let active = Meter(label: "canto_streams_active", dimensions: [("format", format), ("client", client)])
        return ResponseBody(contentLength: body.contentLength) { writer in
            active.increment()
            streaming.add(1, ordering: .relaxed)
            defer {
                active.decrement()
                streaming.subtract(1, ordering: .relaxed)
            }
            let inner = body
            try await inner.write(writer)
        }
    }

    /// A transcode that finished: `encoding` of encoder time for `audio` of output.
    static func transcoded(encoding: Duration, audio: Duration) {
        guard audio > .zero else { return }
        let ratio = encoding / audio
        Self.encoding.recordNanoseconds(Int64(ratio * 1e9))
    }
}
