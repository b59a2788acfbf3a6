import Crypto
public import Foundation

/// Seals small secrets (the Subsonic app passwords) with AES-256-GCM so the database alone
/// does not give them away. The key lives in `secret.key` in the data folder, made on first
/// use with mode 0600; back it up with the database, or sealed secrets cannot be opened.
public struct SecretBox: Sendable {
    /// The key file's name inside the data folder.
    public static let keyFileName = "secret.key"

    private let key: SymmetricKey

    /// Opens the key in `dataDirectory/secret.key`, creating the folder and the key when missing.
    ///
    /// Throws `SecretBoxError` when the key file can be read by group or others, does not hold
    /// exactly 32 bytes, or cannot be read or written: the server must not start then.
    public init(dataDirectory: URL) throws(SecretBoxError) {
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw .fileSystem(path: dataDirectory.path, operation: "mkdir", errno: Int32(underlying?.code ?? Int(EIO)))
        }
        try self.init(keyFile: dataDirectory.appendingPathComponent(Self.keyFileName))
    }

    /// Opens the key in `keyFile`, creating it (mode 0600) when missing; its folder must exist.
    public init(keyFile: URL) throws(SecretBoxError) {
        let bytes = try KeyFile.loadOrCreate(at: keyFile.path) {
            SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        }
        key = SymmetricKey(data: bytes)
    }

    /// `plaintext` sealed with a fresh random nonce: nonce, ciphertext and tag in one
    /// (`AES.GCM.SealedBox.combined`), 28 bytes longer than the plaintext.
    public func seal(_ plaintext: some DataProtocol) throws(SecretBoxError) -> Data {
        guard let box = try? AES.GCM.seal(plaintext, using: key), let combined = box.combined else {
            throw .cannotSeal
        }
        return combined
    }

    /// The plaintext of bytes from `seal(_:)`. Throws `SecretBoxError.cannotOpen` when they were
    /// changed, cut short, or sealed with another key.
    public func open(_ sealed: Data) throws(SecretBoxError) -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key)
        } catch {
            throw .cannotOpen
        }
    }

    /// A signature of `text` with a key derived from the box's (for links the server hands out
    /// and later checks, like public picture addresses): 32 hex digits.
    public func signature(of text: String) -> String {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Data("canto signed links".utf8), outputByteCount: 32)
        let code = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: derived)
        return code.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is `text`'s (compared in constant time).
    public func verify(_ signature: String, of text: String) -> Bool {
        let expected = Array(self.signature(of: text).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
