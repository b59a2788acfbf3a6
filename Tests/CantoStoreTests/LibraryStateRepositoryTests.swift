import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct LibraryStateRepositoryTests {
    static func playlist(
        _ id: String, of owner: User, name: String, isPublic: Bool = false, tracks: [String] = []
    ) -> Playlist {
        Playlist(
            id: PlaylistID(id), ownerID: owner.id, name: name, comment: "about \(name)", isPublic: isPublic,
            trackIDs: tracks.map { TrackID($0) }, createdAt: TestAccounts.date(1), updatedAt: TestAccounts.date(2))
    }

    @Test func aPlaylistKeepsItsTrackOrderAndDuplicates() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let mix = Self.playlist("p1", of: ana, name: "Mix", tracks: ["t3", "t1", "t3", "t2", "t1"])
        try await store.state.createPlaylist(mix)
        #expect(try await store.state.playlist(mix.id, viewer: ana.id) == mix)

        let empty = Self.playlist("p2", of: ana, name: "Empty")
        try await store.state.createPlaylist(empty)
        #expect(try await store.state.playlist(empty.id, viewer: ana.id) == empty)
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.state.playlist(PlaylistID("p9"), viewer: ana.id)
        }
    }

    @Test func aPlaylistNeedsAnOwner() async throws {
        let store = try await TestAccounts()
        let ghost = User(id: UserID("u-ghost"), username: "ghost", displayName: "", role: .user)
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.state.createPlaylist(Self.playlist("p1", of: ghost, name: "x", tracks: ["t1"]))
        }
        let ana = try await store.addUser("ana")
        #expect(try await store.state.playlists(visibleTo: ana.id).isEmpty)
    }

    @Test func everyoneSeesTheirOwnAndOthersPublicPlaylists() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let anaPrivate = Self.playlist("p1", of: ana, name: "zebra", tracks: ["t1", "t1"])
        let anaPublic = Self.playlist("p2", of: ana, name: "Apple", isPublic: true, tracks: ["t2", "t1"])
        let boPrivate = Self.playlist("p3", of: bo, name: "mango", tracks: ["t3"])
        let boPublic = Self.playlist("p4", of: bo, name: "Banana", isPublic: true)
        for playlist in [anaPrivate, anaPublic, boPrivate, boPublic] { try await store.state.createPlaylist(playlist) }

        #expect(try await store.state.playlists(visibleTo: ana.id) == [anaPublic, boPublic, anaPrivate])
        #expect(try await store.state.playlists(visibleTo: bo.id) == [anaPublic, boPublic, boPrivate])
        #expect(try await store.state.playlists(visibleTo: UserID("u-ghost")) == [anaPublic, boPublic])
        #expect(try await store.state.playlist(anaPublic.id, viewer: bo.id) == anaPublic)
        // The summaries a search reads: the same playlists in the same order, each with its size.
        for viewer in [ana.id, bo.id, UserID("u-ghost")] {
            let summaries = try await store.state.playlistSummaries(visibleTo: viewer)
            let expected = try await store.state.playlists(visibleTo: viewer).map {
                PlaylistSummary(
                    id: $0.id, ownerID: $0.ownerID, name: $0.name, isPublic: $0.isPublic, trackCount: $0.trackIDs.count)
            }
            #expect(summaries == expected)
        }
        #expect(try await store.state.playlistSummaries(visibleTo: ana.id).map(\.trackCount) == [2, 0, 2])
    }

    @Test func theOwnerUpdatesNameCommentVisibilityAndTracks() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let original = Self.playlist("p1", of: ana, name: "Mix", tracks: ["t1", "t2", "t3", "t4"])
        try await store.state.createPlaylist(original)
        let other = Self.playlist("p2", of: ana, name: "Other", tracks: ["t9"])
        try await store.state.createPlaylist(other)

        var changed = original
        changed.name = "Renamed"
        changed.comment = nil
        changed.isPublic = true
        changed.trackIDs = ["t4", "t2", "t4"].map { TrackID($0) }
        changed.updatedAt = TestAccounts.date(60)
        // Neither the owner nor the creation time can be changed this way.
        changed.ownerID = bo.id
        changed.createdAt = TestAccounts.date(500)
        try await store.state.updatePlaylist(changed, by: ana.id)

        var expected = changed
        expected.ownerID = ana.id
        expected.createdAt = original.createdAt
        #expect(try await store.state.playlist(original.id, viewer: ana.id) == expected)
        #expect(try await store.state.playlist(original.id, viewer: bo.id) == expected)
        #expect(try await store.state.playlist(other.id, viewer: ana.id) == other)

        changed.trackIDs = []
        try await store.state.updatePlaylist(changed, by: ana.id)
        #expect(try await store.state.playlist(original.id, viewer: ana.id).trackIDs.isEmpty)
    }

    @Test func theOwnerDeletesAPlaylistAndItsTracks() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let mix = Self.playlist("p1", of: ana, name: "Mix", tracks: ["t1", "t2"])
        try await store.state.createPlaylist(mix)
        try await store.state.deletePlaylist(mix.id, by: ana.id)
        await #expect(throws: NotFoundOrForbidden()) { try await store.state.playlist(mix.id, viewer: ana.id) }
        await #expect(throws: NotFoundOrForbidden()) { try await store.state.deletePlaylist(mix.id, by: ana.id) }
        await #expect(throws: NotFoundOrForbidden()) { try await store.state.updatePlaylist(mix, by: ana.id) }
        // The same ID can be used again and starts with none of the old tracks.
        let again = Self.playlist("p1", of: ana, name: "Again")
        try await store.state.createPlaylist(again)
        #expect(try await store.state.playlist(again.id, viewer: ana.id) == again)
    }

    @Test func thePlayQueueIsSavedReplacedAndCleared() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        #expect(try await store.state.playQueue(of: ana.id) == nil)
        let first = PlayQueue(
            trackIDs: ["t2", "t1", "t2", "t\"quoted\""].map { TrackID($0) }, currentIndex: 2, positionMs: 61_500,
            changedAt: TestAccounts.date(10), changedBy: "web")
        try await store.state.savePlayQueue(first, of: ana.id)
        #expect(try await store.state.playQueue(of: ana.id) == first)
        let second = PlayQueue(
            trackIDs: [], currentIndex: nil, positionMs: 0, changedAt: TestAccounts.date(20), changedBy: nil)
        try await store.state.savePlayQueue(second, of: ana.id)
        #expect(try await store.state.playQueue(of: ana.id) == second)
        try await store.state.savePlayQueue(nil, of: ana.id)
        #expect(try await store.state.playQueue(of: ana.id) == nil)
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.state.savePlayQueue(first, of: UserID("u-ghost"))
        }
    }

    @Test func aBookmarkMovesButKeepsItsCreationTime() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let first = Bookmark(
            trackID: TrackID("t1"), positionMs: 1_000, comment: "chapter 1", createdAt: TestAccounts.date(1),
            updatedAt: TestAccounts.date(1))
        let second = Bookmark(
            trackID: TrackID("t2"), positionMs: 2_000, comment: nil, createdAt: TestAccounts.date(2),
            updatedAt: TestAccounts.date(2))
        try await store.state.saveBookmark(first, of: ana.id)
        try await store.state.saveBookmark(second, of: ana.id)
        #expect(try await store.state.bookmarks(of: ana.id) == [second, first])

        let moved = Bookmark(
            trackID: TrackID("t1"), positionMs: 5_000, comment: nil, createdAt: TestAccounts.date(9),
            updatedAt: TestAccounts.date(9))
        try await store.state.saveBookmark(moved, of: ana.id)
        var expected = moved
        expected.createdAt = first.createdAt
        #expect(try await store.state.bookmarks(of: ana.id) == [expected, second])

        #expect(try await store.state.deleteBookmark(track: TrackID("t1"), of: ana.id))
        #expect(try await store.state.deleteBookmark(track: TrackID("t1"), of: ana.id) == false)
        #expect(try await store.state.bookmarks(of: ana.id) == [second])
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.state.saveBookmark(first, of: UserID("u-ghost"))
        }
    }

    @Test func starsAndRatingsShareOneRowPerItem() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let state = store.state
        try await state.setStarred(true, item: "al1", kind: .album, user: ana.id, at: TestAccounts.date(10))
        try await state.setStarred(true, item: "t1", kind: .track, user: ana.id, at: TestAccounts.date(20))
        try await state.setRating(4, item: "ar1", kind: .artist, user: ana.id)
        #expect(
            try await state.annotations(of: ana.id) == [
                Annotation(itemID: "t1", kind: .track, starredAt: TestAccounts.date(20), rating: nil),
                Annotation(itemID: "al1", kind: .album, starredAt: TestAccounts.date(10), rating: nil),
                Annotation(itemID: "ar1", kind: .artist, starredAt: nil, rating: 4),
            ])

        // Starring again keeps the first time; rating a starred item keeps the star.
        try await state.setStarred(true, item: "al1", kind: .album, user: ana.id, at: TestAccounts.date(30))
        try await state.setRating(5, item: "al1", kind: .album, user: ana.id)
        try await state.setRating(2, item: "al1", kind: .album, user: ana.id)
        #expect(
            try await state.annotations(of: ana.id).first { $0.itemID == "al1" }
                == Annotation(itemID: "al1", kind: .album, starredAt: TestAccounts.date(10), rating: 2))

        // Unstarring keeps a rating; clearing both removes the item.
        try await state.setStarred(false, item: "al1", kind: .album, user: ana.id, at: TestAccounts.date(40))
        #expect(
            try await state.annotations(of: ana.id).first { $0.itemID == "al1" }
                == Annotation(itemID: "al1", kind: .album, starredAt: nil, rating: 2))
        try await state.setRating(0, item: "al1", kind: .album, user: ana.id)
        try await state.setRating(nil, item: "ar1", kind: .artist, user: ana.id)
        try await state.setStarred(false, item: "t1", kind: .track, user: ana.id, at: TestAccounts.date(50))
        #expect(try await state.annotations(of: ana.id).isEmpty)
    }

    @Test func aRatingIsOneToFive() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        for bad in [6, -1] {
            await #expect(throws: (any Error).self) {
                try await store.state.setRating(bad, item: "t1", kind: .track, user: ana.id)
            }
        }
        for good in 1...5 {
            try await store.state.setRating(good, item: "t1", kind: .track, user: ana.id)
            #expect(try await store.state.annotations(of: ana.id).map(\.rating) == [good])
        }
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.state.setStarred(true, item: "t1", kind: .track, user: UserID("u-ghost"), at: Date())
        }
    }
}
