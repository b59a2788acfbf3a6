import CantoSecurity
import Testing

@Suite struct PasswordHasherTests {
    /// The work factor in a `$2b$12$…` hash.
    static func cost(of hash: String) -> Int? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "2b" else { return nil }
        return Int(parts[2])
    }

    @Test func defaultCostIsAtLeastTwelveAndHashesVerify() async throws {
        let hasher = PasswordHasher()
        #expect(hasher.cost >= 12)
        #expect(PasswordHasher.defaultCost >= 12)

        let hash = try await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(try #require(Self.cost(of: hash)) >= 12)
        #expect(hash.count == 60)
        #expect(hash != "correct horse battery")
        #expect(!hash.contains("correct horse battery"))
        #expect(try await hasher.verify("correct horse battery", hash: hash))
        #expect(try await !hasher.verify("correct horse batterY", hash: hash))
    }

    @Test func lowCostHashesAreSaltedAndVerify() async throws {
        let hasher = PasswordHasher(cost: 4)
        let first = try await hasher.hash("sesame-sesame")
        let second = try await hasher.hash("sesame-sesame")
        #expect(first.hasPrefix("$2b$04$"))
        #expect(first != second)
        #expect(try await hasher.verify("sesame-sesame", hash: first))
        #expect(try await hasher.verify("sesame-sesame", hash: second))
        #expect(try await !hasher.verify("sesame-sesamE", hash: first))
        #expect(try await !hasher.verify("", hash: first))
    }

    @Test func malformedHashesNeverMatch() async throws {
        let hasher = PasswordHasher(cost: 4)
        for hash in ["", "not a hash", "$2b$04$", "$2b$04$tooshort", "plain-password"] {
            #expect(try await !hasher.verify("plain-password", hash: hash))
        }
    }

    @Test func textBeyondWhatBcryptReadsDoesNotMatch() async throws {
        let hasher = PasswordHasher(cost: 4)
        let password = String(repeating: "a", count: 72)
        let hash = try await hasher.hash(password)
        #expect(try await hasher.verify(password, hash: hash))
        // bcrypt itself would ignore the 73rd byte and anything after a NUL.
        #expect(try await !hasher.verify(password + "b", hash: hash))
        let short = try await hasher.hash("abcdefgh")
        #expect(try await !hasher.verify("abcdefgh\u{0}tail", hash: short))
    }

    @Test func policyNeedsEightCharactersAndAtMost72Bytes() throws {
        #expect(throws: PasswordPolicyError.tooShort(minimum: 8)) { try PasswordPolicy.check("") }
        #expect(throws: PasswordPolicyError.tooShort(minimum: 8)) { try PasswordPolicy.check("1234567") }
        try PasswordPolicy.check("12345678")
        // Characters, not bytes: eight accented letters are enough.
        try PasswordPolicy.check("éééééééé")
        #expect(throws: PasswordPolicyError.tooShort(minimum: 8)) { try PasswordPolicy.check("🎵🎵🎵🎵") }
        try PasswordPolicy.check(String(repeating: "x", count: 72))
        #expect(throws: PasswordPolicyError.tooLong(maximumBytes: 72)) {
            try PasswordPolicy.check(String(repeating: "x", count: 73))
        }
        #expect(throws: PasswordPolicyError.containsNullCharacter) { try PasswordPolicy.check("abcd\u{0}efgh") }
        #expect(PasswordPolicyError.tooShort(minimum: 8).description == "A password needs at least 8 characters.")
    }

    @Test func hashingRefusesWhatThePolicyRefuses() async throws {
        let hasher = PasswordHasher(cost: 4)
        await #expect(throws: PasswordPolicyError.tooShort(minimum: 8)) { try await hasher.hash("short") }
    }

    @Test func cancelledTaskDoesNoWork() async throws {
        let hasher = PasswordHasher(cost: 4)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await hasher.hash("long enough")
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func manyConcurrentHashesAllFinish() async throws {
        let hasher = PasswordHasher(cost: 4)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let password = "password-\(index)"
                    return try await hasher.verify(password, hash: try await hasher.hash(password))
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 16))
    }
}
