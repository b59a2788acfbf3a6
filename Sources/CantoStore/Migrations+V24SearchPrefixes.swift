extension Migrations {
    /// The search tables again, each with prefix indexes for the first one, two and three
    /// characters of every word: search as you type sends a letter or two, and without them FTS5
    /// gathers every word starting with "s" before it can hand over eight rows (100 to 270 ms at a
    /// million tracks; 1 ms with them). The text is as v21 writes it; the triggers stay. The
    /// composer credits get their own small index: the composers kind checks each name that
    /// matches against it.
    static let v24SearchPrefixes = """
        DROP TABLE IF EXISTS artist_vocab;
        DROP TABLE IF EXISTS album_vocab;
        DROP TABLE IF EXISTS track_vocab;
        DROP TABLE IF EXISTS artist_fts;
        DROP TABLE IF EXISTS album_fts;
        DROP TABLE IF EXISTS track_fts;

        CREATE VIRTUAL TABLE artist_fts USING fts5(
            name, tokenize = "unicode61 remove_diacritics 0", prefix = '1 2 3');
        CREATE VIRTUAL TABLE album_fts USING fts5(
            title, album_artist_name, tokenize = "unicode61 remove_diacritics 0", prefix = '1 2 3');
        CREATE VIRTUAL TABLE track_fts USING fts5(
            title, artist_name, album, album_artist_name, library_key,
            tokenize = "unicode61 remove_diacritics 0", prefix = '1 2 3');
        \(fillSearchTables)

        CREATE INDEX track_artist_composer ON track_artist(artist_id) WHERE role = 'composer';
        """
}
