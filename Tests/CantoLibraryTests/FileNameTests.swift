import CantoMedia
import CantoStore
import CantoTestSupport
import Foundation
import Logging
import Testing

@testable import CantoCore
@testable import CantoLibrary

/// The scanner's own versions of Foundation's path, folding and file-reading calls give the same
/// results to the byte: IDs and content hashes stored by earlier versions stay valid.
@Suite("Scanner's text and hashing")
struct FileNameTests {
    /// The tag readers run below the writer they feed and the server's requests.
    @Test func theTagReadersRunAtLowPriority() async throws {
        let folder = try TemporaryDirectory(prefix: "canto-scanner-pool")
        let catalog = CatalogRepository(database: try CantoDatabase(dataDirectory: folder.url))
        let scanner = LibraryScanner(catalog: catalog, options: ScanOptions(), logger: Logger(label: "test"))
        #expect(scanner.pool.lowPriority)
        #expect(scanner.pool.threads == ScanOptions().concurrency)
    }

    @Test func aSuffixIsWhatNSStringCallsThePathExtension() {
        let names = [
            "a.mp3", "A.FLAC", "a..mp3", "a.", "noext", "x.tar.gz", "ü.flac", "a b.m p3", "a.mp3 ", "a. mp3",
            "..mp3", "a.b.", "日本語.ogg", "track.😀", "a.b c", "e\u{301}.m4a", "tab\t.opus",
        ]
        for name in names {
            #expect(FileName.suffix(name) == (name as NSString).pathExtension, "\(name)")
        }
    }

    @Test func asciiFoldingIsFoundationsToTheByte() {
        var generator = SystemRandomNumberGenerator()
        var samples = ["  The Beatles ", "AC/DC", "\tP!NK\n", "\u{0B}\u{0C}x\r", "", "   ", "\u{1F}unit\u{1C}", "M83"]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...12, using: &generator)
            samples.append(
                String(
                    decoding: (0..<length).map { _ in UInt8.random(in: 0...0x7F, using: &generator) },
                    as: UTF8.self))
        }
        for text in samples {
            let foundation = text.folding(
                options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(SortKey.asciiFolded(text) == foundation, "\(Array(text.utf8))")
            #expect(SortKey.folded(text) == foundation)
        }
        #expect(SortKey.asciiFolded("Björk") == nil)
        #expect(SortKey.folded(" Björk ") == "bjork")
    }

    /// The hash as it was computed before (`FileHandle`, a seek and a read a sample).
    static func hashAsBefore(path: String, size: Int64) throws -> String {
        let sample = ContentHash.sampleSize
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        var bytes = [UInt8]()
        withUnsafeBytes(of: size.littleEndian) { bytes.append(contentsOf: $0) }
        let small = size <= Int64(3 * sample)
        for offset in small ? [0] : [0, size / 2 - Int64(sample / 2), size - Int64(sample)] {
            try handle.seek(toOffset: UInt64(offset))
            if let data = try handle.read(upToCount: small ? Int(size) : sample) { bytes.append(contentsOf: data) }
        }
        return StableHash.hex128(bytes: bytes)
    }

    @Test func theContentHashIsTheOneStoredBefore() throws {
        let folder = try TemporaryDirectory(prefix: "canto-hash")
        let sample = ContentHash.sampleSize
        for size in [1, 100, 3 * sample - 1, 3 * sample, 3 * sample + 1, 5 * sample + 7, 1_000_003] {
            let path = folder.url.appendingPathComponent("f\(size)").path
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(
                try ContentHash.of(path: path, size: Int64(size)) == Self.hashAsBefore(path: path, size: Int64(size)))
        }
        #expect(throws: FileSystemError.self) {
            try ContentHash.of(path: folder.url.appendingPathComponent("missing").path, size: 10)
        }
    }
}
