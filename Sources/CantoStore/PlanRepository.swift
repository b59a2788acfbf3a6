public import CantoCore
public import Foundation
import GRDB

/// Plans, grants and the ledger in SQLite (`v17-plans`). A grant and its ledger line are
/// written in one transaction; the ledger only grows (the schema refuses changes).
public struct PlanRepository: PlanStore {
    let pool: MeteredPool

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "plans")
    }

    static func plan(_ found: Row) throws -> Plan {
        let row = StoredRow(found, table: "plan")
        let text: String = try row["entitlements"]
        let entitlements = (try? JSONDecoder().decode(Entitlements.self, from: Data(text.utf8))) ?? .unlimited
        let interval: String = try row["interval"]
        return Plan(
            id: PlanID(try row["id"]), name: try row["name"], priceMinor: try row["price_minor"],
            currency: try row["currency"], interval: Plan.Interval(rawValue: interval) ?? .none,
            trialDays: try row["trial_days"], entitlements: entitlements)
    }

    public func plans() async throws -> [Plan] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM plan ORDER BY price_minor, name").map(Self.plan)
        }
    }

    public func savePlan(_ plan: Plan) async throws {
        let entitlements = String(decoding: try JSONEncoder().encode(plan.entitlements), as: UTF8.self)
        try await pool.write { db in
            _ = try db.run(
                """
                INSERT INTO plan (id, name, price_minor, currency, interval, trial_days, entitlements)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
                    currency = excluded.currency, interval = excluded.interval, trial_days = excluded.trial_days,
                    entitlements = excluded.entitlements
                """,
                [
                    plan.id.rawValue, plan.name, plan.priceMinor, plan.currency, plan.interval.rawValue,
                    plan.trialDays, entitlements,
                ])
        }
    }

    public func deletePlan(_ id: PlanID) async throws -> Bool {
        guard id != Plan.freeID else { throw DomainError(.conflict, "The free plan stays.") }
        return try await pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM plan_grant WHERE plan_id = ? LIMIT 1", arguments: [id.rawValue])
                != nil
            {
                throw DomainError(.conflict, "Someone holds this plan; move them to another first.")
            }
            return try db.run("DELETE FROM plan WHERE id = ?", [id.rawValue]) > 0
        }
    }

    public func grant(of user: UserID) async throws -> PlanGrant? {
        try await pool.read { db in
            guard
                let found = try Row.fetchOne(
                    db, sql: "SELECT * FROM plan_grant WHERE user_id = ?", arguments: [user.rawValue])
            else { return nil }
            let row = StoredRow(found, table: "plan_grant")
            let status: String = try row["status"]
            return PlanGrant(
                userID: user, planID: PlanID(try row["plan_id"]), provider: try row["provider"],
                status: PlanGrant.Status(rawValue: status) ?? .canceled, periodEnd: try row.optionalDate("period_end"),
                graceUntil: try row.optionalDate("grace_until"), reference: try row["reference"])
        }
    }

    public func setGrant(_ grant: PlanGrant?, of user: UserID, entry: LedgerEntry) async throws {
        try await check(grant, entry)
        try await pool.write { db in try Self.write(grant, keep: false, of: user, entry: entry, db) }
    }

    public func applyEvent(
        provider: String, eventID: String, user: UserID, keep: Bool, grant: PlanGrant?, entry: LedgerEntry?
    ) async throws -> Bool {
        try await check(grant, entry)
        return try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO payment_event (provider, event_id, applied_at) VALUES (?, ?, ?)",
                arguments: [provider, String(eventID.prefix(200)), Date()])
            guard db.changesCount > 0 else { return false }
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM user WHERE id = ?", arguments: [user.rawValue]) != nil
            else { return true }
            try Self.write(grant, keep: keep, of: user, entry: entry, db)
            return true
        }
    }

    /// Dates that cannot be stored are refused before anything is written.
    private func check(_ grant: PlanGrant?, _ entry: LedgerEntry?) async throws {
        _ = try entry?.at.storable("at")
        _ = try grant?.periodEnd.storable("periodEnd")
        _ = try grant?.graceUntil.storable("graceUntil")
    }

    private static func write(_ grant: PlanGrant?, keep: Bool, of user: UserID, entry: LedgerEntry?, _ db: Database)
        throws
    {
        let periodEnd = grant?.periodEnd
        let graceUntil = grant?.graceUntil
        if !keep {
            if let grant {
                guard
                    try Int.fetchOne(db, sql: "SELECT 1 FROM plan WHERE id = ?", arguments: [grant.planID.rawValue])
                        != nil
                else { throw DomainError(.notFound, "No such plan.") }
                _ = try db.run(
                    """
                    INSERT INTO plan_grant (user_id, plan_id, provider, status, period_end, grace_until, reference)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET plan_id = excluded.plan_id, provider = excluded.provider,
                        status = excluded.status, period_end = excluded.period_end,
                        grace_until = excluded.grace_until, reference = excluded.reference
                    """,
                    [
                        user.rawValue, grant.planID.rawValue, grant.provider, grant.status.rawValue, periodEnd,
                        graceUntil, grant.reference,
                    ])
            } else {
                _ = try db.run("DELETE FROM plan_grant WHERE user_id = ?", [user.rawValue])
            }
        }
        guard let entry else { return }
        _ = try db.run(
            """
            INSERT INTO ledger (at, user_id, kind, plan_id, amount_minor, currency, provider, reference, actor_id, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                entry.at, user.rawValue, entry.kind.rawValue, entry.planID?.rawValue, entry.amountMinor,
                entry.currency, entry.provider, entry.reference.map { String($0.prefix(200)) },
                entry.actorID?.rawValue, entry.note.map { String($0.prefix(500)) },
            ])
    }

    public func ledger(of user: UserID?, limit: Int) async throws -> [LedgerEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM ledger \(user == nil ? "" : "WHERE user_id = ?") ORDER BY at DESC, id DESC LIMIT ?
                    """,
                arguments: StatementArguments((user.map { [$0.rawValue] } ?? []) + [max(0, min(limit, 100_000))])
            ).map { found in
                let row = StoredRow(found, table: "ledger")
                let kind: String = try row["kind"]
                return LedgerEntry(
                    id: try row["id"], at: try row.date("at"), userID: UserID(try row["user_id"]),
                    kind: LedgerEntry.Kind(rawValue: kind) ?? .planChange,
                    planID: (try row["plan_id"] as String?).map { PlanID($0) }, amountMinor: try row["amount_minor"],
                    currency: try row["currency"], provider: try row["provider"], reference: try row["reference"],
                    actorID: (try row["actor_id"] as String?).map { UserID($0) }, note: try row["note"])
            }
        }
    }
}
