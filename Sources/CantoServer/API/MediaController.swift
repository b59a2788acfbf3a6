import CantoCore
import CantoMedia
import Foundation
import Hummingbird

/// Streams and cover images for the web UI: the same planner, transcoder and caches as the
/// Subsonic API, with query parameters instead of Subsonic's.
struct MediaController {
    let delivery: TrackDelivery
    let covers: CoverArtService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("tracks/:id/stream", use: stream)
        group.head("tracks/:id/stream", use: stream)
        group.get("covers/:id", use: cover)
    }

    /// `format` (raw, mp3, opus, aac, flac), `bitrate` (kbit/s cap), `offset` (seconds),
    /// `estimate` (send a Content-Length for a transcode).
    @Sendable func stream(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = TrackID(try context.parameters.require("id"))
        let query = request.uri.queryParameters
        var wanted = StreamRequest(format: query["format"].map(String.init), client: "web")
        if let text = query["bitrate"] {
            guard let bitrate = Int(text), (0...StreamRequest.maxBitRate).contains(bitrate) else {
                throw APIError.badRequest("bitrate must be kbit/s, 0 to \(StreamRequest.maxBitRate).")
            }
            wanted.maxBitRate = bitrate
        }
        if let text = query["offset"] {
            guard let seconds = Double(text), seconds.isFinite, (0...StreamRequest.maxOffsetSeconds).contains(seconds)
            else { throw APIError.badRequest("offset must be a number of seconds, at most a week.") }
            wanted.offsetSeconds = seconds
        }
        if let format = wanted.format, format != "raw", TranscodeFormat(rawValue: format) == nil {
            throw APIError.badRequest("format must be raw, mp3, opus, aac or flac.")
        }
        let mode = DeliveryMode.stream(wanted, listener: user, estimateContentLength: query["estimate"] == "true")
        guard
            let response = try await delivery.response(
                id, in: try context.requireCatalog(), as: mode, request: request, context: context)
        else { throw APIError.notFound }
        return response
    }

    /// `size` (pixels, longer side) and `format` (jpeg, webp).
    @Sendable func cover(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var size: Int?
        if let text = query["size"] {
            guard let value = Int(text), (1...CoverArtService.maxSize).contains(value) else {
                throw APIError.badRequest("size must be 1 to \(CoverArtService.maxSize) pixels.")
            }
            size = value
        }
        var format = ImageFormat.jpeg
        if let text = query["format"] {
            guard let value = ImageFormat(rawValue: String(text)), value.isAvailable else {
                throw APIError.badRequest("format must be jpeg or webp.")
            }
            format = value
        }
        let image = try await covers.image(
            for: try context.parameters.require("id"), size: size, format: format,
            in: try context.requireCatalog())
        return SubsonicMedia.image(
            Data(image.bytes), type: image.mimeType, keyedByContent: image.keyedByContent, for: request)
    }
}
