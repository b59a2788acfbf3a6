import CantoSecurity
import Testing

@Suite struct TokensTests {
    static let base64URL = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func sessionTokensAre256BitBase64URLWithoutPadding() {
        let tokens = (0..<1000).map { _ in Tokens.sessionToken() }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect(token.count == 43)
            #expect(token.allSatisfy(Self.base64URL.contains))
            #expect(Tokens.isWellFormed(token))
        }
        // Every character of the alphabet turns up somewhere in 43,000 of them.
        #expect(Set(tokens.joined()) == Self.base64URL)
    }

    @Test func randomBytesCoverEveryValue() {
        let bytes = Tokens.randomBytes(count: 32_000)
        #expect(bytes.count == 32_000)
        #expect(Set(bytes).count == 256)
        // About half the bits are set (expected 128,000; six standard deviations is ±2,400).
        let ones = bytes.reduce(0) { $0 + $1.nonzeroBitCount }
        #expect((125_600...130_400).contains(ones))
    }

    @Test func wellFormedTokensHaveTheRightLengthAndAlphabet() {
        #expect(!Tokens.isWellFormed(""))
        #expect(!Tokens.isWellFormed(String(repeating: "a", count: 42)))
        #expect(!Tokens.isWellFormed(String(repeating: "a", count: 44)))
        #expect(!Tokens.isWellFormed(String(repeating: "a", count: 42) + "="))
        #expect(!Tokens.isWellFormed(String(repeating: "a", count: 42) + "+"))
        #expect(Tokens.isWellFormed(String(repeating: "a", count: 42) + "_"))
    }

    @Test func hashIsStableLowercaseSHA256Hex() {
        #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Tokens.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let token = Tokens.sessionToken()
        #expect(Tokens.hash(token) == Tokens.hash(token))
        #expect(Tokens.hash(token).count == 64)
        #expect(Tokens.hash(token) != Tokens.hash(Tokens.sessionToken()))
    }

    @Test func constantTimeEqualCompares() {
        #expect(Tokens.constantTimeEqual("", ""))
        #expect(Tokens.constantTimeEqual("same value", "same value"))
        #expect(!Tokens.constantTimeEqual("same value", "same valuE"))
        #expect(!Tokens.constantTimeEqual("Same value", "same value"))
        #expect(!Tokens.constantTimeEqual("short", "shorter"))
        #expect(!Tokens.constantTimeEqual("", "x"))
        #expect(Tokens.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Tokens.constantTimeEqual([1, 2, 3], [1, 2, 4]))
    }

    @Test func appPasswordsUseTheUnambiguousAlphabet() {
        let passwords = (0..<500).map { _ in Tokens.appPassword() }
        #expect(Set(passwords).count == passwords.count)
        let alphabet = Set(Tokens.appPasswordAlphabet)
        for password in passwords {
            #expect(password.count == 24)
            #expect(password.allSatisfy(alphabet.contains))
        }
        #expect(alphabet.isDisjoint(with: "0O1lIio"))
        #expect(Tokens.appPassword(length: 32).count == 32)
    }

    @Test func apiKeysCarryTheirPrefix() {
        let keys = (0..<500).map { _ in Tokens.apiKey() }
        #expect(Set(keys).count == keys.count)
        for key in keys {
            #expect(key.hasPrefix("canto_"))
            #expect(key.count == 6 + 43)
            #expect(key.dropFirst(6).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
    }

    @Test func identifiersAreShortLowercaseAndUnique() {
        let identifiers = (0..<1000).map { _ in Tokens.identifier() }
        #expect(Set(identifiers).count == identifiers.count)
        for identifier in identifiers {
            #expect(identifier.count == 20)
            #expect(identifier.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) })
        }
    }
}
