import CantoCore
import CantoDomain
import CantoStore
import CantoTestSupport
import Foundation
import Testing

@testable import CantoServer

/// The outbox: an event commits with its effect or not at all, each subscriber gets every
/// committed event once in order from its durable cursor, and a failure holds its cursor.
@Suite("Domain events")
struct DomainEventTests {
    /// Keeps what it was handed; fails while `failuresLeft` is above zero.
    actor Recorder: EventSubscriber {
        nonisolated let id: String
        private(set) var events: [StoredEvent] = []
        private var failuresLeft: Int

        init(id: String, failures: Int = 0) {
            self.id = id
            failuresLeft = failures
        }

        struct Refused: Error {}

        func handle(_ event: StoredEvent) throws {
            if failuresLeft > 0 {
                failuresLeft -= 1
                throw Refused()
            }
            events.append(event)
        }

        var plays: [Int64] {
            events.compactMap { if case .trackPlayed(_, _, let play, _, _, _, _) = $0.event { play } else { nil } }
        }
    }

    @Test func aLibraryAddedOrRemovedIsSavedWithItsEvent() async throws {
        let server = try await InProcessServer.start()
        let log = server.services.scanning.events
        let start = try await log.lastEventID()
        let folder = server.data.url.appendingPathComponent("more")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let library = try await server.services.libraries.add(
            path: folder.path, name: "More", by: server.admin, address: nil)
        // Refused changes (a duplicate, a configured folder) publish nothing.
        await #expect(throws: (any Error).self) {
            _ = try await server.services.libraries.add(path: folder.path, name: nil, by: server.admin, address: nil)
        }
        let configured = try #require(try await server.services.catalog.libraries().first)
        await #expect(throws: (any Error).self) {
            try await server.services.libraries.remove(configured.id, by: server.admin, address: nil)
        }
        try await server.services.libraries.remove(library.id, by: server.admin, address: nil)
        let changes = try await log.events(after: start, limit: 100).compactMap { stored -> String? in
            guard case .libraryChanged(let id, let removed) = stored.event else { return nil }
            return "\(id.rawValue) \(removed ? "removed" : "added")"
        }
        #expect(changes == ["\(library.id.rawValue) added", "\(library.id.rawValue) removed"])
    }

    @Test func aCommittedPlayPublishesOneEventAndARolledBackOneNone() async throws {
        let server = try await InProcessServer.start()
        let h = try await AccessMatrixTests.hiddenItems(server)
        let listener = try await server.addUser("lena")
        let view = server.services.catalogs.view(for: listener.user)
        let log = server.services.scanning.events
        let start = try await log.lastEventID()
        let play = try await server.services.playback.played(
            TrackID(h.track), in: view, startedAt: Date(), secondsPlayed: 2, client: "tests")
        // A play by a user who is not there fails inside the transaction: nothing commits.
        let history = HistoryRepository(database: try CantoDatabase(dataDirectory: server.data.url))
        await #expect(throws: (any Error).self) {
            try await history.recordPlay(
                user: UserID("u-missing"), track: TrackID(h.track), startedAt: Date(), secondsPlayed: 1,
                client: nil, scrobble: false)
        }
        let events = try await log.events(after: start, limit: 100).map(\.event)
        #expect(events.count == 1, "\(events)")
        guard case .trackPlayed(let user, let track, let playID, _, let seconds, let counts, let client)? = events.first
        else {
            Issue.record("not a play: \(events)")
            return
        }
        #expect(user == listener.user.id && track == TrackID(h.track) && playID == play.id)
        #expect(seconds == 2 && counts && client == "tests")
        #expect(try await server.services.catalog.track(TrackID(h.track))?.playCount == 1)
    }

    /// A server with a listener, a track she may play (in a library not everyone sees), her
    /// view of the catalog and the outbox.
    static func listening() async throws -> (
        InProcessServer, InProcessServer.Caller, TrackID, CatalogView, EventOutbox
    ) {
        let server = try await InProcessServer.start()
        let h = try await AccessMatrixTests.hiddenItems(server)
        let listener = try await server.addUser("lena")
        let view = server.services.catalogs.view(for: listener.user)
        return (server, listener, TrackID(h.track), view, server.services.scanning.events)
    }

    @Test func aSubscriberGetsEveryEventOnceInOrderAndCatchesUpAfterARestart() async throws {
        let (server, listener, track, view, log) = try await Self.listening()
        // Failing twice: the first play comes again until it is handled, and nothing overtakes it.
        let dispatcher = EventDispatcher(log: log)
        let first = Recorder(id: "recorder", failures: 1)
        try await dispatcher.subscribe(first)
        var plays: [Int64] = []
        for _ in 0..<3 {
            plays.append(
                try await server.services.playback.played(
                    track, in: view, startedAt: Date(), secondsPlayed: 1, client: nil
                ).id)
        }
        #expect(try await dispatcher.deliverPending() == 0)
        #expect(await first.events.isEmpty)
        // The failure waits out its backoff (1 s) before the next try; wait for the condition.
        let deadline = ContinuousClock.now + .seconds(60)
        while await first.plays.count < 3, ContinuousClock.now < deadline {
            try await dispatcher.deliverPending()
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await first.plays == plays)

        // "Restarted": a new dispatcher and subscriber under the same id get only what came since.
        let later = try await server.services.playback.played(
            track, in: view, startedAt: Date(), secondsPlayed: 1, client: nil)
        let restarted = EventDispatcher(log: log)
        let again = Recorder(id: "recorder")
        try await restarted.subscribe(again)
        try await restarted.deliverPending()
        #expect(await again.plays == [later.id])
        // A new subscriber starts from the beginning and sees everything, users included.
        let fresh = Recorder(id: "fresh")
        try await restarted.subscribe(fresh)
        try await restarted.deliverPending()
        #expect(await fresh.plays == plays + [later.id])
        #expect(await fresh.events.contains { $0.event == .userCreated(user: listener.user.id) })
        let ids = await fresh.events.map(\.id)
        #expect(ids == ids.sorted())
    }

    /// Quick and in memory, like now playing: caught up by the service that published.
    actor InlineRecorder: EventSubscriber {
        nonisolated let id = "inline-recorder"
        nonisolated var isInline: Bool { true }
        private(set) var count = 0
        private(set) var last: Int64 = 0
        func handle(_ event: StoredEvent) {
            count += 1
            last = event.id
        }
    }

    /// A play's inline catch-up is not a write on the one writer: its cursor is stored by the
    /// next round, which hands nothing over again.
    @Test func anInlineCatchUpLeavesTheCursorToTheNextRound() async throws {
        let (server, _, track, view, log) = try await Self.listening()
        let dispatcher = EventDispatcher(log: log)
        let inline = InlineRecorder()
        try await dispatcher.subscribe(inline)
        _ = try await server.services.playback.played(
            track, in: view, startedAt: Date(), secondsPlayed: 1, client: nil)
        let last = try await log.lastEventID()
        let handled = try await dispatcher.deliverPending(inlineOnly: true)
        #expect(handled > 0)
        #expect(await inline.count == handled)
        #expect(try await log.storedCursor(of: inline.id) == nil)
        #expect(try await dispatcher.deliverPending() == 0)
        #expect(await inline.count == handled)
        #expect(try await log.storedCursor(of: inline.id) == last)
    }

    /// The outbox, with its reads counted and the first one held until the test lets it go.
    actor HeldLog: EventLog {
        let log: EventOutbox
        private(set) var reads = 0
        private var held: [CheckedContinuation<Void, Never>] = []
        private var open = false

        init(_ log: EventOutbox) { self.log = log }

        func release() {
            open = true
            for waiting in held { waiting.resume() }
            held = []
        }

        func events(after id: Int64, limit: Int) async throws -> [StoredEvent] {
            reads += 1
            if !open { await withCheckedContinuation { held.append($0) } }
            return try await log.events(after: id, limit: limit)
        }
        func cursor(of subscriber: String) async throws -> Int64 { try await log.cursor(of: subscriber) }
        func storedCursor(of subscriber: String) async throws -> Int64? { try await log.storedCursor(of: subscriber) }
        func advance(_ cursors: [String: Int64]) async throws { try await log.advance(cursors) }
        func publish(_ event: DomainEvent, at date: Date) async throws { try await log.publish(event, at: date) }
        func lastEventID() async throws -> Int64 { try await log.lastEventID() }
        func pendingCount(for subscriber: String, kind: String, user: UserID) async throws -> Int {
            try await log.pendingCount(for: subscriber, kind: kind, user: user)
        }
    }

    /// Many plays' catch-ups at once share rounds: while one round reads, every catch-up asked
    /// for joins the one queued after it, and each caller still sees its own event.
    @Test func catchUpsAskedForAtOnceShareOneRound() async throws {
        let (server, listener, _, _, outbox) = try await Self.listening()
        let log = HeldLog(outbox)
        let dispatcher = EventDispatcher(log: log)
        let inline = InlineRecorder()
        try await dispatcher.subscribe(inline)
        let first = Task { try await dispatcher.catchUpInline() }
        while await log.reads == 0 { await Task.yield() }
        let callers = 30
        let seen = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    try await log.publish(
                        .trackStarted(user: listener.user.id, track: TrackID("t1"), client: nil), at: Date())
                    let mine = try await log.lastEventID()
                    try await dispatcher.catchUpInline()
                    return await inline.last >= mine
                }
            }
            while await dispatcher.catchUpsWaiting < callers + 1 { await Task.yield() }
            await log.release()
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        try await first.value
        #expect(seen.count == callers && seen.allSatisfy { $0 })
        // The held round and the one every other caller joined.
        #expect(await log.reads == 2)
        _ = server
    }

    @Test func nowPlayingFollowsTheEvents() async throws {
        let server = try await InProcessServer.start()
        let h = try await AccessMatrixTests.hiddenItems(server)
        let listener = try await server.addUser("lena")
        try await server.withClient { client in
            let start = try await client.subsonic(
                "scrobble", [("id", h.track), ("submission", "false")], as: listener)
            #expect(start.subsonicError == nil)
            // Now playing is an inline subscriber: caught up before the scrobble answered.
            let playing = try await client.subsonic("getNowPlaying", as: listener)
            #expect(playing.body.contains(h.track), "\(playing.body)")
            _ = try await client.subsonic("scrobble", [("id", h.track)], as: listener)
            #expect(try await !client.subsonic("getNowPlaying", as: listener).body.contains(h.track))
        }
    }
}
