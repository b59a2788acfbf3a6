extension Migrations {
    /// Accounts and what each user owns. Every user-owned row goes with its user (ON DELETE
    /// CASCADE); plays keep their track ID without a foreign key so history survives a rescan
    /// that drops a file, and the audit log names actors without one so it outlives them.
    static let v2Accounts = """
        CREATE TABLE user (
            id TEXT PRIMARY KEY NOT NULL,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            email TEXT,
            role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
            password_hash TEXT NOT NULL,
            app_password BLOB NOT NULL,
            max_bitrate INTEGER,
            library_ids_restricted INTEGER NOT NULL DEFAULT 0,
            can_download INTEGER NOT NULL DEFAULT 1,
            can_share INTEGER NOT NULL DEFAULT 1,
            created_at DATETIME NOT NULL,
            last_seen_at DATETIME
        );
        CREATE TABLE user_library (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            library_id TEXT NOT NULL REFERENCES library(id) ON DELETE CASCADE,
            PRIMARY KEY (user_id, library_id)
        );
        CREATE INDEX user_library_library ON user_library(library_id);
        CREATE TABLE user_preferences (
            user_id TEXT PRIMARY KEY NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            stream_format TEXT NOT NULL,
            max_bitrate INTEGER NOT NULL,
            theme TEXT NOT NULL,
            language TEXT NOT NULL,
            scrobbling INTEGER NOT NULL,
            listening_visible INTEGER NOT NULL
        );
        CREATE TABLE user_avatar (
            user_id TEXT PRIMARY KEY NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            mime_type TEXT NOT NULL,
            data BLOB NOT NULL
        );
        CREATE TABLE session (
            id TEXT PRIMARY KEY NOT NULL,
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            created_at DATETIME NOT NULL,
            expires_at DATETIME NOT NULL,
            last_used_at DATETIME NOT NULL,
            client TEXT,
            address TEXT
        );
        CREATE INDEX session_user ON session(user_id);
        CREATE INDEX session_expires ON session(expires_at);
        CREATE INDEX session_last_used ON session(last_used_at);
        CREATE TABLE api_key (
            id TEXT PRIMARY KEY NOT NULL,
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at DATETIME NOT NULL,
            last_used_at DATETIME
        );
        CREATE INDEX api_key_user ON api_key(user_id);
        CREATE TABLE play (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            track_id TEXT NOT NULL,
            started_at DATETIME NOT NULL,
            seconds_played INTEGER NOT NULL,
            client TEXT,
            scrobble INTEGER NOT NULL
        );
        CREATE INDEX play_user_started ON play(user_id, started_at);
        CREATE TABLE playlist (
            id TEXT PRIMARY KEY NOT NULL,
            owner_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            comment TEXT,
            is_public INTEGER NOT NULL DEFAULT 0,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL
        );
        CREATE INDEX playlist_owner ON playlist(owner_id);
        CREATE INDEX playlist_public ON playlist(is_public);
        CREATE TABLE playlist_track (
            playlist_id TEXT NOT NULL REFERENCES playlist(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            track_id TEXT NOT NULL,
            PRIMARY KEY (playlist_id, position)
        );
        CREATE TABLE play_queue (
            user_id TEXT PRIMARY KEY NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            track_ids TEXT NOT NULL,
            current_index INTEGER,
            position_ms INTEGER NOT NULL,
            changed_at DATETIME NOT NULL,
            changed_by TEXT
        );
        CREATE TABLE bookmark (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            track_id TEXT NOT NULL,
            position_ms INTEGER NOT NULL,
            comment TEXT,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL,
            PRIMARY KEY (user_id, track_id)
        );
        CREATE TABLE annotation (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('track', 'album', 'artist')),
            starred_at DATETIME,
            rating INTEGER CHECK (rating BETWEEN 1 AND 5),
            PRIMARY KEY (user_id, item_id)
        );
        CREATE TABLE audit_event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at DATETIME NOT NULL,
            kind TEXT NOT NULL,
            actor_id TEXT,
            subject TEXT,
            address TEXT
        );
        CREATE INDEX audit_event_at ON audit_event(at);
        CREATE TABLE setting (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        );
        """
}
