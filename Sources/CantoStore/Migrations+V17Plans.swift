extension Migrations {
    /// Plans and what they grant, each listener's plan beyond the free one, and the ledger of
    /// payments, refunds and plan changes — append-only: the database refuses to change or remove
    /// a line. Everyone starts on "free", which grants everything until an admin limits it.
    static let v17Plans = """
        CREATE TABLE plan (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            price_minor INTEGER NOT NULL DEFAULT 0,
            currency TEXT NOT NULL DEFAULT 'EUR',
            interval TEXT NOT NULL DEFAULT 'none',
            trial_days INTEGER NOT NULL DEFAULT 0,
            entitlements TEXT NOT NULL
        );
        INSERT INTO plan (id, name, entitlements)
        VALUES ('free', 'Free', '{"originalFiles":true,"downloads":true,"shares":true}');
        CREATE TABLE plan_grant (
            user_id TEXT PRIMARY KEY NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            plan_id TEXT NOT NULL REFERENCES plan(id),
            provider TEXT NOT NULL,
            status TEXT NOT NULL,
            period_end DATETIME,
            grace_until DATETIME,
            reference TEXT
        );
        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at DATETIME NOT NULL,
            user_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            plan_id TEXT,
            amount_minor INTEGER NOT NULL DEFAULT 0,
            currency TEXT NOT NULL,
            provider TEXT NOT NULL,
            reference TEXT,
            actor_id TEXT,
            note TEXT
        );
        CREATE INDEX ledger_user ON ledger(user_id, at);
        CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
        CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
        """
}

extension Migrations {
    /// The payment providers' events applied, so the same event delivered again changes nothing.
    static let v18PaymentEvents = """
        CREATE TABLE payment_event (
            provider TEXT NOT NULL,
            event_id TEXT NOT NULL,
            applied_at DATETIME NOT NULL,
            PRIMARY KEY (provider, event_id)
        ) WITHOUT ROWID;
        """
}
