extension Migrations {
    /// Listening rollups, kept up to date in the transaction that records a play (see
    /// `StatsRollups`) and rebuilt from `play` by `canto stats rebuild`. Days and hours are the
    /// listener's own (their time zone preference); months are `year × 12 + month − 1`.
    static let v12Stats = """
        ALTER TABLE user_preferences ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
        CREATE TABLE stat_hour (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            hour INTEGER NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            first_listens INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, day, hour)
        ) WITHOUT ROWID;
        CREATE TABLE stat_track_day (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            track_id TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, day, track_id)
        ) WITHOUT ROWID;
        CREATE TABLE stat_track_month (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            month INTEGER NOT NULL,
            track_id TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, month, track_id)
        ) WITHOUT ROWID;
        CREATE TABLE stat_client_day (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            client TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, day, client)
        ) WITHOUT ROWID;
        CREATE TABLE stat_first (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            track_id TEXT NOT NULL,
            first_at DATETIME NOT NULL,
            day INTEGER NOT NULL,
            hour INTEGER NOT NULL,
            PRIMARY KEY (user_id, track_id)
        ) WITHOUT ROWID;
        CREATE INDEX stat_first_day ON stat_first(user_id, day);
        CREATE TABLE stat_session (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            started_at DATETIME NOT NULL,
            ended_at DATETIME NOT NULL,
            plays INTEGER NOT NULL,
            PRIMARY KEY (user_id, started_at)
        ) WITHOUT ROWID;
        """
}

extension Migrations {
    /// Each recommended track shown to a listener, with the recommender that chose it, and what
    /// happened next (joined as the play, star or thumbs arrives).
    static let v13Impressions = """
        CREATE TABLE rec_impression (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            track_id TEXT NOT NULL,
            source TEXT NOT NULL,
            surface TEXT NOT NULL,
            shown_at DATETIME NOT NULL,
            outcome TEXT CHECK (outcome IN ('played', 'skipped')),
            seconds INTEGER NOT NULL DEFAULT 0,
            starred INTEGER NOT NULL DEFAULT 0,
            feedback INTEGER NOT NULL DEFAULT 0 CHECK (feedback BETWEEN -1 AND 1),
            outcome_at DATETIME
        );
        CREATE INDEX rec_impression_user_track ON rec_impression(user_id, track_id, shown_at);
        CREATE INDEX rec_impression_shown ON rec_impression(shown_at);
        """
}

extension Migrations {
    /// The server's own activity for the admin page: counters per UTC hour (plays, streams,
    /// transcodes by format, bytes, cache hits and misses), every scan, the slowest requests.
    static let v14Activity = """
        CREATE TABLE server_hour (
            hour INTEGER NOT NULL,
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (hour, name, label)
        ) WITHOUT ROWID;
        CREATE TABLE scan_run (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            finished_at DATETIME NOT NULL,
            seconds REAL NOT NULL,
            added INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            cancelled INTEGER NOT NULL
        );
        CREATE TABLE slow_request (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at DATETIME NOT NULL,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            status INTEGER NOT NULL,
            ms REAL NOT NULL
        );
        """
}

extension Migrations {
    /// Charts straight from the rollups: per listener, every play adds to its track, its artist,
    /// its album, each genre, its format and its decade ("items", by kind) for the month, the year
    /// and all time, so a chart sums a few rows per item (or, for a year and all time, reads the
    /// top rows by an index) without joining the catalog until the top items are known; and the
    /// sound of what was played (play-weighted tempo and loudness) per month.
    static let v15ItemRollups = """
        DROP TABLE stat_track_month;
        CREATE TABLE stat_item_month (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            month INTEGER NOT NULL,
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, kind, month, item)
        ) WITHOUT ROWID;
        CREATE TABLE stat_item_year (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            year INTEGER NOT NULL,
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, kind, year, item)
        ) WITHOUT ROWID;
        CREATE INDEX stat_item_year_top ON stat_item_year(user_id, kind, year, plays);
        CREATE TABLE stat_item_total (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, kind, item)
        ) WITHOUT ROWID;
        CREATE INDEX stat_item_total_top ON stat_item_total(user_id, kind, plays);
        CREATE TABLE stat_sound_month (
            user_id TEXT NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            month INTEGER NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            tempo REAL NOT NULL DEFAULT 0,
            loudness REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, month)
        ) WITHOUT ROWID;
        """
}

extension Migrations {
    /// The household's charts as one listener's: the day, month, year and all-time item sums of
    /// every listener who lets the household see their listening (each in their own days), kept
    /// with the play, added or taken away when a listener changes that preference or goes, so a
    /// household chart reads as few rows as one listener's.
    /// Twelve-month windows (`StatsWindows`) per listener and for the household (owner `*`).
    /// A day's track row also names the track's artist and album as they were when played (as
    /// the month and year rows do), so a chart of artists or albums over days reads no catalog.
    static let v16HouseholdRollups = """
        ALTER TABLE stat_track_day ADD COLUMN artist_id TEXT;
        ALTER TABLE stat_track_day ADD COLUMN album_id TEXT;
        CREATE TABLE stat_house_track_day (
            day INTEGER NOT NULL,
            track_id TEXT NOT NULL,
            artist_id TEXT,
            album_id TEXT,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, track_id)
        ) WITHOUT ROWID;
        CREATE TABLE stat_house_item_month (
            month INTEGER NOT NULL,
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (kind, month, item)
        ) WITHOUT ROWID;
        CREATE TABLE stat_house_item_year (
            year INTEGER NOT NULL,
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (kind, year, item)
        ) WITHOUT ROWID;
        CREATE INDEX stat_house_item_year_top ON stat_house_item_year(kind, year, plays);
        CREATE TABLE stat_house_item_total (
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (kind, item)
        ) WITHOUT ROWID;
        CREATE INDEX stat_house_item_total_top ON stat_house_item_total(kind, plays);
        CREATE TABLE stat_window_end (
            owner TEXT NOT NULL,
            end_month INTEGER NOT NULL,
            PRIMARY KEY (owner, end_month)
        ) WITHOUT ROWID;
        CREATE TABLE stat_window (
            owner TEXT NOT NULL,
            end_month INTEGER NOT NULL,
            kind TEXT NOT NULL,
            item TEXT NOT NULL,
            plays INTEGER NOT NULL DEFAULT 0,
            skips INTEGER NOT NULL DEFAULT 0,
            seconds INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (owner, end_month, kind, item)
        ) WITHOUT ROWID;
        CREATE INDEX stat_window_top ON stat_window(owner, end_month, kind, plays);
        """
}
