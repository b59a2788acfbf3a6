import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct UserStoreTests {
    @Test func createdUserReadsBackByIDAndNameInAnyCase() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("Ana", role: .admin, libraryIDs: [LibraryID("lib2"), LibraryID("lib1")])
        let bo = try await store.addUser("bo")

        #expect(try await store.accounts.user(ana.id) == ana)
        #expect(try await store.accounts.user(bo.id) == bo)
        #expect(try await store.accounts.user(ana.id)?.libraryIDs == [LibraryID("lib2"), LibraryID("lib1")])
        #expect(try await store.accounts.user(bo.id)?.libraryIDs == nil)
        #expect(try await store.accounts.user(username: "ana") == ana)
        #expect(try await store.accounts.user(username: "ANA") == ana)
        #expect(try await store.accounts.user(username: "Bo") == bo)
        #expect(try await store.accounts.user(username: "an") == nil)
        #expect(try await store.accounts.user(UserID("u-nobody")) == nil)
        #expect(try await store.accounts.users() == [ana, bo])
        #expect(try await store.accounts.userCount() == 2)
    }

    @Test func usersAreListedByNameIgnoringCase() async throws {
        let store = try await TestAccounts()
        #expect(try await store.accounts.users().isEmpty)
        #expect(try await store.accounts.userCount() == 0)
        for name in ["carol", "Bea", "alma", "Dan"] { try await store.addUser(name) }
        #expect(try await store.accounts.users().map(\.username) == ["alma", "Bea", "carol", "Dan"])
        #expect(try await store.accounts.userCount() == 4)
    }

    @Test func aRestrictionToNoLibrariesIsKeptApartFromAll() async throws {
        let store = try await TestAccounts()
        let none = try await store.addUser("none", libraryIDs: [])
        #expect(try await store.accounts.user(none.id)?.libraryIDs == [])
    }

    @Test func usernamesClashWithoutRegardToCase() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("Ana")
        let clash = User(id: UserID("u-other"), username: "aNA", displayName: "Other", role: .user)
        await #expect(throws: DuplicateUsername(username: "aNA")) {
            try await store.accounts.createUser(clash, passwordHash: "h", sealedAppPassword: Data([1]))
        }
        #expect(try await store.accounts.userCount() == 1)
        #expect(try await store.accounts.user(clash.id) == nil)

        // Renaming onto a taken name clashes the same way and changes nothing.
        let bo = try await store.addUser("bo")
        var renamed = bo
        renamed.username = "ANA"
        await #expect(throws: DuplicateUsername(username: "ANA")) { try await store.accounts.updateUser(renamed) }
        #expect(try await store.accounts.user(bo.id) == bo)
        #expect(try await store.accounts.user(ana.id) == ana)
    }

    @Test func aDuplicateIDIsNotReportedAsADuplicateName() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        var twin = ana
        twin.username = "someone-else"
        let error = await #expect(throws: (any Error).self) {
            try await store.accounts.createUser(twin, passwordHash: "h", sealedAppPassword: Data([1]))
        }
        #expect(error != nil && !(error is DuplicateUsername))
        #expect(try await store.accounts.user(ana.id) == ana)
    }

    @Test func anUnknownLibraryFailsTheWholeCreate() async throws {
        let store = try await TestAccounts()
        let user = User(
            id: UserID("u-x"), username: "x", displayName: "X", role: .user, libraryIDs: [LibraryID("nope")])
        await #expect(throws: (any Error).self) {
            try await store.accounts.createUser(user, passwordHash: "h", sealedAppPassword: Data([1]))
        }
        #expect(try await store.accounts.userCount() == 0)
    }

    @Test func updateSavesEveryFieldButIDAndCreationTime() async throws {
        let store = try await TestAccounts()
        let original = try await store.addUser("ana", libraryIDs: [LibraryID("lib1")])
        var changed = original
        changed.username = "Anna"
        changed.displayName = "Anna K."
        changed.email = nil
        changed.role = .admin
        changed.maxBitrate = nil
        changed.libraryIDs = nil
        changed.canDownload = false
        changed.canShare = true
        changed.createdAt = TestAccounts.date(999)
        changed.lastSeenAt = TestAccounts.date(50)
        try await store.accounts.updateUser(changed)

        var expected = changed
        expected.createdAt = original.createdAt
        #expect(try await store.accounts.user(original.id) == expected)
        #expect(try await store.accounts.user(username: "ana") == nil)

        changed.libraryIDs = [LibraryID("lib2")]
        try await store.accounts.updateUser(changed)
        #expect(try await store.accounts.user(original.id)?.libraryIDs == [LibraryID("lib2")])
        // The secrets are not part of an update.
        #expect(try await store.accounts.passwordHash(of: original.id) == TestAccounts.passwordHash("ana"))
    }

    @Test func updatingAMissingUserIsNotFound() async throws {
        let store = try await TestAccounts()
        let ghost = User(id: UserID("u-ghost"), username: "ghost", displayName: "Ghost", role: .admin)
        await #expect(throws: NotFoundOrForbidden()) { try await store.accounts.updateUser(ghost) }
        #expect(try await store.accounts.userCount() == 0)
    }

    @Test func theLastAdminCannotBeDemotedOrDeletedEvenByTwoAtOnce() async throws {
        let store = try await TestAccounts()
        var ana = try await store.addUser("ana", role: .admin)
        var bo = try await store.addUser("bo", role: .admin)
        ana.role = .user
        bo.role = .user
        // Each demotes the other at the same moment: one wins, the other is refused.
        async let first: Bool = {
            do { try await store.accounts.updateUser(ana); return true } catch { return false }
        }()
        async let second: Bool = {
            do { try await store.accounts.updateUser(bo); return true } catch { return false }
        }()
        let outcomes = await [first, second]
        #expect(outcomes.filter { $0 }.count == 1)
        let admins = try await store.accounts.users().filter(\.isAdmin)
        #expect(admins.count == 1)
        let last = try #require(admins.first)
        await #expect(throws: LastAdminRefused()) { _ = try await store.accounts.deleteUser(last.id) }
        #expect(try await store.accounts.user(last.id)?.isAdmin == true)
        // Once another admin exists, the first may go.
        try await store.addUser("cy", role: .admin)
        #expect(try await store.accounts.deleteUser(last.id))
    }

    @Test func deleteReportsWhetherThereWasAUser() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        #expect(try await store.accounts.deleteUser(ana.id))
        #expect(try await store.accounts.deleteUser(ana.id) == false)
        #expect(try await store.accounts.user(ana.id) == nil)
        #expect(try await store.accounts.users() == [bo])
        // The name is free again.
        try await store.addUser("ANA")
    }

    @Test func passwordHashAndSealedAppPasswordAreReplaceable() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        #expect(try await store.accounts.passwordHash(of: ana.id) == TestAccounts.passwordHash("ana"))
        #expect(try await store.accounts.sealedAppPassword(of: ana.id) == TestAccounts.sealed("ana"))

        try await store.accounts.setPasswordHash("new-hash", of: ana.id)
        try await store.accounts.setSealedAppPassword(Data([9, 8, 7]), of: ana.id)
        #expect(try await store.accounts.passwordHash(of: ana.id) == "new-hash")
        #expect(try await store.accounts.sealedAppPassword(of: ana.id) == Data([9, 8, 7]))
        #expect(try await store.accounts.passwordHash(of: bo.id) == TestAccounts.passwordHash("bo"))
        #expect(try await store.accounts.sealedAppPassword(of: bo.id) == TestAccounts.sealed("bo"))

        let ghost = UserID("u-ghost")
        #expect(try await store.accounts.passwordHash(of: ghost) == nil)
        #expect(try await store.accounts.sealedAppPassword(of: ghost) == nil)
        await #expect(throws: NotFoundOrForbidden()) { try await store.accounts.setPasswordHash("h", of: ghost) }
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.accounts.setSealedAppPassword(Data([1]), of: ghost)
        }
    }

    @Test func preferencesDefaultUntilSavedThenRoundTrip() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        #expect(try await store.accounts.preferences(of: ana.id) == UserPreferences())

        let first = UserPreferences(
            streamFormat: "opus", maxBitrate: 128, theme: "dark", language: "pt", scrobbling: false,
            listeningVisible: false)
        try await store.accounts.setPreferences(first, of: ana.id)
        #expect(try await store.accounts.preferences(of: ana.id) == first)
        let second = UserPreferences(
            streamFormat: "mp3", maxBitrate: 0, theme: "light", language: "de", scrobbling: true,
            listeningVisible: true)
        try await store.accounts.setPreferences(second, of: ana.id)
        #expect(try await store.accounts.preferences(of: ana.id) == second)
        #expect(try await store.accounts.preferences(of: bo.id) == UserPreferences())
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.accounts.setPreferences(first, of: UserID("u-ghost"))
        }
    }

    @Test func avatarIsSetReplacedAndRemoved() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        #expect(try await store.accounts.avatar(of: ana.id) == nil)
        let png = Picture(data: Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2]), mimeType: "image/png")
        try await store.accounts.setAvatar(png, of: ana.id)
        #expect(try await store.accounts.avatar(of: ana.id) == png)
        let jpeg = Picture(data: Data([0xFF, 0xD8, 0xFF, 3]), mimeType: "image/jpeg")
        try await store.accounts.setAvatar(jpeg, of: ana.id)
        #expect(try await store.accounts.avatar(of: ana.id) == jpeg)
        try await store.accounts.setAvatar(nil, of: ana.id)
        #expect(try await store.accounts.avatar(of: ana.id) == nil)
        await #expect(throws: NotFoundOrForbidden()) { try await store.accounts.setAvatar(png, of: UserID("u-ghost")) }
    }

    @Test func touchRecordsTheLastSighting() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        try await store.accounts.touch(ana.id, at: TestAccounts.date(42.5))
        #expect(try await store.accounts.user(ana.id)?.lastSeenAt == TestAccounts.date(42.5))
        #expect(try await store.accounts.user(bo.id)?.lastSeenAt == nil)
        try await store.accounts.touch(UserID("u-ghost"), at: TestAccounts.date(1))
        #expect(try await store.accounts.userCount() == 2)
    }

    @Test func aLibraryDroppedFromTheCatalogLeavesTheRestrictionNarrower() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana", libraryIDs: [LibraryID("lib1"), LibraryID("lib2")])
        try await store.catalog.syncLibraries([store.libraries[1]], source: "local")
        #expect(try await store.accounts.user(ana.id)?.libraryIDs == [LibraryID("lib2")])
        try await store.catalog.syncLibraries([], source: "local")
        // Still restricted, now to nothing: never widened to every library.
        #expect(try await store.accounts.user(ana.id)?.libraryIDs == [])
    }
}
