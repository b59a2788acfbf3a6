import CZlib
import Foundation
import NIOCore

/// What zlib refused, with its status code.
struct GzipError: Error, CustomStringConvertible {
    var code: Int32
    /// A member that ends before its trailer.
    static let truncated = GzipError(code: Z_DATA_ERROR)
    var description: String { "zlib failed with status \(code)" }
}

/// A gzip (RFC 1952) compressor through the system's zlib, fed a chunk at a time. One task uses
/// it; `finish()` ends the member and hands over what was written.
final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 1 << 16)

    /// A compressor at zlib's `level` (6, its default, trades a little speed for a smaller body).
    init(level: Int32 = 6) throws(GzipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 bits of window, plus 16: a gzip header and trailer instead of zlib's.
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw GzipError(code: status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `bytes` (what zlib holds back comes out with later chunks or at the finish).
    func compress(_ bytes: [UInt8]) throws(GzipError) {
        try run(bytes, flush: Z_NO_FLUSH)
    }

    /// Ends the gzip member and returns the whole of it.
    func finish() throws(GzipError) -> [UInt8] {
        try run([], flush: Z_FINISH)
        return output
    }

    private func run(_ bytes: [UInt8], flush: Int32) throws(GzipError) {
        var failure: Int32?
        bytes.withUnsafeBufferPointer { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            while failure == nil {
                let (status, produced) = zlibStep(stream, &scratch) { deflate($0, flush) }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    failure = status
                    break
                }
                output.append(contentsOf: scratch[0..<produced])
                // Done with this chunk when zlib had room to spare (or, finishing, wrote the trailer).
                if flush == Z_FINISH ? status == Z_STREAM_END : stream.pointee.avail_out != 0 { break }
            }
            stream.pointee.next_in = nil
        }
        if let failure { throw GzipError(code: failure) }
    }
}

/// A gzip decompressor through the system's zlib, fed a chunk at a time.
final class GzipDecompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch = [UInt8](repeating: 0, count: 1 << 17)
    private var ended = false

    init() throws(GzipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw GzipError(code: status)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// The bytes `chunk` inflates to (with what earlier chunks left pending). Bytes after the end
    /// of the member, or a corrupt member, are an error.
    func decompress(_ chunk: ByteBuffer) throws(GzipError) -> ByteBuffer {
        var out = ByteBuffer()
        var failure: Int32?
        chunk.withUnsafeReadableBytes { input in
            guard !ended || input.isEmpty else {
                failure = Z_DATA_ERROR
                return
            }
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(input.count)
            while !ended {
                let (status, produced) = zlibStep(stream, &scratch) { inflate($0, Z_NO_FLUSH) }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    failure = status
                    break
                }
                out.writeBytes(scratch[0..<produced])
                if status == Z_STREAM_END {
                    ended = true
                    if stream.pointee.avail_in != 0 { failure = Z_DATA_ERROR }
                }
                if stream.pointee.avail_out != 0 { break }
            }
            stream.pointee.next_in = nil
        }
        if let failure { throw GzipError(code: failure) }
        return out
    }

    /// Whether the member's end (its trailer, checked) has been read.
    var isComplete: Bool { ended }
}

/// One call of zlib (`call`, deflate or inflate) writing into the whole of `scratch`: its status
/// and how many bytes it wrote there.
private func zlibStep(
    _ stream: UnsafeMutablePointer<z_stream>, _ scratch: inout [UInt8],
    _ call: (UnsafeMutablePointer<z_stream>) -> Int32
) -> (status: Int32, produced: Int) {
    let capacity = scratch.count
    return scratch.withUnsafeMutableBufferPointer { out in
        stream.pointee.next_out = out.baseAddress
        stream.pointee.avail_out = UInt32(capacity)
        let status = call(stream)
        return (status, capacity - Int(stream.pointee.avail_out))
    }
}

/// `Accept-Encoding` (RFC 9110 §12.5.3): whether the client takes gzip. `gzip`, `x-gzip` or `*`
/// with a weight above zero say yes; no header, or `gzip;q=0`, say no.
enum AcceptEncoding {
    static func allowsGzip(_ fields: [String]) -> Bool {
        var gzip: Bool?
        var any: Bool?
        for field in fields {
            for item in field.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let name = parts.first, !name.isEmpty else { continue }
                var weight = 1.0
                for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                    weight = Double(parameter.dropFirst(2)) ?? 0
                }
                switch name {
                case "gzip", "x-gzip": gzip = weight > 0
                case "*": any = weight > 0
                default: break
                }
            }
        }
        return gzip ?? any ?? false
    }
}
