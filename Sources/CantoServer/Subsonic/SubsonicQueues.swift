import CantoCore
import CantoDomain
import Foundation

/// getBookmarks, createBookmark, deleteBookmark, getPlayQueue, savePlayQueue,
/// getPlayQueueByIndex, savePlayQueueByIndex.
struct SubsonicQueues: Sendable {

    func register(in api: inout SubsonicAPI) {
        api.on("getBookmarks") { call in try await bookmarks(call) }
        api.on("createBookmark") { call in try await createBookmark(call) }
        api.on("deleteBookmark") { call in
            _ = try await call.state.deleteBookmark(
                track: TrackID(try call.parameters.required("id")), of: call.user.id)
            return .empty
        }
        api.on("getPlayQueue") { call in try await playQueue(call, byIndex: false) }
        api.on("getPlayQueueByIndex") { call in try await playQueue(call, byIndex: true) }
        api.on("savePlayQueue") { call in try await savePlayQueue(call, byIndex: false) }
        api.on("savePlayQueueByIndex") { call in try await savePlayQueue(call, byIndex: true) }
    }

    /// A queued or bookmarked song, when it is (still) in the caller's view.
    private func song(_ id: TrackID, for call: SubsonicCall) async throws -> SubsonicElement? {
        guard let track = try await call.catalog.track(id) else { return nil }
        return try await SubsonicModel.song(track, for: call, annotated: false)
    }

    private func bookmarks(_ call: SubsonicCall) async throws -> SubsonicPayload {
        var elements: [SubsonicElement] = []
        for bookmark in try await call.state.bookmarks(of: call.user.id) {
            guard let entry = try await song(bookmark.trackID, for: call) else { continue }
            elements.append(
                SubsonicElement([
                    ("position", .int(Int(bookmark.positionMs))), ("username", .string(call.user.username)),
                    ("comment", bookmark.comment.map(SubsonicValue.string)), ("created", .date(bookmark.createdAt)),
                    ("changed", .date(bookmark.updatedAt)),
                ]).with("entry", entry))
        }
        return .element("bookmarks", SubsonicElement().with("bookmark", list: elements))
    }

    private func createBookmark(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let id = TrackID(try call.parameters.required("id"))
        guard let position = try call.parameters.int("position", in: 0...Int(Int64.max / 2)) else {
            throw SubsonicError.missing("position")
        }
        guard try await call.catalog.track(id) != nil else { throw SubsonicError.notFound("Song") }
        let now = Date()
        try await call.state.saveBookmark(
            Bookmark(
                trackID: id, positionMs: Int64(position), comment: call.parameters.string("comment"),
                createdAt: now, updatedAt: now), of: call.user.id)
        return .empty
    }

    private func playQueue(_ call: SubsonicCall, byIndex: Bool) async throws -> SubsonicPayload {
        // No saved queue reads as an empty one.
        let queue =
            try await call.state.playQueue(of: call.user.id)
            ?? PlayQueue(trackIDs: [], currentIndex: nil, positionMs: 0, changedAt: Date(), changedBy: nil)
        var entries: [SubsonicElement] = []
        for id in queue.trackIDs {
            if let entry = try await song(id, for: call) { entries.append(entry) }
        }
        var element = SubsonicElement([
            ("position", .int(Int(queue.positionMs))), ("username", .string(call.user.username)),
            ("changed", .date(queue.changedAt)), ("changedBy", .string(queue.changedBy ?? "")),
        ])
        if byIndex {
            element.attributes.insert(("currentIndex", .int(queue.currentIndex ?? 0)), at: 0)
        } else if let index = queue.currentIndex, queue.trackIDs.indices.contains(index) {
            element.attributes.insert(("current", .string(queue.trackIDs[index].rawValue)), at: 0)
        }
        return .element(byIndex ? "playQueueByIndex" : "playQueue", element.with("entry", list: entries))
    }

    private func savePlayQueue(_ call: SubsonicCall, byIndex: Bool) async throws -> SubsonicPayload {
        let p = call.parameters
        let ids = p.all("id").map { TrackID($0) }
        guard !ids.isEmpty else {
            // An empty queue clears it (OpenSubsonic errata).
            try await call.state.savePlayQueue(nil, of: call.user.id)
            return .empty
        }
        for id in ids where try await call.catalog.track(id) == nil { throw SubsonicError.notFound("Song \(id)") }
        var index: Int?
        if byIndex {
            guard let given = try p.int("currentIndex") else { throw SubsonicError.missing("currentIndex") }
            guard ids.indices.contains(given) else {
                throw SubsonicError(.missingParameter, "currentIndex is outside the queue")
            }
            index = given
        } else if let current = p.string("current") {
            index = ids.firstIndex(of: TrackID(current))
        }
        let queue = PlayQueue(
            trackIDs: ids, currentIndex: index ?? 0,
            positionMs: Int64(try p.int("position", in: 0...Int(Int64.max / 2)) ?? 0), changedAt: Date(),
            changedBy: p.string("c"))
        try await call.state.savePlayQueue(queue, of: call.user.id)
        return .empty
    }
}
