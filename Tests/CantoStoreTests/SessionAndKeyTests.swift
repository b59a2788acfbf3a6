import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct SessionAndKeyTests {
    static func session(_ id: String, of user: User, created: Double, expires: Double, used: Double) -> Session {
        Session(
            id: SessionID(id), userID: user.id, createdAt: TestAccounts.date(created),
            expiresAt: TestAccounts.date(expires), lastUsedAt: TestAccounts.date(used), client: "client-\(id)",
            address: "192.0.2.\(id.count)")
    }

    @Test func sessionsAreFoundByTokenHashAndListedForTheirOwner() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let older = Self.session("s1", of: ana, created: 0, expires: 1000, used: 10)
        let newer = Self.session("s2", of: ana, created: 5, expires: 1000, used: 20)
        let bos = Self.session("s3", of: bo, created: 0, expires: 1000, used: 30)
        try await store.accounts.createSession(older, tokenHash: "hash-1")
        try await store.accounts.createSession(newer, tokenHash: "hash-2")
        try await store.accounts.createSession(bos, tokenHash: "hash-3")

        #expect(try await store.accounts.session(tokenHash: "hash-1") == older)
        #expect(try await store.accounts.session(tokenHash: "hash-3") == bos)
        #expect(try await store.accounts.session(tokenHash: "HASH-1") == nil)
        #expect(try await store.accounts.sessions(of: ana.id) == [newer, older])
        #expect(try await store.accounts.sessions(of: bo.id) == [bos])

        try await store.accounts.touchSession(older.id, at: TestAccounts.date(99))
        var touched = older
        touched.lastUsedAt = TestAccounts.date(99)
        #expect(try await store.accounts.session(tokenHash: "hash-1") == touched)
        #expect(try await store.accounts.sessions(of: ana.id) == [touched, newer])
        #expect(try await store.accounts.session(tokenHash: "hash-2") == newer)
    }

    @Test func aTokenHashIsUniqueAndTheUserMustExist() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        try await store.accounts.createSession(
            Self.session("s1", of: ana, created: 0, expires: 9, used: 0), tokenHash: "h")
        await #expect(throws: (any Error).self) {
            try await store.accounts.createSession(
                Self.session("s2", of: ana, created: 0, expires: 9, used: 0), tokenHash: "h")
        }
        let ghost = User(id: UserID("u-ghost"), username: "ghost", displayName: "", role: .user)
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.accounts.createSession(
                Self.session("s3", of: ghost, created: 0, expires: 9, used: 0), tokenHash: "h3")
        }
        #expect(try await store.accounts.sessions(of: ana.id).map(\.id) == [SessionID("s1")])
    }

    @Test func deletingASessionChecksTheOwnerUnlessAnAdminAsks() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let first = Self.session("s1", of: ana, created: 0, expires: 100, used: 0)
        let second = Self.session("s2", of: ana, created: 0, expires: 100, used: 0)
        try await store.accounts.createSession(first, tokenHash: "h1")
        try await store.accounts.createSession(second, tokenHash: "h2")

        #expect(try await store.accounts.deleteSession(first.id, owner: bo.id) == false)
        #expect(try await store.accounts.session(tokenHash: "h1") == first)
        #expect(try await store.accounts.deleteSession(first.id, owner: ana.id))
        #expect(try await store.accounts.deleteSession(first.id, owner: ana.id) == false)
        #expect(try await store.accounts.session(tokenHash: "h1") == nil)
        #expect(try await store.accounts.deleteSession(second.id, owner: nil))
        #expect(try await store.accounts.deleteSession(second.id, owner: nil) == false)
        #expect(try await store.accounts.sessions(of: ana.id).isEmpty)
    }

    @Test func signingOutEverywhereLeavesOthersSignedIn() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        for index in 0..<3 {
            try await store.accounts.createSession(
                Self.session("a\(index)", of: ana, created: 0, expires: 100, used: 0), tokenHash: "a\(index)")
        }
        let bos = Self.session("b", of: bo, created: 0, expires: 100, used: 0)
        try await store.accounts.createSession(bos, tokenHash: "b")
        try await store.accounts.deleteSessions(of: ana.id)
        #expect(try await store.accounts.sessions(of: ana.id).isEmpty)
        #expect(try await store.accounts.sessions(of: bo.id) == [bos])
    }

    @Test func cleanupDeletesExpiredAndIdleSessionsOnly() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        // now = 1000, idle timeout = 100: a session lives while expires > 1000 and used > 900.
        let sessions = [
            Self.session("expired", of: ana, created: 0, expires: 999.999, used: 999),
            Self.session("expires-now", of: ana, created: 0, expires: 1000, used: 999),
            Self.session("idle", of: ana, created: 0, expires: 5000, used: 899.999),
            Self.session("idle-exactly", of: ana, created: 0, expires: 5000, used: 900),
            Self.session("fresh", of: ana, created: 0, expires: 1000.001, used: 900.001),
            Self.session("busy", of: ana, created: 0, expires: 5000, used: 1000),
        ]
        for session in sessions {
            try await store.accounts.createSession(session, tokenHash: "hash-\(session.id)")
        }
        let deleted = try await store.accounts.deleteExpiredSessions(now: TestAccounts.date(1000), idleTimeout: 100)
        #expect(deleted == 4)
        #expect(Set(try await store.accounts.sessions(of: ana.id).map(\.id.rawValue)) == ["fresh", "busy"])
        #expect(try await store.accounts.deleteExpiredSessions(now: TestAccounts.date(1000), idleTimeout: 100) == 0)
        // A later sweep takes the rest.
        #expect(try await store.accounts.deleteExpiredSessions(now: TestAccounts.date(1200), idleTimeout: 100) == 2)
    }

    @Test func apiKeysAreFoundByHashListedAndTouched() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let phone = APIKey(
            id: APIKeyID("k1"), userID: ana.id, name: "phone", createdAt: TestAccounts.date(1), lastUsedAt: nil)
        let car = APIKey(
            id: APIKeyID("k2"), userID: ana.id, name: "car", createdAt: TestAccounts.date(2),
            lastUsedAt: TestAccounts.date(3))
        let bos = APIKey(
            id: APIKeyID("k3"), userID: bo.id, name: "tv", createdAt: TestAccounts.date(0), lastUsedAt: nil)
        try await store.accounts.createAPIKey(car, keyHash: "kh2")
        try await store.accounts.createAPIKey(phone, keyHash: "kh1")
        try await store.accounts.createAPIKey(bos, keyHash: "kh3")

        #expect(try await store.accounts.apiKey(hash: "kh1") == phone)
        #expect(try await store.accounts.apiKey(hash: "kh3") == bos)
        #expect(try await store.accounts.apiKey(hash: "kh4") == nil)
        #expect(try await store.accounts.apiKeys(of: ana.id) == [phone, car])
        #expect(try await store.accounts.apiKeys(of: bo.id) == [bos])

        try await store.accounts.touchAPIKey(phone.id, at: TestAccounts.date(77))
        var touched = phone
        touched.lastUsedAt = TestAccounts.date(77)
        #expect(try await store.accounts.apiKey(hash: "kh1") == touched)
        #expect(try await store.accounts.apiKey(hash: "kh2") == car)

        await #expect(throws: (any Error).self) {
            try await store.accounts.createAPIKey(
                APIKey(
                    id: APIKeyID("k9"), userID: bo.id, name: "dup", createdAt: TestAccounts.date(0), lastUsedAt: nil),
                keyHash: "kh1")
        }
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.accounts.createAPIKey(
                APIKey(
                    id: APIKeyID("k8"), userID: UserID("u-ghost"), name: "x", createdAt: TestAccounts.date(0),
                    lastUsedAt: nil), keyHash: "kh8")
        }
    }

    @Test func onlyTheOwnerDeletesAKey() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let key = APIKey(
            id: APIKeyID("k1"), userID: ana.id, name: "phone", createdAt: TestAccounts.date(1), lastUsedAt: nil)
        try await store.accounts.createAPIKey(key, keyHash: "kh1")
        #expect(try await store.accounts.deleteAPIKey(key.id, owner: bo.id) == false)
        #expect(try await store.accounts.apiKey(hash: "kh1") == key)
        #expect(try await store.accounts.deleteAPIKey(key.id, owner: ana.id))
        #expect(try await store.accounts.deleteAPIKey(key.id, owner: ana.id) == false)
        #expect(try await store.accounts.apiKey(hash: "kh1") == nil)
        #expect(try await store.accounts.apiKeys(of: ana.id).isEmpty)
    }
}
