import CantoCore
import CantoStore
import Foundation
import Testing

/// Bob tries each of Alice's things through every repository method that takes an ID or an
/// owner. He must get what he would get for a thing that does not exist, and Alice's things
/// must be exactly as they were.
@Suite struct IsolationMatrixTests {
    @Test func bobCannotReachAlicesThings() async throws {
        let store = try await TestAccounts()
        let alice = try await store.addUser("alice")
        let bob = try await store.addUser("bob")
        let hers = try await OwnedData.give(alice, in: store)
        let aliceBefore = try await OwnedData(of: alice.id, in: store)
        let bobBefore = try await OwnedData(of: bob.id, in: store)
        let state = store.state
        let missing = PlaylistID("p-does-not-exist")

        // Her private playlist answers Bob exactly as a missing one does.
        for id in [hers.privatePlaylist, missing] {
            await #expect(throws: NotFoundOrForbidden()) { try await state.playlist(id, viewer: bob.id) }
        }
        #expect(try await state.playlists(visibleTo: bob.id).map(\.id) == [hers.publicPlaylist])

        // Her playlists, private or public, cannot be changed or deleted by Bob, even with
        // himself named as the owner in the value he sends.
        for id in [hers.privatePlaylist, hers.publicPlaylist, missing] {
            var takeover = Playlist(
                id: id, ownerID: bob.id, name: "mine now", comment: "x", isPublic: true, trackIDs: [TrackID("t-bob")],
                createdAt: TestAccounts.date(0), updatedAt: TestAccounts.date(99))
            await #expect(throws: NotFoundOrForbidden()) { try await state.updatePlaylist(takeover, by: bob.id) }
            takeover.ownerID = alice.id
            await #expect(throws: NotFoundOrForbidden()) { try await state.updatePlaylist(takeover, by: bob.id) }
            await #expect(throws: NotFoundOrForbidden()) { try await state.deletePlaylist(id, by: bob.id) }
        }
        // A public one he may read, as it is.
        #expect(
            try await state.playlist(hers.publicPlaylist, viewer: bob.id) == aliceBefore.playlists.first { $0.isPublic }
        )

        // Her session and API key.
        #expect(try await store.accounts.deleteSession(hers.session, owner: bob.id) == false)
        #expect(try await store.accounts.deleteAPIKey(hers.apiKey, owner: bob.id) == false)
        try await store.accounts.deleteSessions(of: bob.id)

        // Her play and history.
        #expect(try await store.history.deletePlay(hers.play.id, owner: bob.id) == false)
        #expect(try await store.history.deletePlays(of: bob.id, from: nil, to: nil) == 0)
        #expect(try await store.history.playCount(of: bob.id, from: nil, to: nil) == 0)

        // Her bookmark, queue and stars: Bob's calls reach only his own rows.
        #expect(try await state.deleteBookmark(track: hers.bookmarkedTrack, of: bob.id) == false)
        try await state.savePlayQueue(nil, of: bob.id)
        try await state.setStarred(false, item: hers.starredItem, kind: .album, user: bob.id, at: TestAccounts.date(50))
        try await state.setRating(nil, item: hers.ratedItem, kind: .track, user: bob.id)
        try await state.setRating(0, item: hers.ratedItem, kind: .track, user: bob.id)

        // Bob still sees nothing of hers in anything listed for him.
        let bobAfter = try await OwnedData(of: bob.id, in: store)
        #expect(bobAfter == bobBefore)
        #expect(bobAfter.sessions.isEmpty && bobAfter.apiKeys.isEmpty && bobAfter.plays.isEmpty)
        #expect(bobAfter.queue == nil && bobAfter.bookmarks.isEmpty && bobAfter.annotations.isEmpty)

        // Bob writing his own bookmark, queue and stars on the same items leaves hers alone.
        let bobsBookmark = Bookmark(
            trackID: hers.bookmarkedTrack, positionMs: 1, comment: "bob", createdAt: TestAccounts.date(60),
            updatedAt: TestAccounts.date(60))
        try await state.saveBookmark(bobsBookmark, of: bob.id)
        let bobsQueue = PlayQueue(
            trackIDs: [TrackID("t-bob")], currentIndex: 0, positionMs: 5, changedAt: TestAccounts.date(61),
            changedBy: "bob")
        try await state.savePlayQueue(bobsQueue, of: bob.id)
        try await state.setStarred(true, item: hers.starredItem, kind: .album, user: bob.id, at: TestAccounts.date(62))
        try await state.setRating(1, item: hers.ratedItem, kind: .track, user: bob.id)
        #expect(try await state.bookmarks(of: bob.id) == [bobsBookmark])
        #expect(try await state.playQueue(of: bob.id) == bobsQueue)
        #expect(try await state.annotations(of: bob.id).count == 2)

        // And Alice's things are exactly as they were.
        let aliceAfter = try await OwnedData(of: alice.id, in: store)
        #expect(aliceAfter == aliceBefore)
        #expect(aliceAfter.playlists.count == 2 && aliceAfter.sessions.count == 1 && aliceAfter.apiKeys.count == 1)
        #expect(aliceAfter.plays == [hers.play] && aliceAfter.queue != nil && aliceAfter.bookmarks.count == 1)
        #expect(aliceAfter.annotations.count == 2)
        #expect(try await store.accounts.session(tokenHash: hers.sessionTokenHash)?.userID == alice.id)
        #expect(try await store.accounts.apiKey(hash: hers.apiKeyHash)?.userID == alice.id)
    }

    @Test func listingsForOneUserNeverIncludeAnothers() async throws {
        let store = try await TestAccounts()
        let alice = try await store.addUser("alice")
        let bob = try await store.addUser("bob")
        _ = try await OwnedData.give(alice, in: store)
        let bobs = try await OwnedData.give(bob, in: store)
        let bobData = try await OwnedData(of: bob.id, in: store)
        #expect(bobData.sessions.map(\.id) == [bobs.session])
        #expect(bobData.apiKeys.map(\.id) == [bobs.apiKey])
        #expect(bobData.plays == [bobs.play])
        #expect(Set(bobData.playlists.map(\.id)) == [bobs.privatePlaylist, bobs.publicPlaylist])
        #expect(bobData.bookmarks.map(\.comment) == ["bob's place"])
        #expect(bobData.annotations.count == 2)
        #expect(bobData.avatar?.data == Data("avatar-bob".utf8))
        // Bob sees Alice's public playlist, and only that one of hers.
        let visible = try await store.state.playlists(visibleTo: bob.id).filter { $0.ownerID == alice.id }
        #expect(visible.map(\.id) == [PlaylistID("p-public-alice")])
    }
}
