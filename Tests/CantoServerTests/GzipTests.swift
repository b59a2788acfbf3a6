import Foundation
import NIOCore
import Testing

@testable import CantoServer

/// The gzip kept answers are compressed and inflated with, and the `Accept-Encoding` reading.
@Suite("Gzip")
struct GzipTests {
    /// Bytes compressed in uneven chunks inflate to the same bytes, whatever chunks they are read in.
    @Test func whatIsCompressedInflatesToTheSameBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let words = ["Sigur Rós ", "坂本龍一 ", "{\"id\":\"ar", "\",\"name\":\"", "ABBA"]
        var input: [UInt8] = []
        while input.count < 400_000 {
            input += Array(words[Int.random(in: 0..<words.count, using: &generator)].utf8)
            input.append(UInt8.random(in: 0...255, using: &generator))
        }
        let compressor = try GzipCompressor()
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + Int.random(in: 1...70_000, using: &generator))
            try compressor.compress(Array(input[offset..<end]))
            offset = end
        }
        let gzip = try compressor.finish()
        #expect(gzip.count < input.count / 2 && gzip.starts(with: [0x1f, 0x8b]))
        for size in [1, 7, 4_096, gzip.count] {
            let decompressor = try GzipDecompressor()
            var output: [UInt8] = []
            var rest = ByteBuffer(bytes: gzip)
            while let chunk = rest.readSlice(length: min(size, rest.readableBytes)), chunk.readableBytes > 0 {
                output += Array(try decompressor.decompress(chunk).readableBytesView)
            }
            #expect(decompressor.isComplete && output == input, "chunks of \(size)")
        }
        // An empty body is a member too.
        let empty = try GzipCompressor().finish()
        let decompressor = try GzipDecompressor()
        #expect(try decompressor.decompress(ByteBuffer(bytes: empty)).readableBytes == 0 && decompressor.isComplete)
    }

    /// A member cut short is not complete; a corrupt one, or bytes after the end, are errors.
    @Test func aDamagedMemberIsAnError() throws {
        let compressor = try GzipCompressor()
        try compressor.compress(Array(repeating: UInt8(ascii: "a"), count: 10_000))
        let gzip = try compressor.finish()
        let cut = try GzipDecompressor()
        _ = try cut.decompress(ByteBuffer(bytes: gzip.dropLast(4)))
        #expect(!cut.isComplete)
        var corrupt = gzip
        corrupt[12] ^= 0xff
        #expect(throws: GzipError.self) { _ = try GzipDecompressor().decompress(ByteBuffer(bytes: corrupt)) }
        #expect(throws: GzipError.self) { _ = try GzipDecompressor().decompress(ByteBuffer(bytes: gzip + [1, 2])) }
    }

    @Test func acceptEncodingIsReadAsRFC9110Says() {
        #expect(AcceptEncoding.allowsGzip(["gzip, deflate, br"]))
        #expect(AcceptEncoding.allowsGzip(["br", "GZIP;q=0.5"]))
        #expect(AcceptEncoding.allowsGzip(["x-gzip"]))
        #expect(AcceptEncoding.allowsGzip(["*"]))
        #expect(!AcceptEncoding.allowsGzip([]))
        #expect(!AcceptEncoding.allowsGzip(["identity"]))
        #expect(!AcceptEncoding.allowsGzip(["gzip;q=0"]))
        #expect(!AcceptEncoding.allowsGzip(["gzip;q=0.000, *"]))
        #expect(!AcceptEncoding.allowsGzip(["*;q=0"]))
        #expect(!AcceptEncoding.allowsGzip(["gzip;q=zero"]))
    }
}
