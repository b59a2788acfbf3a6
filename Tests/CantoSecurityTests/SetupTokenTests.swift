import CantoSecurity
import Testing

@Suite struct SetupTokenTests {
    @Test func generatedTokenMatchesOnlyItsOwnHash() {
        let setup = SetupToken.generate()
        #expect(Tokens.isWellFormed(setup.token))
        #expect(setup.hash == Tokens.hash(setup.token))
        #expect(setup.hash != setup.token)
        #expect(SetupToken.matches(setup.token, storedHash: setup.hash))

        let other = SetupToken.generate()
        #expect(other.token != setup.token)
        #expect(!SetupToken.matches(other.token, storedHash: setup.hash))
        #expect(!SetupToken.matches("", storedHash: setup.hash))
        // Only the token opens it, never the stored hash itself.
        #expect(!SetupToken.matches(setup.hash, storedHash: setup.hash))
    }
}
