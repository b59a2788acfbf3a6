import CFFmpegShim

/// An image format Canto encodes covers to.
public enum ImageFormat: String, Sendable, Hashable {
    case jpeg, webp

    public var mimeType: String { self == .jpeg ? "image/jpeg" : "image/webp" }

    /// Whether this FFmpeg build can encode the format (WebP needs libwebp).
    public var isAvailable: Bool { canto_image_can_encode(rawValue) == 1 }
}

/// A scaled, encoded image.
public struct ScaledImage: Sendable {
    public var bytes: [UInt8]
    public var width: Int
    public var height: Int
    public var format: ImageFormat
}

/// Why an image could not be scaled (not an image, too large, corrupt).
public struct ImageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "image: \(message)" }
}

/// Decodes an image with libavcodec, scales it with libswscale and encodes it. Blocking: call
/// it from a `BlockingPool`.
public enum ImageScaler {
    /// `data` scaled so its longer side is at most `maxSize` (0 keeps the size; never
    /// upscaled), as `format` at `quality` (1-100).
    public static func scale(_ data: [UInt8], maxSize: Int, format: ImageFormat = .jpeg, quality: Int = 85)
        throws(ImageError) -> ScaledImage
    {
        _ = FFmpegProbe.quietLogs
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var width: Int32 = 0
        var height: Int32 = 0
        var error = [CChar](repeating: 0, count: 256)
        let rc = data.withUnsafeBufferPointer { input in
            canto_image_scale(
                input.baseAddress, input.count, Int32(clamping: maxSize), format.rawValue, Int32(clamping: quality),
                &output, &size, &width, &height, &error, error.count)
        }
        guard rc == 0, let output else {
            let message = String(cBuffer: error)
            throw ImageError(message: message.isEmpty ? "FFmpeg error \(rc)" : message)
        }
        defer { canto_free(output) }
        return ScaledImage(
            bytes: Array(UnsafeBufferPointer(start: output, count: size)), width: Int(width), height: Int(height),
            format: format)
    }
}
