import CantoCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `stat` says about one path (following symlinks).
struct FileStatus: Sendable, Equatable {
    enum Kind: Sendable { case directory, regular, other }
    var kind: Kind
    var size: Int64
    var modifiedAt: Date
    /// Device and inode, to notice a directory seen before through a symlink loop.
    var identity: DirectoryIdentity

    static func of(_ path: String) -> Result<FileStatus, FileSystemError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(FileSystemError(errno: errno)) }
        let kind: Kind =
            switch info.st_mode & S_IFMT {
            case S_IFDIR: .directory
            case S_IFREG: .regular
            default: .other
            }
        let seconds = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        // Whole milliseconds: the value round-trips through SQLite's DATETIME exactly.
        // Held to the stored range: a file dated before 1970 or after 9999 (a broken clock, a
        // hostile archive) is still scanned; its time only decides whether it changed.
        let stored = min(
            max(seconds, StoredTime.earliest.timeIntervalSince1970), StoredTime.latest.timeIntervalSince1970)
        let modified = Date(timeIntervalSince1970: (stored * 1000).rounded(.down) / 1000)
        return .success(
            FileStatus(
                kind: kind, size: Int64(info.st_size), modifiedAt: modified,
                identity: DirectoryIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))))
    }
}

extension FileStatus {
    /// Modification times match to the millisecond (the catalog's precision).
    static func sameTime(_ a: Date, _ b: Date) -> Bool {
        (a.timeIntervalSince1970 * 1000).rounded() == (b.timeIntervalSince1970 * 1000).rounded()
    }
}

struct DirectoryIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
}

/// An `errno` with its text, for log lines and the scan summary.
struct FileSystemError: Error, Sendable, CustomStringConvertible {
    var errno: Int32
    var description: String { String(cString: strerror(errno)) }
}

enum DirectoryListing {
    /// The names in a directory, without "." and "..", hidden entries left out.
    static func names(in path: String) -> Result<[String], FileSystemError> {
        guard let dir = opendir(path) else { return .failure(FileSystemError(errno: errno)) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        return .success(names.sorted())
    }
}

/// A sample of a file's bytes (start, middle, end) and its size, hashed: the same file moved
/// or renamed gives the same value without reading all of it.
enum ContentHash {
    static let sampleSize = 16 * 1024

    /// Read with `pread` into one buffer: Foundation's `FileHandle` (a seek, a `Data` and a copy
    /// each sample) was a fifth of the hash's time in a first scan.
    static func of(path: String, size: Int64) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileSystemError(errno: errno) }
        defer { close(descriptor) }
        let offsets: [Int64] =
            size <= Int64(3 * sampleSize) ? [0] : [0, size / 2 - Int64(sampleSize / 2), size - Int64(sampleSize)]
        let count = size <= Int64(3 * sampleSize) ? Int(size) : sampleSize
        var bytes = [UInt8](repeating: 0, count: 8 + offsets.count * count)
        withUnsafeBytes(of: size.littleEndian) { size in
            for (index, byte) in size.enumerated() { bytes[index] = byte }
        }
        var filled = 8
        try bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            for offset in offsets {
                // Up to `count` bytes, fewer at the end of a file that shrank since its stat.
                var got = 0
                while got < count {
                    let read = pread(
                        descriptor, base + filled + got, count - got, off_t(offset) + off_t(got))
                    if read < 0 {
                        if errno == EINTR { continue }
                        throw FileSystemError(errno: errno)
                    }
                    if read == 0 { break }
                    got += read
                }
                filled += got
            }
        }
        return bytes.withUnsafeBytes { StableHash.hex128(UnsafeRawBufferPointer(rebasing: $0[..<filled])) }
    }
}

/// The part of a file name after its last dot, as `NSString.pathExtension` gives it for a name
/// without slashes ("" for none, or when the dot leads or ends the name), without Foundation.
enum FileName {
    static func suffix(_ name: String) -> String {
        let bytes = name.utf8
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot != bytes.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }
}
