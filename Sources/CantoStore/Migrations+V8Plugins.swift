extension Migrations {
    /// Listeners' accounts at plugins' services (secrets sealed by the server's key), and each
    /// plugin's own key-value store.
    static let v8Plugins = """
        CREATE TABLE plugin_account (
            plugin_id TEXT NOT NULL,
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            secret BLOB NOT NULL,
            name TEXT,
            state TEXT NOT NULL CHECK (state IN ('linked', 'reconnect')),
            message TEXT,
            linked_at DATETIME NOT NULL,
            sent INTEGER NOT NULL DEFAULT 0,
            last_sent_at DATETIME,
            PRIMARY KEY (plugin_id, user_id)
        );
        CREATE INDEX plugin_account_user ON plugin_account(user_id);
        CREATE TABLE plugin_user_setting (
            plugin_id TEXT NOT NULL,
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (plugin_id, user_id, key)
        );
        CREATE TABLE plugin_value (
            plugin_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value BLOB NOT NULL,
            updated_at DATETIME NOT NULL,
            PRIMARY KEY (plugin_id, key)
        );
        """

    /// The migrations of each plugin's own tables that have run.
    static let v9PluginMigrations = """
        CREATE TABLE plugin_migration (
            plugin_id TEXT NOT NULL,
            id TEXT NOT NULL,
            applied_at DATETIME NOT NULL,
            PRIMARY KEY (plugin_id, id)
        );
        """
}

extension Migrations {
    /// Each track's sonic features (or why it has none), measured for its content hash by one
    /// version of the analyser: a changed file or a new analyser measures it again.
    static let v10Sonic = """
        CREATE TABLE track_sonic (
            track_id TEXT PRIMARY KEY NOT NULL REFERENCES track(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            version INTEGER NOT NULL,
            features BLOB,
            failure TEXT,
            seconds REAL NOT NULL DEFAULT 0,
            analyzed_at DATETIME NOT NULL,
            CHECK ((features IS NULL) != (failure IS NULL))
        );
        """
}

extension Migrations {
    /// A listener's thumbs down: the track is never recommended to them again (a thumbs up is a star).
    static let v11Dislikes = """
        CREATE TABLE track_dislike (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            track_id TEXT NOT NULL,
            disliked_at DATETIME NOT NULL,
            PRIMARY KEY (user_id, track_id)
        ) WITHOUT ROWID;
        """
}
