import AsyncHTTPClient
import CantoCore
import CantoMedia
import Foundation
import Hummingbird
import Logging

/// Why a stream could not start: the transcoders are all busy, or the file cannot be decoded.
enum StreamFailure: Error, Sendable, DomainFailure {
    case busy(retryAfter: Int)
    case unreadable(String)

    var domainError: DomainError {
        switch self {
        case .busy(let seconds):
            DomainError(
                .busy(retryAfter: seconds), "Every transcoder is busy. Try again in \(seconds) seconds.",
                code: "transcoders_busy")
        case .unreadable(let reason): DomainError(.unavailable, reason + ".", code: "unreadable_media")
        }
    }
}

/// Sends a track as the planner decided: the original file with ranges, a finished transcode
/// from the cache (ranges too), or a live transcode streamed as it is produced.
///
/// A live transcode holds a slot of the `TranscodeLimiter`; its encoder runs only while the
/// client reads (each chunk is encoded after the previous one was written), and stops and
/// frees everything when the client goes away. A transcode from the start is written to the
/// cache beside the response and kept only when it completes.
struct MediaStreamer: Sendable {
    let cache: DiskCache
    let limiter: TranscodeLimiter
    /// Fetches tracks that media sources keep at http(s) addresses.
    var remote: HTTPClient = .shared
    /// The server's one pool for blocking media work (shared with covers).
    let pool: BlockingPool
    /// Output chunk size: small enough for a quick first byte, large enough to be cheap.
    static let chunkBytes = 32 * 1024
    /// Where streams, transcodes, bytes and cache hits are counted for the admin page.
    var activity: ServerActivity?

    func response(
        track: Track, location: MediaLocation, output: StreamOutput, estimateContentLength: Bool,
        downloadName: String? = nil, request: Request, context: some RequestContext
    ) async throws -> Response {
        guard case .transcode(let options) = output else {
            let type = MediaStreamer.contentType(track.suffix)
            let response: Response
            switch location {
            case .file(let path):
                response = try await RawFileResponse(path: path, contentType: type, downloadName: downloadName)
                    .response(for: request, context: context)
            case .remote(let url):
                response = try await RemoteMediaResponse(
                    url: url, contentType: type, downloadName: downloadName, client: remote
                ).response(for: request, context: context)
            }
            return counted(response, request, format: "raw")
        }
        // FFmpeg reads a remote source itself (its http protocol), from the start or a seek.
        let input =
            switch location {
            case .file(let path): path
            case .remote(let url): url.absoluteString
            }
        let name = DiskCache.name(
            for: "\(track.contentHash)|\(options.format.rawValue)|\(options.bitrateKbps)", suffix: options.format.suffix
        )
        if options.startMs == 0, let cached = await cache.path(of: name) {
            let raw = RawFileResponse(path: cached, contentType: options.format.mimeType, downloadName: nil)
            let response = try await raw.response(for: request, context: context)
            activity?.count("cache", "transcodes-hit")
            return counted(response, request, format: options.format.rawValue)
        }
        var headers = HTTPFields()
        headers[.contentType] = options.format.mimeType
        headers[.cacheControl] = "no-cache"
        let length = estimateContentLength ? Self.estimatedLength(track: track, options: options) : nil
        if let length { headers[.contentLength] = String(length) }
        if request.method == .head { return Response(status: .ok, headers: headers) }

        let permit: TranscodePermit
        do {
            permit = try await limiter.acquire()
        } catch let busy as TranscodersBusy {
            throw StreamFailure.busy(retryAfter: busy.retryAfter)
        }
        let transcoder: Transcoder
        do {
            transcoder = try await pool.run { try Transcoder(path: input, options: options) }
        } catch {
            permit.release()
            context.logger.warning(
                "transcode could not start", metadata: ["track.id": "\(track.id)", "error": "\(error)"])
            throw StreamFailure.unreadable("The file of song \(track.id.rawValue) cannot be decoded")
        }
        activity?.count("cache", "transcodes-miss")
        activity?.count("streams", options.format.rawValue)
        activity?.count("transcodes", options.format.rawValue)
        let body = ResponseBody(contentLength: length) { [pool, cache, activity, logger = context.logger] writer in
            defer {
                transcoder.close()
                permit.release()
            }
            let sink = options.startMs == 0 ? CacheSink(cache: cache, name: name) : nil
            var sent = 0
            var encoding = Duration.zero
            let clock = ContinuousClock()
            do {
                while true {
                    let started = clock.now
                    let read = try await pool.run({ try transcoder.read(capacity: Self.chunkBytes) })
                    encoding += clock.now - started
                    guard let chunk = read else { break }
                    var bytes = chunk[...]
                    if let length { bytes = bytes.prefix(max(0, length - sent)) }
                    if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                    sent += bytes.count
                    sink?.append(chunk)
                }
                await sink?.commit()
                StreamMetrics.transcoded(
                    encoding: encoding, audio: .milliseconds(max(0, track.audio.durationMs - options.startMs)))
            } catch let error as TranscodeError {
                // The file broke part-way: end the stream cleanly, keep nothing.
                logger.warning("transcode stopped", metadata: ["track.id": "\(track.id)", "error": "\(error)"])
                sink?.discard()
            } catch {
                // The client went away: stop encoding, keep nothing.
                sink?.discard()
                throw error
            }
            while let length, sent < length {
                // The estimate promised more: pad, so the connection stays well-formed.
                let count = min(length - sent, Self.chunkBytes)
                try await writer.write(ByteBuffer(repeating: 0, count: count))
                sent += count
            }
            activity?.count("bytes", by: sent)
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: headers,
            body: StreamMetrics.counted(
                body, format: options.format.rawValue, client: StreamMetrics.client(of: request)))
    }

    /// Counts a stream sent as it is (or from the cache), with the bytes it announces, and
    /// keeps it in `canto_streams_active` while it is sent.
    private func counted(_ response: Response, _ request: Request, format: String) -> Response {
        guard request.method != .head, response.status.code < 300 else { return response }
        if let activity {
            activity.count("streams", format)
            if let length = response.headers[.contentLength].flatMap({ Int($0) }) {
                activity.count("bytes", by: length)
            }
        }
        var response = response
        response.body = StreamMetrics.counted(response.body, format: format, client: StreamMetrics.client(of: request))
        return response
    }

    /// Bytes a transcode of the rest of the track will take at its bitrate (FLAC: the source's).
    static func estimatedLength(track: Track, options: TranscodeOptions) -> Int {
        // In doubles: a file's duration and bitrate are whatever its tags claim.
        let seconds = max(0, (Double(track.audio.durationMs) - Double(options.startMs)) / 1000)
        let kbps = options.format.isLossless ? max(track.audio.bitrateKbps, 1) : options.bitrateKbps
        return Int(saturating: (seconds * Double(kbps) * 1000 / 8).rounded(.up))
    }

    /// The MIME type of an original file, by suffix.
    static func contentType(_ suffix: String) -> String {
        switch suffix.lowercased() {
        case "mp3": "audio/mpeg"
        case "flac": "audio/flac"
        case "ogg", "oga", "opus": "audio/ogg"
        case "m4a", "m4b", "mp4", "aac", "alac": "audio/mp4"
        case "wav": "audio/wav"
        case "aif", "aiff", "aifc": "audio/aiff"
        case "wv": "audio/x-wavpack"
        case "ape": "audio/x-ape"
        default: "application/octet-stream"
        }
    }
}

/// A cache entry being written beside a live transcode: a temporary file, renamed into the
/// cache when the transcode completes, removed otherwise.
final class CacheSink: @unchecked Sendable {
    // @unchecked: used by the one task that streams the response.
    private let cache: DiskCache
    private let name: String
    private let partial: String
    private var handle: FileHandle?

    init(cache: DiskCache, name: String) {
        self.cache = cache
        self.name = name
        partial = cache.partialPath()
        handle =
            FileManager.default.createFile(atPath: partial, contents: nil) ? FileHandle(forWritingAtPath: partial) : nil
        if handle == nil { cache.writeFailed() }
    }

    func append(_ bytes: [UInt8]) {
        guard let handle else { return }
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            cache.writeFailed()
            discard()  // a full disk costs the cache entry, never the stream
        }
    }

    func commit() async {
        guard let handle else { return }
        self.handle = nil
        do {
            try handle.close()
        } catch {
            cache.writeFailed()
            try? FileManager.default.removeItem(atPath: partial)
            return
        }
        try? await cache.commit(partial: partial, as: name)
    }

    func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: partial)
    }

    deinit { if handle != nil { discard() } }
}
