import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The key behind `SecretBox`: 32 random bytes in a file only its owner can read.
enum KeyFile {
    static let byteCount = 32

    /// The key in `path`, made (with `makeKey`) when the file does not exist yet.
    static func loadOrCreate(at path: String, makeKey: () -> [UInt8]) throws(SecretBoxError) -> [UInt8] {
        if let key = try read(at: path) { return key }
        let key = makeKey()
        if try create(at: path, bytes: key) { return key }
        // Someone else created it between our read and our create: use theirs.
        guard let key = try read(at: path) else { throw .fileSystem(path: path, operation: "open", errno: ENOENT) }
        return key
    }

    /// The key, nil when there is no file; throws when the file is unsafe or malformed.
    static func read(at path: String) throws(SecretBoxError) -> [UInt8]? {
        // Non-blocking, so a FIFO in place of the key cannot hang the start; fstat refuses it next.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw .fileSystem(path: path, operation: "open", errno: errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .fileSystem(path: path, operation: "stat", errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .keyFileNotRegular(path: path) }
        let permissions = UInt32(status.st_mode & 0o777)
        guard permissions & 0o077 == 0 else { throw .keyFileNotPrivate(path: path, mode: permissions) }
        guard status.st_size == byteCount else { throw .keyFileWrongSize(path: path, bytes: Int(status.st_size)) }
        var key = [UInt8](repeating: 0, count: byteCount)
        var done = 0
        while done < byteCount {
            let count = key.withUnsafeMutableBytes {
                SystemCall.read(descriptor, $0.baseAddress! + done, byteCount - done)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { throw .keyFileWrongSize(path: path, bytes: done) }
                throw .fileSystem(path: path, operation: "read", errno: errno)
            }
            done += count
        }
        return key
    }

    /// Writes a new key file, created with mode 0600 in the same call so it is never readable
    /// by others, not even for a moment. Returns false when the file already exists.
    static func create(at path: String, bytes: [UInt8]) throws(SecretBoxError) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return false }
            throw .fileSystem(path: path, operation: "create", errno: errno)
        }
        var done = 0
        var failure: (operation: String, errno: Int32)?
        while done < bytes.count {
            let count = bytes.withUnsafeBytes {
                SystemCall.write(descriptor, $0.baseAddress! + done, bytes.count - done)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                failure = ("write", errno)
                break
            }
            done += count
        }
        if failure == nil, fsync(descriptor) != 0 { failure = ("fsync", errno) }
        close(descriptor)
        if let failure {
            // A half-written key would stop the next start: leave no file rather than a bad one.
            unlink(path)
            throw .fileSystem(path: path, operation: failure.operation, errno: failure.errno)
        }
        return true
    }
}

/// The C library's `read` and `write`, named apart from `KeyFile`'s own `read`.
private enum SystemCall {
    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
            Darwin.read(descriptor, buffer, count)
        #elseif canImport(Musl)
            Musl.read(descriptor, buffer, count)
        #else
            Glibc.read(descriptor, buffer, count)
        #endif
    }

    static func write(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
            Darwin.write(descriptor, buffer, count)
        #elseif canImport(Musl)
            Musl.write(descriptor, buffer, count)
        #else
            Glibc.write(descriptor, buffer, count)
        #endif
    }
}
