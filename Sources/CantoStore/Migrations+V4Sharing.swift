extension Migrations {
    /// Shares and internet radio stations. Frozen once shipped.
    static let v4Sharing = """
        CREATE TABLE share (
            id TEXT PRIMARY KEY NOT NULL,
            owner_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            description TEXT,
            track_ids TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            expires_at DATETIME,
            last_visited_at DATETIME,
            visit_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX share_owner ON share(owner_id);
        CREATE TABLE radio_station (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            stream_url TEXT NOT NULL,
            homepage_url TEXT
        );
        """
}
