extension Migrations {
    /// The vocabulary tables over the search tables, and the search tables filled from the
    /// catalog (v21 and v24 build them the same way).
    static let fillSearchTables = """
        CREATE VIRTUAL TABLE artist_vocab USING fts5vocab(artist_fts, row);
        CREATE VIRTUAL TABLE album_vocab USING fts5vocab(album_fts, row);
        CREATE VIRTUAL TABLE track_vocab USING fts5vocab(track_fts, row);

        INSERT INTO artist_fts (rowid, name) SELECT rowid, canto_search_text(name) FROM artist;
        INSERT INTO album_fts (rowid, title, album_artist_name)
            SELECT rowid, canto_search_text(title), canto_search_text(album_artist_name) FROM album;
        INSERT INTO track_fts (rowid, title, artist_name, album, album_artist_name, library_key)
            SELECT rowid, canto_search_text(title), canto_search_text(artist_name), canto_search_text(album),
                canto_search_text(album_artist_name), hex(library_id) FROM track;
        """

    /// Search that reads every script and forgives punctuation: the search tables hold
    /// `canto_search_text()` of each name (`SearchText.indexForm`: compatibility forms, case,
    /// accents and ß/æ/ø/ł… folded, katakana as hiragana, spaceless scripts one token per
    /// character, "AC/DC" as "ac dc acdc"), so the tokenizer only splits on spaces. The
    /// vocabulary tables list the words, for typo correction. Triggers keep everything in step
    /// as before; `annotation_item_starred` counts an item's stars for ranking.
    static let v21Search = """
        DROP TRIGGER IF EXISTS artist_fts_insert;
        DROP TRIGGER IF EXISTS artist_fts_update;
        DROP TRIGGER IF EXISTS artist_fts_delete;
        DROP TRIGGER IF EXISTS album_fts_insert;
        DROP TRIGGER IF EXISTS album_fts_update;
        DROP TRIGGER IF EXISTS album_fts_delete;
        DROP TRIGGER IF EXISTS track_fts_insert;
        DROP TRIGGER IF EXISTS track_fts_update;
        DROP TRIGGER IF EXISTS track_fts_delete;
        DROP TABLE IF EXISTS artist_fts;
        DROP TABLE IF EXISTS album_fts;
        DROP TABLE IF EXISTS track_fts;

        CREATE VIRTUAL TABLE artist_fts USING fts5(name, tokenize = "unicode61 remove_diacritics 0");
        CREATE VIRTUAL TABLE album_fts USING fts5(
            title, album_artist_name, tokenize = "unicode61 remove_diacritics 0");
        CREATE VIRTUAL TABLE track_fts USING fts5(
            title, artist_name, album, album_artist_name, library_key,
            tokenize = "unicode61 remove_diacritics 0");
        \(fillSearchTables)

        CREATE TRIGGER artist_fts_insert AFTER INSERT ON artist BEGIN
            INSERT OR REPLACE INTO artist_fts (rowid, name) VALUES (new.rowid, canto_search_text(new.name));
        END;
        CREATE TRIGGER artist_fts_update AFTER UPDATE OF name ON artist WHEN old.name IS NOT new.name BEGIN
            UPDATE artist_fts SET name = canto_search_text(new.name) WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER artist_fts_delete AFTER DELETE ON artist BEGIN
            DELETE FROM artist_fts WHERE rowid = old.rowid;
        END;

        CREATE TRIGGER album_fts_insert AFTER INSERT ON album BEGIN
            INSERT OR REPLACE INTO album_fts (rowid, title, album_artist_name)
                VALUES (new.rowid, canto_search_text(new.title), canto_search_text(new.album_artist_name));
        END;
        CREATE TRIGGER album_fts_update AFTER UPDATE OF title, album_artist_name ON album
        WHEN old.title IS NOT new.title OR old.album_artist_name IS NOT new.album_artist_name BEGIN
            UPDATE album_fts SET title = canto_search_text(new.title),
                album_artist_name = canto_search_text(new.album_artist_name)
                WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER album_fts_delete AFTER DELETE ON album BEGIN
            DELETE FROM album_fts WHERE rowid = old.rowid;
        END;

        CREATE TRIGGER track_fts_insert AFTER INSERT ON track BEGIN
            INSERT OR REPLACE INTO track_fts (rowid, title, artist_name, album, album_artist_name, library_key)
                VALUES (new.rowid, canto_search_text(new.title), canto_search_text(new.artist_name),
                    canto_search_text(new.album), canto_search_text(new.album_artist_name), hex(new.library_id));
        END;
        CREATE TRIGGER track_fts_update AFTER UPDATE OF title, artist_name, album, album_artist_name, library_id ON track
        WHEN old.title IS NOT new.title OR old.artist_name IS NOT new.artist_name OR old.album IS NOT new.album
            OR old.album_artist_name IS NOT new.album_artist_name OR old.library_id IS NOT new.library_id BEGIN
            UPDATE track_fts SET title = canto_search_text(new.title), artist_name = canto_search_text(new.artist_name),
                album = canto_search_text(new.album), album_artist_name = canto_search_text(new.album_artist_name),
                library_key = hex(new.library_id)
                WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER track_fts_delete AFTER DELETE ON track BEGIN
            DELETE FROM track_fts WHERE rowid = old.rowid;
        END;

        CREATE INDEX annotation_item_starred ON annotation(item_id) WHERE starred_at IS NOT NULL;
        """
}
