import CantoSecurity
import CantoTestSupport
import Foundation
import Testing

@Suite struct SecretBoxTests {
    static func mode(of url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    /// Writes a key file with the given bytes and permissions, as a careless admin might.
    static func writeKeyFile(in directory: TemporaryDirectory, bytes: Int, mode: Int) throws -> URL {
        let url = directory.appending(SecretBox.keyFileName)
        try Data(repeating: 7, count: bytes).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    @Test func sealedSecretsRoundTrip() throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let box = try SecretBox(dataDirectory: directory.url)
        let secret = Data("AppPassword-24-characters".utf8)

        let sealed = try box.seal(secret)
        #expect(sealed.count == secret.count + 28)  // 12-byte nonce + 16-byte tag
        #expect(sealed.range(of: secret) == nil)
        #expect(try box.open(sealed) == secret)
        // A fresh nonce each time: the same secret never seals the same way twice.
        #expect(try box.seal(secret) != sealed)
        #expect(try box.open(box.seal(Data())) == Data())
    }

    @Test func tamperedOrTruncatedBytesDoNotOpen() throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let box = try SecretBox(dataDirectory: directory.url)
        let sealed = try box.seal(Data("secret".utf8))

        // One flipped bit anywhere: nonce, ciphertext or tag.
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: SecretBoxError.cannotOpen) { try box.open(tampered) }
        }
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(sealed.dropLast()) }
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(Data()) }
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(Data("plain text".utf8)) }
    }

    @Test func keyFileIsCreatedPrivateAndFullSize() throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let data = directory.appending("data/nested")
        _ = try SecretBox(dataDirectory: data)

        let keyFile = data.appendingPathComponent("secret.key")
        #expect(try Self.mode(of: keyFile) == 0o600)
        let key = try Data(contentsOf: keyFile)
        #expect(key.count == 32)
        #expect(key != Data(repeating: 0, count: 32))
    }

    @Test func theSameKeyServesEveryInstance() throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let sealed = try SecretBox(dataDirectory: directory.url).seal(Data("kept".utf8))
        let keyBefore = try Data(contentsOf: directory.appending(SecretBox.keyFileName))

        let reopened = try SecretBox(dataDirectory: directory.url)
        #expect(try reopened.open(sealed) == Data("kept".utf8))
        #expect(try Data(contentsOf: directory.appending(SecretBox.keyFileName)) == keyBefore)
        #expect(try SecretBox(keyFile: directory.appending(SecretBox.keyFileName)).open(sealed) == Data("kept".utf8))

        let elsewhere = try TemporaryDirectory(prefix: "canto-security")
        #expect(throws: SecretBoxError.cannotOpen) { try SecretBox(dataDirectory: elsewhere.url).open(sealed) }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606, 0o666])
    func keyFileReadableByOthersIsRefused(mode: Int) throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let url = try Self.writeKeyFile(in: directory, bytes: 32, mode: mode)
        #expect(throws: SecretBoxError.keyFileNotPrivate(path: url.path, mode: UInt32(mode))) {
            try SecretBox(dataDirectory: directory.url)
        }
        // Refused, not repaired: the file is as it was.
        #expect(try Self.mode(of: url) == mode)
    }

    @Test(arguments: [0, 16, 31, 33, 64])
    func keyFileOfTheWrongSizeIsRefused(bytes: Int) throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let url = try Self.writeKeyFile(in: directory, bytes: bytes, mode: 0o600)
        #expect(throws: SecretBoxError.keyFileWrongSize(path: url.path, bytes: bytes)) {
            try SecretBox(dataDirectory: directory.url)
        }
    }

    @Test func anOwnerOnlyKeyFileWrittenByHandIsUsed() throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        _ = try Self.writeKeyFile(in: directory, bytes: 32, mode: 0o400)
        let box = try SecretBox(dataDirectory: directory.url)
        #expect(try box.open(box.seal(Data("x".utf8))) == Data("x".utf8))
    }

    @Test func aDirectoryInPlaceOfTheKeyIsRefused() throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let url = directory.appending(SecretBox.keyFileName)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
        #expect(throws: SecretBoxError.keyFileNotRegular(path: url.path)) {
            try SecretBox(dataDirectory: directory.url)
        }
    }

    @Test func aFIFOInPlaceOfTheKeyIsRefusedWithoutHanging() throws {
        let directory = try TemporaryDirectory(prefix: "canto-security")
        let url = directory.appending(SecretBox.keyFileName)
        #expect(mkfifo(url.path, 0o600) == 0)
        #expect(throws: SecretBoxError.keyFileNotRegular(path: url.path)) {
            try SecretBox(dataDirectory: directory.url)
        }
    }
}
