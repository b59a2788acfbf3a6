import CantoCore
import CantoTestSupport
import Foundation
import GRDB
import Testing

@testable import CantoStore

/// The reads on the caller's thread and what is kept under the store's generation: every
/// change, this process's at once and another process's within the poll interval, is seen.
@Suite struct QuickReaderTests {
    @Test func thisProcessCommitsMoveTheGenerationAtOnce() async throws {
        let catalog = try await TestCatalog()
        let generation = catalog.database.quick.generation
        let before = generation.current
        #expect(generation.current == before)
        let version = try await catalog.repository.catalogVersion()
        try await catalog.database.pool.write { db in
            try db.execute(sql: "UPDATE catalog_version SET version = version + 1 WHERE id = 1")
        }
        #expect(generation.current > before)
        #expect(try await catalog.repository.catalogVersion() == version + 1)
    }

    @Test func anotherConnectionsCommitIsSeenWithinThePollInterval() async throws {
        let catalog = try await TestCatalog()
        let version = try await catalog.repository.catalogVersion()
        // A second database over the same file stands for another process (`canto scan`): its
        // writer is not the one whose commits this process counts.
        let other = try CantoDatabase(dataDirectory: catalog.directory.url)
        try await other.pool.write { db in
            try db.execute(sql: "UPDATE catalog_version SET version = version + 5 WHERE id = 1")
        }
        try await Task.sleep(for: StoreGeneration.pollInterval + .milliseconds(50))
        #expect(try await catalog.repository.catalogVersion() == version + 5)
    }

    @Test func theTokenCheckSeesAChangedOrDeletedUserAtOnce() async throws {
        let store = try await TestAccounts()
        var ana = try await store.addUser("ana")
        #expect(try await store.accounts.userWithSealedAppPassword(username: "ana")?.0.role == .user)
        #expect(try await store.accounts.userWithSealedAppPassword(username: "bob") == nil)
        ana.role = .admin
        try await store.accounts.updateUser(ana)
        let found = try await store.accounts.userWithSealedAppPassword(username: "ana")
        #expect(found?.0.role == .admin)
        #expect(found?.1 == TestAccounts.sealed("ana"))
        // A name looked up while unknown is found once the user is created.
        try await store.addUser("bob", role: .admin)
        #expect(try await store.accounts.userWithSealedAppPassword(username: "bob")?.0.username == "bob")
        #expect(try await store.accounts.deleteUser(ana.id))
        #expect(try await store.accounts.userWithSealedAppPassword(username: "ana") == nil)
    }

    /// A play (any commit outside the users and the stars) keeps what a sign-in and a song list
    /// read; a change to a user or a star moves only its own group's version, and so does
    /// another process's change.
    @Test func aWriteElsewhereKeepsTheSignInAndTheStars() async throws {
        let store = try await TestAccounts()
        var ana = try await store.addUser("ana")
        let quick = store.database.quick
        _ = try await store.accounts.userWithSealedAppPassword(username: "ana")
        _ = try await store.state.annotations(of: ana.id, items: ["t1"])
        let before = (
            all: quick.generation.current, accounts: try quick.version(of: .accounts),
            stars: try quick.version(of: .annotations)
        )
        try await store.database.pool.write { db in
            try db.execute(sql: "UPDATE catalog_version SET version = version + 1 WHERE id = 1")
        }
        #expect(quick.generation.current > before.all)
        #expect(try quick.version(of: .accounts) == before.accounts)
        #expect(try quick.version(of: .annotations) == before.stars)
        // Both answers come from memory: nothing was dropped for a new version.
        _ = try await store.accounts.userWithSealedAppPassword(username: "ana")
        _ = try await store.state.annotations(of: ana.id, items: ["t1"])
        #expect(store.accounts.tokenUsers.usage.evictions == 0)
        #expect(store.state.annotationMaps.usage.evictions == 0)
        // A transaction that changed a star and was rolled back moves nothing.
        struct Undo: Error {}
        let anaID = ana.id.rawValue
        await #expect(throws: Undo.self) {
            try await store.database.pool.write { db in
                try db.execute(
                    sql: "INSERT INTO annotation (user_id, item_id, kind, rating) VALUES (?, 't9', 'track', 2)",
                    arguments: [anaID])
                throw Undo()
            }
        }
        #expect(try quick.version(of: .annotations) == before.stars)
        // A star moves the stars' version only; a user's change the accounts'.
        try await store.state.setStarred(true, item: "t1", kind: .track, user: ana.id, at: TestAccounts.date(5))
        #expect(try quick.version(of: .annotations) > before.stars)
        #expect(try quick.version(of: .accounts) == before.accounts)
        #expect(try await store.state.annotations(of: ana.id, items: ["t1"])["t1"]?.starredAt == TestAccounts.date(5))
        ana.role = .admin
        try await store.accounts.updateUser(ana)
        #expect(try quick.version(of: .accounts) > before.accounts)
        #expect(try await store.accounts.userWithSealedAppPassword(username: "ana")?.0.role == .admin)
        // Another process (a second database over the file: `canto user` beside the server)
        // changes the user: seen once the generation notices, within the poll interval.
        let other = try CantoDatabase(dataDirectory: store.directory.url)
        try await other.pool.write { db in
            try db.execute(sql: "UPDATE user SET role = 'user' WHERE id = ?", arguments: [anaID])
        }
        let deadline = ContinuousClock.now + .seconds(10)
        var role = try await store.accounts.userWithSealedAppPassword(username: "ana")?.0.role
        while role != .user, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            role = try await store.accounts.userWithSealedAppPassword(username: "ana")?.0.role
        }
        #expect(role == .user)
    }

    /// A signed-in request's session and user are kept: a write elsewhere drops neither, while a
    /// session's touch or end and a change to the user are seen at once, and from another
    /// process once the generation notices.
    @Test func aSessionAndItsUserAreKeptUntilTheyChange() async throws {
        let store = try await TestAccounts()
        var ana = try await store.addUser("ana")
        let accounts = store.accounts
        let session = SessionAndKeyTests.session("s1", of: ana, created: 0, expires: 1000, used: 10)
        try await accounts.createSession(session, tokenHash: "hash-1")
        #expect(try await accounts.session(tokenHash: "hash-1") == session)
        #expect(try await accounts.session(tokenHash: "hash-2") == nil)
        #expect(try await accounts.user(ana.id) == ana)
        try await store.database.pool.write { db in
            try db.execute(sql: "UPDATE catalog_version SET version = version + 1 WHERE id = 1")
        }
        #expect(try await accounts.session(tokenHash: "hash-1") == session)
        #expect(try await accounts.user(ana.id) == ana)
        #expect(accounts.sessionsByHash.usage.evictions == 0)
        #expect(accounts.usersByID.usage.evictions == 0)
        #expect(accounts.sessionsByHash.usage.entries == 2)

        try await accounts.touchSession(session.id, at: TestAccounts.date(99))
        #expect(try await accounts.session(tokenHash: "hash-1")?.lastUsedAt == TestAccounts.date(99))
        let later = SessionAndKeyTests.session("s2", of: ana, created: 5, expires: 1000, used: 20)
        try await accounts.createSession(later, tokenHash: "hash-2")
        #expect(try await accounts.session(tokenHash: "hash-2") == later)
        ana.role = .admin
        try await accounts.updateUser(ana)
        #expect(try await accounts.user(ana.id)?.role == .admin)
        #expect(try await accounts.deleteSession(session.id, owner: nil))
        #expect(try await accounts.session(tokenHash: "hash-1") == nil)

        // Another process (`canto user` beside the server) ends the other session.
        let other = try CantoDatabase(dataDirectory: store.directory.url)
        try await other.pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE id = 's2'")
        }
        let deadline = ContinuousClock.now + .seconds(10)
        var found = try await accounts.session(tokenHash: "hash-2")
        while found != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            found = try await accounts.session(tokenHash: "hash-2")
        }
        #expect(found == nil)
    }

    @Test func starsAreSeenAtOnceByTheSongListLookup() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bob = try await store.addUser("bob")
        #expect(try await store.state.annotations(of: ana.id, items: ["t1", "t2"]).isEmpty)
        try await store.state.setStarred(true, item: "t1", kind: .track, user: ana.id, at: TestAccounts.date(5))
        try await store.state.setRating(3, item: "t2", kind: .track, user: bob.id)
        let anas = try await store.state.annotations(of: ana.id, items: ["t1", "t2", "t3"])
        #expect(anas == ["t1": Annotation(itemID: "t1", kind: .track, starredAt: TestAccounts.date(5), rating: nil)])
        #expect(try await store.state.annotations(of: bob.id, items: ["t1", "t2"]).keys.sorted() == ["t2"])
        try await store.state.setStarred(false, item: "t1", kind: .track, user: ana.id, at: TestAccounts.date(6))
        #expect(try await store.state.annotations(of: ana.id, items: ["t1"]).isEmpty)
    }

    @Test func aUserWithMoreAnnotationsThanKeptIsAskedByKey() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let count = LibraryStateRepository.keptAnnotations + 1
        try await store.database.pool.write { db in
            for index in 0..<count {
                try db.execute(
                    sql: "INSERT INTO annotation (user_id, item_id, kind, rating) VALUES (?, ?, 'track', ?)",
                    arguments: [ana.id.rawValue, "t\(index)", index % 5 + 1])
            }
        }
        let found = try await store.state.annotations(of: ana.id, items: ["t0", "t4999", "t5000", "missing"])
        #expect(found.mapValues(\.rating) == ["t0": 1, "t4999": 5, "t5000": 1])
    }

    /// The quick connections are never held across a suspension point, so the cooperative
    /// threads blocking on them while the pool's async reads are in flight cannot deadlock.
    @Test func quickAndAsyncReadsTogetherFinish() async throws {
        let catalog = try await TestCatalog()
        let quick = catalog.database.quick
        let pool = catalog.database.pool
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<400 {
                group.addTask {
                    if index.isMultiple(of: 2) {
                        return try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") ?? 0 }
                    }
                    return try quick.read { db in try Int.fetchOne(db, sql: "SELECT 1") ?? 0 }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == 400)
    }
}
