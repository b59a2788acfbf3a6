import CantoCore
import CantoMedia
import CantoTestSupport
import Foundation
import Testing

/// Cover scaling with libavcodec and libswscale: sizes, aspect, formats, bad input, fuzzing.
@Suite("Image scaler")
struct ImageScalerTests {
    static func image(_ filter: String, _ name: String) throws -> [UInt8] {
        let directory = try TemporaryDirectory(prefix: "canto-image")
        let file = directory.appending(name)
        try FFmpegTool.run(["-f", "lavfi", "-i", filter, "-frames:v", "1", file.path])
        return try [UInt8](Data(contentsOf: file))
    }

    @Test(arguments: [
        ("testsrc=size=1200x800", "wide.jpg", 300, 200), ("testsrc=size=400x1000", "tall.png", 120, 300),
        ("testsrc=size=200x200", "small.webp", 200, 200), ("testsrc=size=640x480", "frame.bmp", 300, 225),
        ("testsrc=size=500x500", "anim.gif", 300, 300),
    ])
    func scalesToTheLongerSideKeepingTheAspect(filter: String, name: String, width: Int, height: Int) throws {
        let scaled = try ImageScaler.scale(try Self.image(filter, name), maxSize: 300)
        #expect(scaled.width == width && scaled.height == height)
        #expect(Array(scaled.bytes.prefix(3)) == [0xFF, 0xD8, 0xFF])
        // It decodes back, at that size.
        let again = try ImageScaler.scale(scaled.bytes, maxSize: 0)
        #expect(again.width == width && again.height == height)
    }

    @Test func webpWhenTheBuildHasAnEncoder() throws {
        try #require(ImageFormat.webp.isAvailable)
        let scaled = try ImageScaler.scale(try Self.image("testsrc=size=800x600", "a.jpg"), maxSize: 400, format: .webp)
        #expect(String(decoding: scaled.bytes[8..<12], as: UTF8.self) == "WEBP")
        #expect(scaled.width == 400 && scaled.height == 300)
    }

    @Test func transparentAreasBecomeWhiteInJPEG() throws {
        let png = try Self.image("color=c=black@0.0:s=64x64,format=rgba", "clear.png")
        let scaled = try ImageScaler.scale(png, maxSize: 32)
        // Decode the JPEG to raw grey pixels with the ffmpeg tool and look at one.
        let directory = try TemporaryDirectory(prefix: "canto-image")
        let jpeg = directory.appending("out.jpg")
        let raw = directory.appending("out.gray")
        try Data(scaled.bytes).write(to: jpeg)
        try FFmpegTool.run(["-i", jpeg.path, "-f", "rawvideo", "-pix_fmt", "gray", raw.path])
        let pixels = try [UInt8](Data(contentsOf: raw))
        #expect(pixels.count == 32 * 32)
        #expect((pixels.min() ?? 0) > 240)
    }

    @Test func notAnImageAndEmptyInputThrow() {
        #expect(throws: ImageError.self) { try ImageScaler.scale(Array("hello, world".utf8), maxSize: 100) }
        #expect(throws: ImageError.self) { try ImageScaler.scale([], maxSize: 100) }
    }

    /// A few hundred damaged images: each scales or throws. `canto-bench fuzz` runs many more.
    @Test func mutatedImagesNeverCrash() throws {
        let originals = [
            try Self.image("testsrc=size=300x200", "a.jpg"), try Self.image("testsrc=size=300x200", "a.png"),
            try Self.image("testsrc=size=300x200", "a.webp"), try Self.image("testsrc=size=100x80", "a.gif"),
        ]
        var random = SeededGenerator(seed: 11)
        var outcomes = (scaled: 0, failed: 0)
        for original in originals {
            for _ in 0..<75 {
                do {
                    _ = try ImageScaler.scale(Mutation.apply(to: original, using: &random), maxSize: 64)
                    outcomes.scaled += 1
                } catch {
                    outcomes.failed += 1
                }
            }
        }
        #expect(outcomes.scaled + outcomes.failed == 300)
        #expect(outcomes.failed > 0)
    }
}
