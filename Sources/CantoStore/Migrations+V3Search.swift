extension Migrations {
    /// Full-text search over artists, albums and tracks, and the indexes the album and track
    /// lists walk.
    ///
    /// The search tables fold case and accents (`remove_diacritics 2`: "bjork" finds "Björk")
    /// and are kept in step with the catalog by triggers, so every writer (scanner, tests,
    /// tools) keeps them right without knowing they exist. A search row has the rowid of its
    /// catalog row, as GRDB's own FTS synchronization does: SQLite keeps rowids through updates
    /// and VACUUM (the library numbers rely on that too). Inserts replace rather than fail, so
    /// a search row can never make a catalog write fail.
    ///
    /// A track's search row also holds its library as one hexadecimal token (`library_key`,
    /// never searched for words), so a search within some libraries is one full-text query
    /// that ranks and pages on the search table alone. `track_album_library` answers "has this
    /// album a track in these libraries" from the index alone.
    static let v3Search = """
        CREATE VIRTUAL TABLE artist_fts USING fts5(
            name,
            tokenize = "unicode61 remove_diacritics 2"
        );
        CREATE VIRTUAL TABLE album_fts USING fts5(
            title, album_artist_name,
            tokenize = "unicode61 remove_diacritics 2"
        );
        CREATE VIRTUAL TABLE track_fts USING fts5(
            title, artist_name, album, album_artist_name, library_key,
            tokenize = "unicode61 remove_diacritics 2"
        );

        INSERT INTO artist_fts (rowid, name) SELECT rowid, name FROM artist;
        INSERT INTO album_fts (rowid, title, album_artist_name) SELECT rowid, title, album_artist_name FROM album;
        INSERT INTO track_fts (rowid, title, artist_name, album, album_artist_name, library_key)
            SELECT rowid, title, artist_name, album, album_artist_name, hex(library_id) FROM track;

        CREATE TRIGGER artist_fts_insert AFTER INSERT ON artist BEGIN
            INSERT OR REPLACE INTO artist_fts (rowid, name) VALUES (new.rowid, new.name);
        END;
        CREATE TRIGGER artist_fts_update AFTER UPDATE OF name ON artist WHEN old.name IS NOT new.name BEGIN
            UPDATE artist_fts SET name = new.name WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER artist_fts_delete AFTER DELETE ON artist BEGIN
            DELETE FROM artist_fts WHERE rowid = old.rowid;
        END;

        CREATE TRIGGER album_fts_insert AFTER INSERT ON album BEGIN
            INSERT OR REPLACE INTO album_fts (rowid, title, album_artist_name)
                VALUES (new.rowid, new.title, new.album_artist_name);
        END;
        CREATE TRIGGER album_fts_update AFTER UPDATE OF title, album_artist_name ON album
        WHEN old.title IS NOT new.title OR old.album_artist_name IS NOT new.album_artist_name BEGIN
            UPDATE album_fts SET title = new.title, album_artist_name = new.album_artist_name
                WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER album_fts_delete AFTER DELETE ON album BEGIN
            DELETE FROM album_fts WHERE rowid = old.rowid;
        END;

        CREATE TRIGGER track_fts_insert AFTER INSERT ON track BEGIN
            INSERT OR REPLACE INTO track_fts (rowid, title, artist_name, album, album_artist_name, library_key)
                VALUES (new.rowid, new.title, new.artist_name, new.album, new.album_artist_name, hex(new.library_id));
        END;
        CREATE TRIGGER track_fts_update AFTER UPDATE OF title, artist_name, album, album_artist_name, library_id ON track
        WHEN old.title IS NOT new.title OR old.artist_name IS NOT new.artist_name OR old.album IS NOT new.album
            OR old.album_artist_name IS NOT new.album_artist_name OR old.library_id IS NOT new.library_id BEGIN
            UPDATE track_fts SET title = new.title, artist_name = new.artist_name, album = new.album,
                album_artist_name = new.album_artist_name, library_key = hex(new.library_id)
                WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER track_fts_delete AFTER DELETE ON track BEGIN
            DELETE FROM track_fts WHERE rowid = old.rowid;
        END;

        CREATE INDEX track_sort_title ON track(sort_title);
        CREATE INDEX track_album_library ON track(album_id, library_id);
        CREATE INDEX album_year ON album(year, sort_title);
        CREATE INDEX play_track ON play(track_id);
        CREATE INDEX annotation_user_kind_starred ON annotation(user_id, kind, starred_at);
        """
}
