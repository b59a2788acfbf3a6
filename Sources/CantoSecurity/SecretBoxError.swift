/// Why a `SecretBox` could not start, or a sealed secret could not be opened.
public enum SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key file can be read or written by its group or by others (`mode` is its permission bits).
    case keyFileNotPrivate(path: String, mode: UInt32)
    /// The key file does not hold exactly 32 bytes.
    case keyFileWrongSize(path: String, bytes: Int)
    /// The key path is a directory, socket or device, not a regular file.
    case keyFileNotRegular(path: String)
    /// A file system call failed with `errno`.
    case fileSystem(path: String, operation: String, errno: Int32)
    /// The sealed bytes are damaged, were sealed with another key, or are not sealed at all.
    case cannotOpen
    /// Sealing failed in the crypto library.
    case cannotSeal

    /// A sentence for the server's log; it names the key file but never shows the key.
    public var description: String {
        switch self {
        case .keyFileNotPrivate(let path, let mode):
            "the key file \(path) has mode \(String(mode, radix: 8)); only its owner may read it (chmod 600)"
        case .keyFileWrongSize(let path, let bytes):
            "the key file \(path) holds \(bytes) bytes, not 32"
        case .keyFileNotRegular(let path):
            "the key file \(path) is not a regular file"
        case .fileSystem(let path, let operation, let errno):
            "\(operation) \(path) failed (errno \(errno))"
        case .cannotOpen: "the sealed secret cannot be opened with this key"
        case .cannotSeal: "the secret could not be sealed"
        }
    }
}
