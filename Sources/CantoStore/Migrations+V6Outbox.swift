extension Migrations {
    /// The outbox of domain events: written in the same transaction as each event's effect, read
    /// in id order by the dispatcher; each subscriber keeps the last id it finished.
    static let v6Outbox = """
        CREATE TABLE event_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at DATETIME NOT NULL,
            kind TEXT NOT NULL,
            user_id TEXT,
            payload TEXT NOT NULL
        );
        CREATE TABLE event_cursor (
            subscriber TEXT PRIMARY KEY NOT NULL,
            last_id INTEGER NOT NULL
        );
        """
}
