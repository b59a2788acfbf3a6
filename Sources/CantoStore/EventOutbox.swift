public import CantoCore
public import Foundation
import GRDB

/// The outbox of domain events in the server's database (see `EventLog`).
public struct EventOutbox: EventLog {
    let pool: MeteredPool

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "outbox")
    }

    public func events(after id: Int64, limit: Int) async throws -> [StoredEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, at, payload FROM event_outbox WHERE id > ? ORDER BY id LIMIT ?"),
                arguments: [id, max(limit, 0)]
            ).map { row in
                let stored = StoredRow(row, table: "event_outbox")
                let payload: String = try stored[2]
                guard let event = try? JSONDecoder.outbox.decode(DomainEvent.self, from: Data(payload.utf8)) else {
                    throw StoredValueUnreadable(
                        table: "event_outbox", column: "payload", type: "DomainEvent", stored: "text")
                }
                return StoredEvent(id: try stored[0], at: try stored.date(1), event: event)
            }
        }
    }

    public func storedCursor(of subscriber: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT last_id FROM event_cursor WHERE subscriber = ?", arguments: [subscriber])
        }
    }

    public func cursor(of subscriber: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_id FROM event_cursor WHERE subscriber = ?"),
                arguments: [subscriber]) ?? 0
        }
    }

    public func advance(_ cursors: [String: Int64]) async throws {
        guard !cursors.isEmpty else { return }
        try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO event_cursor (subscriber, last_id) VALUES (?, ?)
                    ON CONFLICT (subscriber) DO UPDATE SET last_id = max(last_id, excluded.last_id)
                    """)
            for (subscriber, id) in cursors.sorted(by: { $0.key < $1.key }) {
                try statement.execute(arguments: [subscriber, id])
            }
        }
    }

    public func publish(_ event: DomainEvent, at date: Date) async throws {
        let date = try date.storable("at")
        try await pool.write { db in try db.appendEvent(event, at: date) }
    }

    /// The newest event id (0 when there is none), for a subscriber that starts from now.
    public func lastEventID() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM event_outbox") ?? 0 }
    }

    public func pendingCount(for subscriber: String, kind: String, user: UserID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM event_outbox
                    WHERE kind = ? AND user_id = ?
                      AND id > coalesce((SELECT last_id FROM event_cursor WHERE subscriber = ?), 0)
                    """, arguments: [kind, user.rawValue, subscriber]) ?? 0
        }
    }
}

extension Database {
    /// Appends `event` to the outbox inside the caller's transaction: it commits with the
    /// effect it describes, or not at all.
    func appendEvent(_ event: DomainEvent, at date: Date) throws {
        let payload = String(decoding: try JSONEncoder.outbox.encode(event), as: UTF8.self)
        try run(
            "INSERT INTO event_outbox (at, kind, user_id, payload) VALUES (?, ?, ?, ?)",
            [date, event.name, event.user?.rawValue, payload])
    }
}

extension JSONEncoder {
    /// Dates as milliseconds since 1970: exact and compact. One shared coder (each play encodes
    /// an event, and each outbox read decodes a page of them).
    static let outbox: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()
}

extension JSONDecoder {
    static let outbox: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}
