public import CantoCore
public import Foundation
import GRDB

/// Tracks' sonic features in `track_sonic`: what the analyser has measured, what it could not
/// (and why), and what is still to measure (no row, or one for another content hash or analyser).
public struct SonicFeatureRepository: SonicFeatureReader {
    let pool: MeteredPool
    let quick: QuickReader

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "sonic")
        quick = database.quick
    }

    /// How far the analysis is.
    public struct Progress: Sendable, Equatable, Codable {
        public var total: Int
        public var analyzed: Int
        public var failed: Int
        public var pending: Int { max(0, total - analyzed - failed) }
    }

    /// A track's analysis that did not give features, and why.
    public struct Failure: Sendable, Equatable, Codable {
        public var trackID: TrackID
        public var title: String
        public var reason: String

        enum CodingKeys: String, CodingKey {
            case trackID = "trackId"
            case title, reason
        }
    }

    /// Up to `limit` tracks still to measure, in ID order, after `after` (the last one handed out
    /// in this run, so a track that could not be recorded is not handed out again and again).
    public func pending(limit: Int, after: TrackID? = nil) async throws -> [Track] {
        let version = SonicFeatures.version
        return try await pool.read { db in
            try TrackRecord.fetchAll(
                db,
                sql: """
                    SELECT track.* FROM track LEFT JOIN track_sonic ON track_sonic.track_id = track.id
                    WHERE track.id > ? AND (track_sonic.track_id IS NULL
                        OR track_sonic.content_hash != track.content_hash OR track_sonic.version != ?)
                    ORDER BY track.id LIMIT ?
                    """, arguments: [after?.rawValue ?? "", version, max(0, limit)]
            ).map(\.track)
        }
    }

    /// Records what the analyser made of `track` (features, or the reason it has none).
    public func record(
        _ track: Track, features: SonicFeatures?, failure: String?, seconds: Double, at date: Date
    ) async throws {
        let at = try date.storable("analyzedAt")
        let blob = features?.blob
        let reason = features == nil ? String((failure ?? "unknown").prefix(500)) : nil
        try await pool.write { db in
            // The track may have gone (a rescan) while it was measured: then there is nothing to keep.
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM track WHERE id = ?", arguments: [track.id.rawValue]) == true
            else { return }
            _ = try db.run(
                """
                INSERT INTO track_sonic (track_id, content_hash, version, features, failure, seconds, analyzed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (track_id) DO UPDATE SET content_hash = excluded.content_hash,
                    version = excluded.version, features = excluded.features, failure = excluded.failure,
                    seconds = excluded.seconds, analyzed_at = excluded.analyzed_at
                """,
                [track.id.rawValue, track.contentHash, SonicFeatures.version, blob, reason, seconds, at])
        }
    }

    public func features(after: TrackID?, limit: Int) async throws -> [(TrackID, SonicFeatures)] {
        let version = SonicFeatures.version
        return try await pool.read { db in
            var result: [(TrackID, SonicFeatures)] = []
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT track_sonic.track_id, track_sonic.features FROM track_sonic
                        JOIN track ON track.id = track_sonic.track_id AND track.content_hash = track_sonic.content_hash
                        WHERE track_sonic.features IS NOT NULL AND track_sonic.version = ? AND track_sonic.track_id > ?
                        ORDER BY track_sonic.track_id
                        """), arguments: [version, after?.rawValue ?? ""])
            // Read on until the page is full or the rows end: a blob that does not read back is
            // passed over, and a short page means the end.
            while result.count < limit, let row = try rows.next() {
                let id: String = try row.decode(String.self, atIndex: 0)
                let blob: Data = try row.decode(Data.self, atIndex: 1)
                if let features = SonicFeatures(blob: blob) { result.append((TrackID(id), features)) }
            }
            return result
        }
    }

    /// The features of one track, when measured for its current content.
    public func features(of id: TrackID) async throws -> SonicFeatures? {
        try await pool.read { db in
            let blob = try Data.fetchOne(
                db,
                sql: """
                    SELECT track_sonic.features FROM track_sonic
                    JOIN track ON track.id = track_sonic.track_id AND track.content_hash = track_sonic.content_hash
                    WHERE track_sonic.track_id = ? AND track_sonic.version = ?
                    """, arguments: [id.rawValue, SonicFeatures.version])
            return blob.flatMap(SonicFeatures.init(blob:))
        }
    }

    public func featureCount() async throws -> Int {
        try await progress().analyzed
    }

    /// The catalog's version and the features' own (`WatchedTables.sonic`), in one number: two
    /// rows, kept until the next commit (`QuickReader`), where the count reads every track.
    public func featuresVersion() async throws -> Int {
        try quick.catalogVersion() &* 1_000_000_007 &+ quick.version(of: .sonic)
    }

    public func progress() async throws -> Progress {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM track),
                        count(CASE WHEN s.features IS NOT NULL THEN 1 END),
                        count(CASE WHEN s.failure IS NOT NULL THEN 1 END)
                    FROM track_sonic s JOIN track t ON t.id = s.track_id AND t.content_hash = s.content_hash
                    WHERE s.version = ?
                    """, arguments: [SonicFeatures.version])
            return Progress(
                total: try row?.decode(Int.self, atIndex: 0) ?? 0, analyzed: try row?.decode(Int.self, atIndex: 1) ?? 0,
                failed: try row?.decode(Int.self, atIndex: 2) ?? 0)
        }
    }

    /// The latest tracks the analyser could not measure, with the reason.
    public func failures(limit: Int) async throws -> [Failure] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.track_id, t.title, s.failure FROM track_sonic s JOIN track t ON t.id = s.track_id
                    WHERE s.failure IS NOT NULL ORDER BY s.analyzed_at DESC, s.track_id LIMIT ?
                    """, arguments: [limit]
            ).map { row in
                Failure(
                    trackID: TrackID(try row.decode(String.self, atIndex: 0)),
                    title: try row.decode(String.self, atIndex: 1), reason: try row.decode(String.self, atIndex: 2))
            }
        }
    }
}
