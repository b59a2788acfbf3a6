import CantoCore
import CantoSecurity
import CantoTestSupport
import Foundation
import Synchronization
import Testing

/// bcrypt that counts its calls, to tell a cached verification from a real one.
final class CountingVerifier: PasswordVerifier {
    let hasher: PasswordHasher
    private let counts = Mutex((verifications: 0, simulations: 0))

    init(_ hasher: PasswordHasher) { self.hasher = hasher }

    /// How many times `verify` ran bcrypt.
    var verifications: Int { counts.withLock { $0.verifications } }
    /// How many times `simulateVerification` ran bcrypt.
    var simulations: Int { counts.withLock { $0.simulations } }

    func verify(_ password: String, hash: String) async throws -> Bool {
        counts.withLock { $0.verifications += 1 }
        return try await hasher.verify(password, hash: hash)
    }

    func simulateVerification(of password: String) async {
        counts.withLock { $0.simulations += 1 }
        await hasher.simulateVerification(of: password)
    }
}

/// A user store with two users and one API key, and an authenticator over it, on a manual clock.
struct SubsonicFixture {
    static let loginPassword = "correct horse"
    /// The spec's example: md5("sesame" + "c19b2d") = 26719a1196d2a940705a59634eb18eab.
    static let appPassword = "sesame"
    static let bobPassword = "café-olé 1"

    let directory: TemporaryDirectory
    let store = MemoryAccounts()
    let secrets: SecretBox
    let hasher = PasswordHasher(cost: 4)
    let clock = ManualClock()
    let verifier: CountingVerifier
    let throttle: LoginThrottle?
    let alice = User(id: UserID("u-alice"), username: "alice", displayName: "Alice", role: .admin)
    let bob = User(id: UserID("u-bob"), username: "bob", displayName: "Bob", role: .user)
    let apiKey = Tokens.apiKey()
    let authenticator: SubsonicAuthenticator

    /// - Parameter throttled: whether failures count against a `LoginThrottle` (default policy).
    init(throttled: Bool = false) async throws {
        directory = try TemporaryDirectory(prefix: "canto-security")
        secrets = try SecretBox(dataDirectory: directory.url)
        verifier = CountingVerifier(hasher)
        throttle = throttled ? LoginThrottle(clock: clock) : nil
        authenticator = SubsonicAuthenticator(
            users: store, apiKeys: store, hasher: verifier, secrets: secrets, throttle: throttle, clock: clock)
        try await store.createUser(
            alice, passwordHash: try await hasher.hash(Self.loginPassword),
            sealedAppPassword: try secrets.seal(Data(Self.appPassword.utf8)))
        try await store.createUser(
            bob, passwordHash: try await hasher.hash(Self.bobPassword),
            sealedAppPassword: try secrets.seal(Data(Tokens.appPassword().utf8)))
        try await store.createAPIKey(
            APIKey(id: APIKeyID("k1"), userID: alice.id, name: "phone", createdAt: Date(), lastUsedAt: nil),
            keyHash: Tokens.hash(apiKey))
    }

    func authenticate(_ parameters: [String: String], address: String? = nil) async throws -> SubsonicAuthResult {
        try await authenticator.authenticate(SubsonicCredentials(parameters: parameters), address: address)
    }

    /// The user a result names, ignoring the last-seen time the authenticator updates.
    static func userID(_ result: SubsonicAuthResult) -> UserID? {
        guard case .authenticated(let user) = result else { return nil }
        return user.id
    }

    static func hex(_ text: String, uppercase: Bool = false) -> String {
        text.utf8.map { String(format: uppercase ? "%02X" : "%02x", $0) }.joined()
    }
}

@Suite struct SubsonicAuthenticatorTests {
    typealias Fixture = SubsonicFixture

    // MARK: p=

    @Test func loginPasswordInClearText() async throws {
        let fixture = try await Fixture()
        let result = try await fixture.authenticate(["u": "alice", "p": Fixture.loginPassword])
        #expect(Fixture.userID(result) == fixture.alice.id)
    }

    @Test func appPasswordInClearText() async throws {
        let fixture = try await Fixture()
        let result = try await fixture.authenticate(["u": "alice", "p": Fixture.appPassword])
        #expect(Fixture.userID(result) == fixture.alice.id)
    }

    @Test func hexEncodedPasswordsInEitherCase() async throws {
        let fixture = try await Fixture()
        // The spec's own example, lower case; py-sonic's upper case.
        #expect(Fixture.hex(Fixture.appPassword) == "736573616d65")
        for password in [
            "enc:736573616d65", "enc:736573616D65", "enc:" + Fixture.hex(Fixture.loginPassword),
            "enc:" + Fixture.hex(Fixture.loginPassword, uppercase: true),
        ] {
            let result = try await fixture.authenticate(["u": "alice", "p": password])
            #expect(Fixture.userID(result) == fixture.alice.id, "p=\(password)")
        }
    }

    @Test func hexOfUTF8AndOfLatin1CodePointsBothWork() async throws {
        let fixture = try await Fixture()
        // "café-olé 1" as UTF-8 bytes (DSub) and as one byte per code point (py-sonic).
        let utf8 = "enc:" + Fixture.hex(Fixture.bobPassword)
        let latin1 = "enc:636166E92D6F6CE92031"
        for password in [utf8, latin1] {
            let result = try await fixture.authenticate(["u": "bob", "p": password])
            #expect(Fixture.userID(result) == fixture.bob.id, "p=\(password)")
        }
    }

    @Test func wrongPasswordsAndUnknownUsersAreError40() async throws {
        let fixture = try await Fixture()
        for parameters in [
            ["u": "alice", "p": "wrong password"],
            ["u": "alice", "p": Fixture.loginPassword + " "],
            ["u": "alice", "p": "enc:" + Fixture.hex("wrong password")],
            ["u": "alice", "p": "enc:73657"],  // odd length
            ["u": "alice", "p": "enc:zz"],  // not hex
            ["u": "mallory", "p": Fixture.loginPassword],
            ["u": "bob", "p": Fixture.appPassword],  // Alice's app password is not Bob's
        ] {
            let result = try await fixture.authenticate(parameters)
            #expect(result == .failed(.wrongUsernameOrPassword), "\(parameters)")
        }
    }

    @Test func usernamesMatchAsTheStoreMatchesThem() async throws {
        let fixture = try await Fixture()
        let result = try await fixture.authenticate(["u": "ALICE", "p": Fixture.loginPassword])
        #expect(Fixture.userID(result) == fixture.alice.id)
    }

    // MARK: t= and s=

    @Test func tokenOfTheAppPasswordAndSalt() async throws {
        let fixture = try await Fixture()
        let parameters = ["u": "alice", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"]
        #expect(Fixture.userID(try await fixture.authenticate(parameters)) == fixture.alice.id)
        // Clients reuse a salt and token for every request (DSub caches them; py-sonic can pin them).
        #expect(Fixture.userID(try await fixture.authenticate(parameters)) == fixture.alice.id)
        #expect(Fixture.userID(try await fixture.authenticate(parameters)) == fixture.alice.id)
        // Upper-case hex is accepted too.
        let upper = ["u": "alice", "t": "26719A1196D2A940705A59634EB18EAB", "s": "c19b2d"]
        #expect(Fixture.userID(try await fixture.authenticate(upper)) == fixture.alice.id)
    }

    @Test func anySaltLengthWorks() async throws {
        let fixture = try await Fixture()
        // Tokens worked out apart from the code under test (Python's hashlib).
        let tokens = [
            "x": "cf6d8adab13b316b17663b3646cdb015",
            "c19b2d": "26719a1196d2a940705a59634eb18eab",
            String(repeating: "ab", count: 16): "2136930346752421d46d00c10e50eb85",
            "salt with spaces ü": "1c6ca7ee6adaeb743bd906e8fe5f2be4",
        ]
        for (salt, token) in tokens {
            let result = try await fixture.authenticate(["u": "alice", "t": token, "s": salt])
            #expect(Fixture.userID(result) == fixture.alice.id, "s=\(salt)")
        }
    }

    @Test func wrongTokensAreError40() async throws {
        let fixture = try await Fixture()
        for parameters in [
            ["u": "alice", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2e"],  // other salt
            ["u": "alice", "t": "26719a1196d2a940705a59634eb18eac", "s": "c19b2d"],
            // md5("correct horse" + "c19b2d"): the login password cannot make tokens.
            ["u": "alice", "t": "3e8769c06aadfa1f9abff98f6d36cbaf", "s": "c19b2d"],
            ["u": "alice", "t": "not hex", "s": "c19b2d"],
            ["u": "bob", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"],
            ["u": "mallory", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"],
        ] {
            let result = try await fixture.authenticate(parameters)
            #expect(result == .failed(.wrongUsernameOrPassword), "\(parameters)")
        }
    }

    @Test func aUserWithoutAnAppPasswordCannotUseTokens() async throws {
        let fixture = try await Fixture()
        await fixture.store.removeAppPassword(of: fixture.alice.id)
        let token = ["u": "alice", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"]
        #expect(try await fixture.authenticate(token) == .failed(.wrongUsernameOrPassword))
        // The login password still works with p=.
        let password = ["u": "alice", "p": Fixture.loginPassword]
        #expect(Fixture.userID(try await fixture.authenticate(password)) == fixture.alice.id)
    }

    @Test func anAppPasswordSealedWithAnotherKeyIsAServerFault() async throws {
        let fixture = try await Fixture()
        let other = try TemporaryDirectory(prefix: "canto-security")
        let foreign = try SecretBox(dataDirectory: other.url).seal(Data(Fixture.appPassword.utf8))
        try await fixture.store.setSealedAppPassword(foreign, of: fixture.alice.id)
        await #expect(throws: SecretBoxError.cannotOpen) {
            try await fixture.authenticate(["u": "alice", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"])
        }
    }

    // MARK: apiKey=

    @Test func apiKeyAloneAuthenticatesItsOwner() async throws {
        let fixture = try await Fixture()
        let now = fixture.clock.now
        let result = try await fixture.authenticate(["apiKey": fixture.apiKey])
        #expect(Fixture.userID(result) == fixture.alice.id)
        #expect(try await fixture.store.apiKey(hash: Tokens.hash(fixture.apiKey))?.lastUsedAt == now)
        // Within a minute the key is not written again.
        fixture.clock.advance(by: 30)
        _ = try await fixture.authenticate(["apiKey": fixture.apiKey])
        #expect(await fixture.store.touchedKeys == [APIKeyID("k1")])
        fixture.clock.advance(by: 31)
        _ = try await fixture.authenticate(["apiKey": fixture.apiKey])
        #expect(await fixture.store.touchedKeys == [APIKeyID("k1"), APIKeyID("k1")])
    }

    @Test func unknownOrOrphanedAPIKeysAreError44() async throws {
        let fixture = try await Fixture()
        for key in [Tokens.apiKey(), "canto_", "garbage", fixture.apiKey + "x", Tokens.hash(fixture.apiKey)] {
            #expect(try await fixture.authenticate(["apiKey": key]) == .failed(.invalidAPIKey), "apiKey=\(key)")
        }
        _ = try await fixture.store.deleteUser(fixture.alice.id)
        #expect(try await fixture.authenticate(["apiKey": fixture.apiKey]) == .failed(.invalidAPIKey))
    }

    @Test func apiKeyWithAnyOtherCredentialIsError43() async throws {
        let fixture = try await Fixture()
        let key = fixture.apiKey
        for parameters in [
            ["apiKey": key, "u": "alice"],  // even the spec's own example URL
            ["apiKey": key, "p": Fixture.loginPassword],
            ["apiKey": key, "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"],
            ["apiKey": key, "s": "c19b2d"],
            ["apiKey": "unknown", "u": "alice", "p": Fixture.loginPassword],
        ] {
            #expect(try await fixture.authenticate(parameters) == .failed(.conflictingMechanisms), "\(parameters)")
        }
    }

    // MARK: Malformed requests

    @Test func passwordAndTokenTogetherAreError43() async throws {
        let fixture = try await Fixture()
        for parameters in [
            ["u": "alice", "p": Fixture.loginPassword, "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"],
            ["u": "alice", "p": Fixture.loginPassword, "t": "26719a1196d2a940705a59634eb18eab"],
            ["u": "alice", "p": Fixture.loginPassword, "s": "c19b2d"],
        ] {
            #expect(try await fixture.authenticate(parameters) == .failed(.conflictingMechanisms), "\(parameters)")
        }
    }

    @Test func missingParametersAreError10() async throws {
        let fixture = try await Fixture()
        let cases: [([String: String], String)] = [
            ([:], "u"),
            (["p": Fixture.loginPassword], "u"),
            (["t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"], "u"),
            (["u": "alice"], "p"),
            (["u": "alice", "t": "26719a1196d2a940705a59634eb18eab"], "s"),
            (["u": "alice", "s": "c19b2d"], "t"),
            // go-subsonic's Basic mode: empty t= and s= count as absent.
            (["u": "alice", "t": "", "s": ""], "p"),
            (["u": "", "p": Fixture.loginPassword], "u"),
        ]
        for (parameters, missing) in cases {
            let result = try await fixture.authenticate(parameters)
            #expect(result == .failed(.missingParameter(missing)), "\(parameters)")
        }
    }

    @Test func emptyAPIKeyCountsAsAbsent() async throws {
        let fixture = try await Fixture()
        let result = try await fixture.authenticate(["apiKey": "", "u": "alice", "p": Fixture.loginPassword])
        #expect(Fixture.userID(result) == fixture.alice.id)
    }

    @Test func errorsCarryTheSubsonicCodesAndMessages() {
        let cases: [(SubsonicAuthError, Int, String)] = [
            (.missingParameter("u"), 10, "Required parameter is missing: u"),
            (.wrongUsernameOrPassword, 40, "Wrong username or password"),
            (.tokenAuthenticationNotSupported, 41, "Token authentication not supported"),
            (.mechanismNotSupported, 42, "Provided authentication mechanism not supported"),
            (.conflictingMechanisms, 43, "Multiple conflicting authentication mechanisms provided"),
            (.invalidAPIKey, 44, "Invalid API key"),
        ]
        for (error, code, message) in cases {
            #expect(error.code == code)
            #expect(error.message == message)
        }
    }

    // MARK: Side effects

    @Test func lastSeenIsWrittenAtMostOnceAMinute() async throws {
        let fixture = try await Fixture()
        let now = fixture.clock.now
        let parameters = ["u": "alice", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"]
        _ = try await fixture.authenticate(parameters)
        fixture.clock.advance(by: 59)
        _ = try await fixture.authenticate(parameters)
        #expect(await fixture.store.touchedUsers == [fixture.alice.id])
        #expect(try await fixture.store.user(fixture.alice.id)?.lastSeenAt == now)
        fixture.clock.advance(by: 1)
        _ = try await fixture.authenticate(parameters)
        #expect(await fixture.store.touchedUsers == [fixture.alice.id, fixture.alice.id])
    }

    // MARK: Throttling

    static let aliceToken = ["u": "alice", "t": "26719a1196d2a940705a59634eb18eab", "s": "c19b2d"]

    @Test func theFourthAttemptAfterThreeFailuresWaitsAndSuccessResets() async throws {
        let fixture = try await Fixture(throttled: true)
        let throttle = try #require(fixture.throttle)
        let wrong = ["u": "alice", "t": "00000000000000000000000000000000", "s": "c19b2d"]
        for _ in 0..<3 {
            #expect(try await fixture.authenticate(wrong, address: "10.0.0.1") == .failed(.wrongUsernameOrPassword))
        }
        // The fourth attempt waits, from any address: even the right token is not checked.
        let right = Self.aliceToken
        #expect(try await fixture.authenticate(right, address: "10.0.0.1") == .throttled(retryAfter: 1))
        #expect(try await fixture.authenticate(right, address: "10.0.0.2") == .throttled(retryAfter: 1))
        fixture.clock.advance(by: 0.25)
        #expect(try await fixture.authenticate(right, address: "10.0.0.1") == .throttled(retryAfter: 1))
        fixture.clock.advance(by: 0.75)
        #expect(Fixture.userID(try await fixture.authenticate(right, address: "10.0.0.1")) == fixture.alice.id)
        #expect(await throttle.check(username: "alice", address: "10.0.0.1") == nil)

        // Malformed requests are not guesses and do not count.
        for _ in 0..<10 { _ = try await fixture.authenticate(["u": "alice"], address: "10.0.0.3") }
        #expect(await throttle.check(username: "alice", address: "10.0.0.3") == nil)
    }

    @Test func oneHouseholdMembersWrongPasswordLocksOutNoOneElse() async throws {
        let fixture = try await Fixture(throttled: true)
        let home = "192.168.1.10"
        for _ in 0..<3 {
            let result = try await fixture.authenticate(["u": "bob", "p": "wrong password"], address: home)
            #expect(result == .failed(.wrongUsernameOrPassword))
        }
        let bob = ["u": "bob", "p": Fixture.bobPassword]
        #expect(try await fixture.authenticate(bob, address: home) == .throttled(retryAfter: 1))

        // Alice, from the same address: login password (clear and enc:), app password, token, API key.
        for parameters in [
            ["u": "alice", "p": Fixture.loginPassword],
            ["u": "alice", "p": "enc:" + Fixture.hex(Fixture.loginPassword)],
            ["u": "alice", "p": Fixture.appPassword], Self.aliceToken, ["apiKey": fixture.apiKey],
        ] {
            let result = try await fixture.authenticate(parameters, address: home)
            #expect(Fixture.userID(result) == fixture.alice.id, "\(parameters.keys.sorted())")
        }
        // Bob still waits, at home and, by account, anywhere else.
        #expect(try await fixture.authenticate(bob, address: home) == .throttled(retryAfter: 1))
        #expect(try await fixture.authenticate(bob, address: "198.51.100.4") == .throttled(retryAfter: 1))
        #expect(try await fixture.authenticate(bob, address: nil) == .throttled(retryAfter: 1))
        fixture.clock.advance(by: 1)
        #expect(Fixture.userID(try await fixture.authenticate(bob, address: home)) == fixture.bob.id)
    }

    @Test func theAddressWideLimitComesAfterAHundredFailuresAndLetsKnownAccountsIn() async throws {
        let fixture = try await Fixture(throttled: true)
        let shared = "10.0.0.1"
        #expect(Fixture.userID(try await fixture.authenticate(Self.aliceToken, address: shared)) == fixture.alice.id)
        // Someone sprays names from the shared address: one guess each, so no account waits.
        for index in 0..<100 {
            let guess = ["u": "guess\(index)", "t": "00000000000000000000000000000000", "s": "c19b2d"]
            #expect(try await fixture.authenticate(guess, address: shared) == .failed(.wrongUsernameOrPassword))
        }
        // Alice signed in from here before: her credentials still go through, every kind.
        for parameters in [["u": "alice", "p": Fixture.loginPassword], ["u": "alice", "p": Fixture.appPassword]] {
            #expect(Fixture.userID(try await fixture.authenticate(parameters, address: shared)) == fixture.alice.id)
        }
        #expect(Fixture.userID(try await fixture.authenticate(Self.aliceToken, address: shared)) == fixture.alice.id)
        // A name new at this address waits, as API keys do (documented on LoginThrottle); the
        // same name from any other address does not.
        let bob = ["u": "bob", "p": Fixture.bobPassword]
        #expect(try await fixture.authenticate(bob, address: shared) == .throttled(retryAfter: 1))
        #expect(
            try await fixture.authenticate(["apiKey": fixture.apiKey], address: shared) == .throttled(retryAfter: 1))
        #expect(Fixture.userID(try await fixture.authenticate(bob, address: "10.0.0.2")) == fixture.bob.id)
    }

    @Test func badAPIKeysCountAgainstTheAddressWithTheHighLimit() async throws {
        let fixture = try await Fixture(throttled: true)
        for _ in 0..<99 {
            #expect(try await fixture.authenticate(["apiKey": "guess"], address: "10.0.0.4") == .failed(.invalidAPIKey))
        }
        let key = ["apiKey": fixture.apiKey]
        #expect(Fixture.userID(try await fixture.authenticate(key, address: "10.0.0.4")) == fixture.alice.id)
        #expect(try await fixture.authenticate(["apiKey": "guess"], address: "10.0.0.4") == .failed(.invalidAPIKey))
        #expect(try await fixture.authenticate(key, address: "10.0.0.4") == .throttled(retryAfter: 1))
        #expect(Fixture.userID(try await fixture.authenticate(key, address: "10.0.0.5")) == fixture.alice.id)
    }

    // MARK: Cached password verifications

    @Test func aMatchedLoginPasswordIsNotBcryptedAgainWithinTheLifetime() async throws {
        let fixture = try await Fixture()
        let clear = ["u": "alice", "p": Fixture.loginPassword]
        let hex = ["u": "alice", "p": "enc:" + Fixture.hex(Fixture.loginPassword)]
        #expect(Fixture.userID(try await fixture.authenticate(clear)) == fixture.alice.id)
        #expect(fixture.verifier.verifications == 1)
        for parameters in [clear, hex, clear, ["u": "ALICE", "p": Fixture.loginPassword]] {
            #expect(Fixture.userID(try await fixture.authenticate(parameters)) == fixture.alice.id)
        }
        #expect(fixture.verifier.verifications == 1)
        #expect(fixture.authenticator.verifications.count == 1)

        // Just before the five minutes are up, still cached; then bcrypt once more.
        fixture.clock.advance(by: 299)
        #expect(Fixture.userID(try await fixture.authenticate(clear)) == fixture.alice.id)
        #expect(fixture.verifier.verifications == 1)
        fixture.clock.advance(by: 1)
        #expect(Fixture.userID(try await fixture.authenticate(clear)) == fixture.alice.id)
        #expect(fixture.verifier.verifications == 2)
    }

    @Test func aChangedPasswordHashEndsTheCachedVerification() async throws {
        let fixture = try await Fixture()
        let old = ["u": "alice", "p": Fixture.loginPassword]
        #expect(Fixture.userID(try await fixture.authenticate(old)) == fixture.alice.id)
        try await fixture.store.setPasswordHash(
            try await fixture.hasher.hash("brand new words 2"), of: fixture.alice.id)

        #expect(try await fixture.authenticate(old) == .failed(.wrongUsernameOrPassword))
        #expect(fixture.verifier.verifications == 2)
        let new = ["u": "alice", "p": "brand new words 2"]
        #expect(Fixture.userID(try await fixture.authenticate(new)) == fixture.alice.id)
        #expect(Fixture.userID(try await fixture.authenticate(new)) == fixture.alice.id)
        #expect(fixture.verifier.verifications == 3)
        #expect(try await fixture.authenticate(old) == .failed(.wrongUsernameOrPassword))
        #expect(fixture.verifier.verifications == 4)
    }

    @Test func failedVerificationsAreNeverCached() async throws {
        let fixture = try await Fixture()
        for _ in 0..<3 {
            #expect(
                try await fixture.authenticate(["u": "alice", "p": "wrong password"])
                    == .failed(.wrongUsernameOrPassword))
            #expect(
                try await fixture.authenticate(["u": "mallory", "p": "anything"]) == .failed(.wrongUsernameOrPassword))
        }
        #expect(fixture.verifier.verifications == 3)
        #expect(fixture.verifier.simulations == 3)
        #expect(fixture.authenticator.verifications.count == 0)
    }

    @Test func appPasswordsAndTokensNeverRunBcrypt() async throws {
        let fixture = try await Fixture()
        #expect(Fixture.userID(try await fixture.authenticate(["u": "alice", "p": Fixture.appPassword])) != nil)
        #expect(Fixture.userID(try await fixture.authenticate(Self.aliceToken)) != nil)
        #expect(fixture.verifier.verifications == 0)
        #expect(fixture.authenticator.verifications.count == 0)
    }

    @Test func anInvalidatedUserIsVerifiedAgain() async throws {
        let fixture = try await Fixture()
        let alice = ["u": "alice", "p": Fixture.loginPassword]
        let bob = ["u": "bob", "p": Fixture.bobPassword]
        _ = try await fixture.authenticate(alice)
        _ = try await fixture.authenticate(bob)
        fixture.authenticator.verifications.invalidate(user: fixture.alice.id)
        #expect(fixture.authenticator.verifications.count == 1)
        _ = try await fixture.authenticate(bob)
        #expect(fixture.verifier.verifications == 2)
        #expect(Fixture.userID(try await fixture.authenticate(alice)) == fixture.alice.id)
        #expect(fixture.verifier.verifications == 3)
    }
}
