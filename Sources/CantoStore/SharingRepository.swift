public import CantoCore
public import Foundation
import GRDB

/// Shares and radio stations in SQLite.
public struct SharingRepository: SharingStore {
    let pool: MeteredPool

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "sharing")
    }

    private static func encode(_ ids: [TrackID]) -> String {
        String(decoding: (try? JSONEncoder().encode(ids.map(\.rawValue))) ?? Data("[]".utf8), as: UTF8.self)
    }

    private static func share(_ row: Row) throws -> Share {
        let row = StoredRow(row, table: "share")
        let ids = (try? JSONDecoder().decode([String].self, from: Data((try row["track_ids"] as String).utf8))) ?? []
        return try Share(
            id: ShareID(row["id"]), ownerID: UserID(row["owner_id"]), description: row["description"],
            trackIDs: ids.map { TrackID($0) }, createdAt: row["created_at"], expiresAt: row["expires_at"],
            lastVisitedAt: row["last_visited_at"], visitCount: row["visit_count"])
    }

    /// Throws `DomainError.invalid` for a date outside `StoredTime`'s range (nothing is stored).
    public func createShare(_ share: Share) async throws {
        let createdAt = try share.createdAt.storable("createdAt")
        let expiresAt = try share.expiresAt.storable("expiresAt")
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO share (id, owner_id, description, track_ids, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    share.id.rawValue, share.ownerID.rawValue, share.description, Self.encode(share.trackIDs),
                    createdAt, expiresAt,
                ])
        }
    }

    /// Throws `StoredValueUnreadable` when the share's row does not decode.
    public func share(_ id: ShareID) async throws -> Share? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM share WHERE id = ?", arguments: [id.rawValue]).map(Self.share)
        }
    }

    /// One row that does not decode (see `StoredValueUnreadable`) fails the whole list.
    public func shares(of user: UserID) async throws -> [Share] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM share WHERE owner_id = ? ORDER BY created_at DESC", arguments: [user.rawValue]
            ).map(Self.share)
        }
    }

    /// Throws `DomainError.invalid("expiresAt")` for an expiry outside `StoredTime`'s range (nothing changes).
    public func updateShare(_ id: ShareID, owner: UserID, description: String?, expiresAt: Date?) async throws -> Bool {
        let expiresAt = try expiresAt.storable("expiresAt")
        return try await pool.write { db in
            try db.execute(
                sql: "UPDATE share SET description = ?, expires_at = ? WHERE id = ? AND owner_id = ?",
                arguments: [description, expiresAt, id.rawValue, owner.rawValue])
            return db.changesCount == 1
        }
    }

    public func deleteShare(_ id: ShareID, owner: UserID) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM share WHERE id = ? AND owner_id = ?", arguments: [id.rawValue, owner.rawValue])
            return db.changesCount == 1
        }
    }

    public func recordVisit(_ id: ShareID, at date: Date) async throws {
        let date = try date.storable("lastVisitedAt")
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE share SET visit_count = visit_count + 1, last_visited_at = ? WHERE id = ?",
                arguments: [date, id.rawValue])
        }
    }

    public func radioStations() async throws -> [RadioStation] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM radio_station ORDER BY name COLLATE NOCASE").map { row in
                let row = StoredRow(row, table: "radio_station")
                return try RadioStation(
                    id: RadioStationID(row["id"]), name: row["name"], streamURL: row["stream_url"],
                    homepageURL: row["homepage_url"])
            }
        }
    }

    public func saveRadioStation(_ station: RadioStation) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO radio_station (id, name, stream_url, homepage_url) VALUES (?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name, stream_url = excluded.stream_url,
                        homepage_url = excluded.homepage_url
                    """,
                arguments: [station.id.rawValue, station.name, station.streamURL, station.homepageURL])
        }
    }

    public func deleteRadioStation(_ id: RadioStationID) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM radio_station WHERE id = ?", arguments: [id.rawValue])
            return db.changesCount == 1
        }
    }
}
