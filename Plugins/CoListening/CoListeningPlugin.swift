public import CantoCore
public import CantoPluginKit
import Foundation

/// Recommends what the household plays together: tracks played near each other in a listening
/// session (plays less than 30 minutes apart) become neighbours, the nearer in the session the
/// stronger (1 for the next track, 1/2 for the one after, … up to five back), a skip right after
/// a track weakens the pair, and a track everyone plays is damped so it does not answer every
/// question. Kept in its own tables and updated play by play from the event stream: a play never
/// re-reads the history. Listeners who keep their listening to themselves are left out.
public struct CoListeningPlugin: RecommenderPlugin, EventsPlugin {
    public static let descriptor = PluginDescriptor(
        id: "colisten", name: "Played together", version: "1.0.0", enabledByDefault: true,
        permissions: PluginPermissions(events: true),
        migrations: [
            PluginMigration(
                "1-pairs",
                [
                    """
                    CREATE TABLE colisten_recent (user_id TEXT NOT NULL, track_id TEXT NOT NULL, played_at REAL NOT NULL)
                    """,
                    "CREATE INDEX colisten_recent_user ON colisten_recent(user_id, played_at)",
                    """
                    CREATE TABLE colisten_pair (a TEXT NOT NULL, b TEXT NOT NULL, weight REAL NOT NULL,
                        PRIMARY KEY (a, b))
                    """,
                    """
                    CREATE TABLE colisten_track (track_id TEXT PRIMARY KEY NOT NULL, plays INTEGER NOT NULL DEFAULT 0,
                        skips INTEGER NOT NULL DEFAULT 0)
                    """,
                ])
        ])

    /// Plays further apart than this are another session.
    static let sessionGap: Double = 30 * 60
    /// How many plays back a new play pairs with.
    static let window = 5

    let tables: any PluginTables
    let listeners: any ListenerData

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        tables = context.tables
        listeners = context.listenerData
    }

    /// What one event asks of the tables.
    enum Step: Sendable {
        case played(TrackID, by: UserID, at: Double)
        case skipped(TrackID, by: UserID, at: Double)
    }

    /// Up to this many events are handed over at once and written in one transaction: under a
    /// stream of plays that is one write on the server's one writer a round, not one a play.
    /// Not more: one transaction of the batch holds the writer (about 0.7 ms a play) from everyone.
    public var eventBatchLimit: Int { 50 }

    public func handle(_ stored: StoredEvent) async throws {
        try await handle(events: [stored])
    }

    /// The batch's plays and skips, in order, in one transaction (all or nothing: a failure
    /// leaves none of them written, and the batch comes again).
    public func handle(events: [StoredEvent]) async throws {
        var shares: [UserID: Bool] = [:]
        var steps: [Step] = []
        for stored in events {
            let (user, step): (UserID, Step)
            switch stored.event {
            case .trackPlayed(let by, let track, _, let startedAt, _, let counts, _):
                // A play too short to count (under half the track and four minutes) is a skip.
                let time = startedAt.timeIntervalSince1970
                (user, step) = (by, counts ? .played(track, by: by, at: time) : .skipped(track, by: by, at: time))
            case .trackSkipped(let by, let track, _):
                (user, step) = (by, .skipped(track, by: by, at: stored.at.timeIntervalSince1970))
            default:
                continue
            }
            if shares[user] == nil { shares[user] = try await listeners.sharesListening(user) }
            // Listeners who keep their listening to themselves are left out.
            if shares[user] == true { steps.append(step) }
        }
        if !steps.isEmpty {
            let steps = steps
            try await tables.write { sql in
                for step in steps {
                    switch step {
                    case .played(let track, let user, let time): try Self.played(track, by: user, at: time, sql)
                    case .skipped(let track, let user, let time): try Self.skipped(track, by: user, at: time, sql)
                    }
                }
            }
        }
    }

    /// Pairs the play with the listener's last few plays of the same session.
    static func played(_ track: TrackID, by user: UserID, at time: Double, _ sql: any PluginSQL) throws {
        let window = Self.window
        let gap = Self.sessionGap
        let recent = try sql.rows(
            """
            SELECT track_id, played_at FROM colisten_recent WHERE user_id = ? AND played_at <= ?
            ORDER BY played_at DESC LIMIT ?
            """, [.text(user.rawValue), .real(time), .integer(Int64(window))])
        var previous = time
        // Both directions of every pair in one statement (a play's are at most `window` × 2 rows).
        var pairs: [PluginSQLValue] = []
        for (distance, row) in recent.enumerated() {
            guard let other = row["track_id"].text, let at = row["played_at"].real, previous - at <= gap else {
                break
            }
            previous = at
            guard other != track.rawValue else { continue }
            let weight = PluginSQLValue.real(1.0 / Double(distance + 1))
            pairs += [.text(other), .text(track.rawValue), weight, .text(track.rawValue), .text(other), weight]
        }
        if !pairs.isEmpty {
            let rows = Array(repeating: "(?, ?, ?)", count: pairs.count / 3).joined(separator: ", ")
            try sql.execute(
                """
                INSERT INTO colisten_pair (a, b, weight) VALUES \(rows)
                ON CONFLICT (a, b) DO UPDATE SET weight = weight + excluded.weight
                """, pairs)
        }
        try sql.execute(
            "INSERT INTO colisten_recent (user_id, track_id, played_at) VALUES (?, ?, ?)",
            [.text(user.rawValue), .text(track.rawValue), .real(time)])
        // Only the last few plays of each listener are kept.
        try sql.execute(
            """
            DELETE FROM colisten_recent WHERE user_id = ? AND played_at < (
                SELECT played_at FROM colisten_recent WHERE user_id = ? ORDER BY played_at DESC LIMIT 1 OFFSET ?)
            """, [.text(user.rawValue), .text(user.rawValue), .integer(Int64(window * 2))])
        try sql.execute(
            """
            INSERT INTO colisten_track (track_id, plays) VALUES (?, 1)
            ON CONFLICT (track_id) DO UPDATE SET plays = plays + 1
            """, [.text(track.rawValue)])
    }

    /// A skip weakens the pair with the track played just before it.
    static func skipped(_ track: TrackID, by user: UserID, at time: Double, _ sql: any PluginSQL) throws {
        let gap = Self.sessionGap
        if let last = try sql.rows(
            """
            SELECT track_id, played_at FROM colisten_recent WHERE user_id = ? AND played_at <= ?
            ORDER BY played_at DESC LIMIT 1
            """, [.text(user.rawValue), .real(time)]
        ).first, let other = last["track_id"].text, let at = last["played_at"].real, time - at <= gap,
            other != track.rawValue
        {
            for (a, b) in [(other, track.rawValue), (track.rawValue, other)] {
                try sql.execute(
                    """
                    INSERT INTO colisten_pair (a, b, weight) VALUES (?, ?, -0.5)
                    ON CONFLICT (a, b) DO UPDATE SET weight = weight - 0.5
                    """, [.text(a), .text(b)])
            }
        }
        try sql.execute(
            """
            INSERT INTO colisten_track (track_id, skips) VALUES (?, 1)
            ON CONFLICT (track_id) DO UPDATE SET skips = skips + 1
            """, [.text(track.rawValue)])
    }

    public func recommend(_ request: RecommendationRequest) async throws -> [Recommendation] {
        let seeds = Array(request.seeds.prefix(20))
        let excluded = request.excluding.union(seeds)
        let scores = try await tables.read { sql in
            var scores: [String: (score: Double, seed: String)] = [:]
            for seed in seeds {
                let rows = try sql.rows(
                    """
                    SELECT p.b, p.weight, coalesce(t.plays, 0) AS plays, coalesce(t.skips, 0) AS skips
                    FROM colisten_pair p LEFT JOIN colisten_track t ON t.track_id = p.b
                    WHERE p.a = ? AND p.weight > 0 ORDER BY p.weight DESC LIMIT 200
                    """, [.text(seed.rawValue)])
                for row in rows {
                    guard let other = row["b"].text, let weight = row["weight"].real else { continue }
                    let plays = row["plays"].real ?? 0
                    let skips = row["skips"].real ?? 0
                    // Damped by popularity, and by how often it is skipped.
                    let score = weight / (1 + plays).squareRoot() * (1 + plays) / (1 + plays + skips)
                    if score > scores[other]?.score ?? 0 {
                        scores[other] = (score + (scores[other]?.score ?? 0) * 0.5, seed.rawValue)
                    } else {
                        scores[other, default: (0, seed.rawValue)].score += score * 0.5
                    }
                }
            }
            return scores
        }
        let best = scores.filter { !excluded.contains(TrackID($0.key)) }.sorted {
            $0.value.score > $1.value.score || ($0.value.score == $1.value.score && $0.key < $1.key)
        }
        let top = best.first?.value.score ?? 1
        return best.prefix(request.limit).map {
            Recommendation(
                track: TrackID($0.key), similarity: min(1, $0.value.score / max(top, 1e-9)),
                reason: .playedWith(TrackID($0.value.seed)))
        }
    }
}
