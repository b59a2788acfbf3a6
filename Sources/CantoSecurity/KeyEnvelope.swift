import Crypto
import CryptoExtras
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the server's key could not be put in a backup or taken out of one.
public enum KeyEnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The passphrase is empty.
    case emptyPassphrase
    /// The envelope was sealed with another passphrase, or was changed.
    case wrongPassphrase
    /// The bytes are not an envelope this version of Canto writes.
    case malformed
    /// The key file could not be read or written.
    case keyFile(SecretBoxError)

    /// A sentence for the command line and the log.
    public var description: String {
        switch self {
        case .emptyPassphrase: "the passphrase is empty"
        case .wrongPassphrase: "the passphrase is wrong, or the sealed key was changed"
        case .malformed: "the sealed key is damaged or in an unknown format"
        case .keyFile(let error): error.description
        }
    }
}

/// The server's key (`secret.key`, behind `SecretBox`) sealed with a passphrase, so a backup can
/// carry it: without the key, the secrets sealed with it (app passwords, plugin tokens, webhook
/// secrets) cannot be opened.
///
/// The passphrase is stretched with scrypt (N = 2^15, r = 8, p = 1: memory-hard, about 32 MB) and
/// a random 16-byte salt; the key is sealed with AES-256-GCM under the result. The envelope is
/// `"CANTOKEY1"`, the salt, the scrypt cost as log2 N (one byte), then the sealed box.
public enum KeyEnvelope {
    private static let magic = Data("CANTOKEY1".utf8)
    private static let saltCount = 16
    private static let logCost: UInt8 = 15

    /// Seals the key in `keyFile` with `passphrase`. Throws when the key file is missing or unsafe.
    public static func seal(keyFile: URL, passphrase: String) throws(KeyEnvelopeError) -> Data {
        guard !passphrase.isEmpty else { throw .emptyPassphrase }
        let key: [UInt8]
        do throws(SecretBoxError) {
            guard let read = try KeyFile.read(at: keyFile.path) else {
                throw SecretBoxError.fileSystem(path: keyFile.path, operation: "open", errno: ENOENT)
            }
            key = read
        } catch {
            throw .keyFile(error)
        }
        var salt = [UInt8](repeating: 0, count: saltCount)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let sealing = try derive(passphrase: passphrase, salt: salt, logCost: logCost)
        guard let box = try? AES.GCM.seal(key, using: sealing), let combined = box.combined else { throw .malformed }
        return magic + Data(salt) + Data([logCost]) + combined
    }

    /// Opens `envelope` with `passphrase` and writes the key to `keyFile` (mode 0600), replacing
    /// the file there in one rename.
    public static func restore(_ envelope: Data, passphrase: String, to keyFile: URL) throws(KeyEnvelopeError) {
        let key = try open(envelope, passphrase: passphrase)
        let temporary = keyFile.deletingLastPathComponent()
            .appendingPathComponent(".\(keyFile.lastPathComponent).\(UUID().uuidString)")
        do throws(SecretBoxError) {
            guard try KeyFile.create(at: temporary.path, bytes: key) else {
                throw SecretBoxError.fileSystem(path: temporary.path, operation: "create", errno: EEXIST)
            }
        } catch {
            throw .keyFile(error)
        }
        guard rename(temporary.path, keyFile.path) == 0 else {
            let failure = errno
            unlink(temporary.path)
            throw .keyFile(.fileSystem(path: keyFile.path, operation: "rename", errno: failure))
        }
    }

    /// Checks that `passphrase` opens `envelope`, without writing anything.
    public static func check(_ envelope: Data, passphrase: String) throws(KeyEnvelopeError) {
        _ = try open(envelope, passphrase: passphrase)
    }

    /// Whether the key file in `dataDirectory` exists; throws when it is there but unsafe (others
    /// may read it) or malformed, as `SecretBox` would refuse it at start.
    public static func keyFileExists(in dataDirectory: URL) throws(SecretBoxError) -> Bool {
        try KeyFile.read(at: dataDirectory.appendingPathComponent(SecretBox.keyFileName).path) != nil
    }

    /// The key sealed in `envelope`.
    static func open(_ envelope: Data, passphrase: String) throws(KeyEnvelopeError) -> [UInt8] {
        guard !passphrase.isEmpty else { throw .emptyPassphrase }
        let bytes = Data(envelope)
        let header = magic.count + saltCount + 1
        guard bytes.count > header, bytes.prefix(magic.count) == magic else { throw .malformed }
        let salt = Array(bytes[magic.count..<magic.count + saltCount])
        let cost = bytes[magic.count + saltCount]
        // A cost this version would not write is refused rather than tried (2^20 is 1 GB).
        guard (10...20).contains(cost) else { throw .malformed }
        let sealing = try derive(passphrase: passphrase, salt: salt, logCost: cost)
        guard let box = try? AES.GCM.SealedBox(combined: bytes.dropFirst(header)) else { throw .malformed }
        guard let key = try? AES.GCM.open(box, using: sealing), key.count == KeyFile.byteCount else {
            throw .wrongPassphrase
        }
        return Array(key)
    }

    private static func derive(passphrase: String, salt: [UInt8], logCost: UInt8) throws(KeyEnvelopeError)
        -> SymmetricKey
    {
        let rounds = 1 << Int(logCost)
        do {
            return try KDF.Scrypt.deriveKey(
                from: Data(passphrase.utf8), salt: salt, outputByteCount: 32, rounds: rounds, blockSize: 8,
                parallelism: 1, maxMemory: 160 * rounds * 8)
        } catch {
            throw .malformed
        }
    }
}
