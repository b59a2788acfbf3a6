import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct UserDeletionTests {
    @Test func deletingAUserTakesEverythingTheyOwnButNotTheAuditLog() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana", libraryIDs: [LibraryID("lib1")])
        let bo = try await store.addUser("bo", libraryIDs: [LibraryID("lib1")])
        let anas = try await OwnedData.give(ana, in: store)
        _ = try await OwnedData.give(bo, in: store)
        try await store.accounts.record(
            .loginSucceeded, actor: ana.id, subject: "ana", address: nil, at: TestAccounts.date(1))
        try await store.accounts.record(
            .userDeleted, actor: bo.id, subject: "ana", address: nil, at: TestAccounts.date(2))
        let before = try await OwnedData(of: ana.id, in: store)
        let bosBefore = try await OwnedData(of: bo.id, in: store)
        // Every kind of thing was really there to be deleted.
        #expect(before.user != nil && before.avatar != nil && before.queue != nil)
        #expect(before.preferences != UserPreferences())
        #expect(before.sessions.count == 1 && before.apiKeys.count == 1 && before.plays.count == 1)
        #expect(before.playlists.count == 2 && before.bookmarks.count == 1 && before.annotations.count == 2)

        #expect(try await store.accounts.deleteUser(ana.id))

        #expect(try await OwnedData(of: ana.id, in: store).isEmpty)
        #expect(try await store.accounts.session(tokenHash: anas.sessionTokenHash) == nil)
        #expect(try await store.accounts.apiKey(hash: anas.apiKeyHash) == nil)
        // Ana's public playlist is gone for others too.
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.state.playlist(anas.publicPlaylist, viewer: bo.id)
        }
        #expect(try await OwnedData(of: bo.id, in: store) == bosBefore)
        #expect(try await store.accounts.user(bo.id)?.libraryIDs == [LibraryID("lib1")])

        let audit = try await store.accounts.auditEvents(offset: 0, limit: 10)
        #expect(audit.map(\.kind) == [.userDeleted, .loginSucceeded])
        #expect(audit.last?.actorID == ana.id)

        // A user created again under the same name starts with nothing.
        let again = try await store.addUser("ana")
        #expect(try await store.state.playlists(visibleTo: again.id).map(\.ownerID) == [bo.id])
        #expect(try await store.history.playCount(of: again.id, from: nil, to: nil) == 0)
    }
}
