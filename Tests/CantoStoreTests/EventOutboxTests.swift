import CantoCore
import Foundation
import GRDB
import Testing

@testable import CantoStore

/// The outbox commits with the transaction that writes it, and cursors only move forward.
@Suite struct EventOutboxTests {
    struct Abort: Error {}

    @Test func anEventInARolledBackTransactionIsNeverSeen() async throws {
        let store = try await TestAccounts()
        let outbox = EventOutbox(database: store.database)
        await #expect(throws: Abort.self) {
            try await store.database.pool.write { db in
                try db.appendEvent(.userCreated(user: UserID("u1")), at: Date())
                throw Abort()
            }
        }
        #expect(try await outbox.events(after: 0, limit: 10).isEmpty)
        try await outbox.publish(.userDeleted(user: UserID("u1")), at: Date())
        #expect(try await outbox.events(after: 0, limit: 10).map(\.event) == [.userDeleted(user: UserID("u1"))])
    }

    @Test func cursorsAreKeptPerSubscriberAndNeverMoveBack() async throws {
        let store = try await TestAccounts()
        let outbox = EventOutbox(database: store.database)
        #expect(try await outbox.cursor(of: "a") == 0)
        try await outbox.advance("a", to: 5)
        try await outbox.advance("a", to: 3)
        try await outbox.advance("b", to: 1)
        #expect(try await outbox.cursor(of: "a") == 5)
        #expect(try await outbox.cursor(of: "b") == 1)
        await #expect(throws: DomainError.self) {
            try await outbox.publish(.userCreated(user: UserID("u")), at: Date(timeIntervalSince1970: 1e15))
        }
    }
}
