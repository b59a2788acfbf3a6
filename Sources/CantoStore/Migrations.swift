import GRDB

/// The schema's history. A shipped migration is frozen: change the schema with a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-catalog") { db in
            try db.execute(sql: v1Catalog)
        }
        migrator.registerMigration("v2-accounts") { db in
            try db.execute(sql: v2Accounts)
        }
        migrator.registerMigration("v3-search") { db in
            try db.execute(sql: v3Search)
        }
        migrator.registerMigration("v4-sharing") { db in
            try db.execute(sql: v4Sharing)
        }
        migrator.registerMigration("v5-catalog-version") { db in
            try db.execute(sql: v5CatalogVersion)
        }
        migrator.registerMigration("v6-outbox") { db in
            try db.execute(sql: v6Outbox)
        }
        migrator.registerMigration("v7-sources") { db in
            try db.execute(sql: v7Sources)
        }
        migrator.registerMigration("v8-plugins") { db in
            try db.execute(sql: v8Plugins)
        }
        migrator.registerMigration("v9-plugin-migrations") { db in
            try db.execute(sql: v9PluginMigrations)
        }
        migrator.registerMigration("v10-sonic") { db in
            try db.execute(sql: v10Sonic)
        }
        migrator.registerMigration("v11-dislikes") { db in
            try db.execute(sql: v11Dislikes)
        }
        migrator.registerMigration("v12-stats") { db in
            try db.execute(sql: v12Stats)
            // The history so far is rolled up by v15, once every rollup table is there.
        }
        migrator.registerMigration("v13-impressions") { db in
            try db.execute(sql: v13Impressions)
        }
        migrator.registerMigration("v14-activity") { db in
            try db.execute(sql: v14Activity)
        }
        migrator.registerMigration("v15-item-rollups") { db in
            try db.execute(sql: v15ItemRollups)
            // Rolled up by v16, once the household's tables are there too.
        }
        migrator.registerMigration("v16-household-rollups") { db in
            try db.execute(sql: v16HouseholdRollups)
            let rolledUp = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM stat_item_total)") ?? false
            if rolledUp {
                // Rolled up by an earlier v15: each day's row learns its artist and album, and
                // the sharing listeners' sums are the household's.
                try db.execute(
                    sql: """
                        UPDATE stat_track_day SET
                            artist_id = (SELECT artist_id FROM track_artist WHERE track_id = stat_track_day.track_id
                                AND role = 'artist' ORDER BY position LIMIT 1),
                            album_id = (SELECT album_id FROM track WHERE id = stat_track_day.track_id)
                        """)
                for user in try String.fetchAll(db, sql: "SELECT id FROM user")
                where try StatsRollups.owner(user, db).shared {
                    try StatsRollups.share(user, sign: 1, windows: false, db)
                }
                try StatsRollups.resetWindows(
                    of: try String.fetchAll(db, sql: "SELECT id FROM user") + [StatsRollups.household], db)
            }
            // Otherwise the history is rolled up by v25, once the rollups have all their columns.
        }
        migrator.registerMigration("v17-plans") { db in
            try db.execute(sql: v17Plans)
        }
        migrator.registerMigration("v18-payment-events") { db in
            try db.execute(sql: v18PaymentEvents)
        }
        // What a listener uploaded counts against their plan's storage.
        migrator.registerMigration("v19-upload-bytes") { db in
            try db.execute(sql: "ALTER TABLE playlist ADD COLUMN upload_bytes INTEGER NOT NULL DEFAULT 0")
        }
        // Smart playlists: their rules, and the state of the library and the history their tracks
        // were last worked out for.
        migrator.registerMigration("v20-smart-playlists") { db in
            try db.execute(sql: "ALTER TABLE playlist ADD COLUMN rules TEXT")
            try db.execute(sql: "ALTER TABLE playlist ADD COLUMN smart_stamp TEXT")
        }
        // Search over folded text in every script, with a vocabulary for typos.
        migrator.registerMigration("v21-search-text") { db in try db.execute(sql: v21Search) }
        // The end of a scan removes artwork no track uses any more: without this index each artwork
        // was a scan of every track (at a million tracks and 17,000 covers, hours).
        migrator.registerMigration("v22-track-artwork") { db in
            try db.execute(sql: "CREATE INDEX track_artwork ON track(artwork_id)")
        }
        // The artist index (getArtists) reads album artists in sort-name order: this partial index
        // holds every column it answers, so a page is one run through the index instead of a
        // lookup of each artist's row (64,000 album artists of 300,000 at a million tracks).
        migrator.registerMigration("v23-artist-index") { db in
            try db.execute(
                sql: """
                    CREATE INDEX artist_index ON artist(sort_name, id, name, mbid, album_count, track_count)
                    WHERE album_count > 0
                    """)
        }
        migrator.registerMigration("v24-search-prefixes") { db in try db.execute(sql: v24SearchPrefixes) }
        // The "recent" and "frequent" album lists grouped the listener's whole history on every
        // request; the all-time rollup keeps each album's latest play beside its count instead.
        migrator.registerMigration("v25-last-played") { db in
            try db.execute(
                sql: """
                    ALTER TABLE stat_item_total ADD COLUMN last_played DATETIME;
                    UPDATE stat_item_total SET last_played = latest.at FROM (
                        SELECT play.user_id AS user_id, track.album_id AS album_id, max(play.started_at) AS at
                        FROM play JOIN track ON track.id = play.track_id GROUP BY play.user_id, track.album_id
                    ) AS latest
                    WHERE stat_item_total.kind = 'l' AND stat_item_total.user_id = latest.user_id
                        AND stat_item_total.item = latest.album_id;
                    CREATE INDEX stat_item_total_recent ON stat_item_total(user_id, kind, last_played);
                    """)
            // A history from before the rollups (upgraded past v16 in this run) is rolled up now.
            let rolledUp = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM stat_item_total)") ?? false
            if !rolledUp { _ = try StatsRollups.rebuild(db, user: nil) }
        }
        migrator.registerMigration("v26-search-best") { db in try db.execute(sql: v26SearchBest) }
        // Whether the end of a scan has album and artist figures to work out again: set by every
        // catalog write that adds, changes or removes a track, cleared by the refresh. The end of
        // a scan that changed nothing (a media source ends every scan) rewrote every album and
        // artist row, moving `catalog_version` and dropping every catalog cache; now it writes
        // nothing, and the local scanner, which skipped that end, can always call it, so a scan
        // cut off before its end gets its figures at the next one. Due on an upgraded file.
        migrator.registerMigration("v27-aggregates-due") { db in
            try db.execute(
                sql: """
                    CREATE TABLE catalog_pending (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        aggregates INTEGER NOT NULL
                    );
                    INSERT INTO catalog_pending (id, aggregates) VALUES (1, 1);
                    """)
        }
        // A version for each group of tables a request cache is kept under (`WatchedTables`),
        // moved by triggers: a sign-in's user row and a song list's stars were kept only until
        // the next commit of any kind, and under load a play commits several times a second.
        migrator.registerMigration("v28-watched-versions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE watched_version (
                        name TEXT PRIMARY KEY NOT NULL,
                        version INTEGER NOT NULL
                    );
                    """)
            try watch([.accounts, .annotations], db)
        }
        // The sonic recommender rebuilds its index when the analysed tracks change; it counted
        // them to know, a join of every track's features with the track (0.4–0.7 s of CPU at a million
        // tracks, every two minutes). Their own version is one row.
        migrator.registerMigration("v29-watched-sonic") { db in
            try watch([.sonic], db)
        }
        // Every signed-in request of the native API read its session and its user, a fifth of
        // the album grid's CPU at a million tracks: both are kept until their tables change.
        migrator.registerMigration("v30-watched-sessions") { db in
            try watch([.sessions], db)
        }
        // A first scan sets the catalog's secondary indexes aside and builds them at its end
        // (`DeferredIndexes`); what is set aside is listed here until it is built again.
        migrator.registerMigration("v31-deferred-indexes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deferred_index (
                        name TEXT PRIMARY KEY NOT NULL,
                        sql TEXT NOT NULL
                    )
                    """)
        }
        return migrator
    }

    /// Adds each group's row to `watched_version` and the triggers on its tables that move it.
    private static func watch(_ groups: [WatchedTables], _ db: Database) throws {
        for group in groups {
            try db.execute(
                sql: "INSERT INTO watched_version (name, version) VALUES (?, 0)", arguments: [group.rawValue])
            for table in WatchedTables.tables[group] ?? [] {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try db.execute(
                        sql: """
                            CREATE TRIGGER \(table)_watched_\(event.lowercased()) AFTER \(event) ON \(table) BEGIN
                                UPDATE watched_version SET version = version + 1 WHERE name = '\(group.rawValue)';
                            END;
                            """)
                }
            }
        }
    }

    static let v1Catalog = """
        CREATE TABLE library (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            path TEXT NOT NULL UNIQUE,
            last_scan_at DATETIME
        );
        CREATE TABLE folder (
            id TEXT PRIMARY KEY NOT NULL,
            library_id TEXT NOT NULL REFERENCES library(id) ON DELETE CASCADE,
            parent_id TEXT,
            path TEXT NOT NULL,
            name TEXT NOT NULL,
            UNIQUE (library_id, path)
        );
        CREATE INDEX folder_parent ON folder(parent_id);
        CREATE TABLE artwork (
            id TEXT PRIMARY KEY NOT NULL,
            source TEXT NOT NULL,
            path TEXT NOT NULL,
            mime_type TEXT NOT NULL,
            byte_count INTEGER NOT NULL
        );
        CREATE TABLE artist (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            sort_name TEXT NOT NULL,
            mbid TEXT,
            album_count INTEGER NOT NULL DEFAULT 0,
            track_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX artist_sort ON artist(sort_name);
        CREATE TABLE album (
            id TEXT PRIMARY KEY NOT NULL,
            title TEXT NOT NULL,
            sort_title TEXT NOT NULL,
            album_artist_id TEXT NOT NULL,
            album_artist_name TEXT NOT NULL,
            year INTEGER,
            compilation INTEGER NOT NULL DEFAULT 0,
            release_mbid TEXT,
            release_group_mbid TEXT,
            artwork_id TEXT,
            track_count INTEGER NOT NULL DEFAULT 0,
            disc_count INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER NOT NULL DEFAULT 0,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL
        );
        CREATE INDEX album_sort ON album(sort_title);
        CREATE INDEX album_artist ON album(album_artist_id);
        CREATE INDEX album_created ON album(created_at);
        CREATE TABLE track (
            id TEXT PRIMARY KEY NOT NULL,
            library_id TEXT NOT NULL REFERENCES library(id) ON DELETE CASCADE,
            folder_id TEXT NOT NULL,
            album_id TEXT NOT NULL,
            path TEXT NOT NULL,
            suffix TEXT NOT NULL,
            size INTEGER NOT NULL,
            modified_at DATETIME NOT NULL,
            content_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            sort_title TEXT NOT NULL,
            album TEXT NOT NULL,
            artist_name TEXT NOT NULL,
            album_artist_name TEXT NOT NULL,
            track_number INTEGER,
            track_total INTEGER,
            disc_number INTEGER,
            disc_total INTEGER,
            disc_subtitle TEXT,
            date TEXT,
            original_date TEXT,
            year INTEGER,
            compilation INTEGER NOT NULL DEFAULT 0,
            comment TEXT,
            bpm INTEGER,
            isrc TEXT,
            mbz_recording_id TEXT,
            mbz_track_id TEXT,
            mbz_release_id TEXT,
            mbz_release_group_id TEXT,
            mbz_artist_ids TEXT,
            mbz_album_artist_ids TEXT,
            rg_track_gain REAL,
            rg_track_peak REAL,
            rg_album_gain REAL,
            rg_album_peak REAL,
            duration_ms INTEGER NOT NULL DEFAULT 0,
            bitrate INTEGER NOT NULL DEFAULT 0,
            sample_rate INTEGER NOT NULL DEFAULT 0,
            channels INTEGER NOT NULL DEFAULT 0,
            bit_depth INTEGER,
            codec TEXT,
            artwork_id TEXT,
            play_count INTEGER NOT NULL DEFAULT 0,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL,
            UNIQUE (library_id, path)
        );
        CREATE INDEX track_folder ON track(folder_id);
        CREATE INDEX track_album ON track(album_id, disc_number, track_number);
        CREATE INDEX track_content ON track(content_hash);
        CREATE TABLE track_artist (
            track_id TEXT NOT NULL REFERENCES track(id) ON DELETE CASCADE,
            artist_id TEXT NOT NULL REFERENCES artist(id),
            role TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (track_id, role, position)
        );
        CREATE INDEX track_artist_artist ON track_artist(artist_id, role);
        CREATE TABLE genre (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL
        );
        CREATE TABLE track_genre (
            track_id TEXT NOT NULL REFERENCES track(id) ON DELETE CASCADE,
            genre_id TEXT NOT NULL REFERENCES genre(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (track_id, genre_id)
        );
        CREATE INDEX track_genre_genre ON track_genre(genre_id);
        CREATE TABLE lyrics (
            track_id TEXT PRIMARY KEY NOT NULL REFERENCES track(id) ON DELETE CASCADE,
            plain TEXT,
            synced TEXT
        );
        """
}
