extension Migrations {
    /// Search as you type's best names for the prefixes many names start with (`SearchPrefixes`),
    /// rebuilt at the end of a scan that changed what the search tables hold; empty until then.
    ///
    /// `search_generation` moves whenever the search tables' text does (a name added, renamed or
    /// removed, a track moved to another library, a composer credit added or removed): the kept
    /// names belong to the generation they were built from. Not `catalog_version`, which every
    /// scan's end moves (it refreshes every album's and artist's figures), so that a rescan that
    /// changed nothing keeps them.
    static let v26SearchBest = """
        CREATE TABLE search_prefix_best (
            kind INTEGER NOT NULL,
            prefix TEXT NOT NULL,
            rowids BLOB NOT NULL,
            PRIMARY KEY (kind, prefix)
        ) WITHOUT ROWID;
        CREATE TABLE search_prefix_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        CREATE TABLE search_generation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        INSERT INTO search_generation (id, generation) VALUES (1, 0);

        """
        + [
            ("artist", "INSERT", ""), ("artist", "DELETE", ""),
            ("artist", "UPDATE OF name", "WHEN old.name IS NOT new.name"),
            ("album", "INSERT", ""), ("album", "DELETE", ""),
            (
                "album", "UPDATE OF title, album_artist_name",
                "WHEN old.title IS NOT new.title OR old.album_artist_name IS NOT new.album_artist_name"
            ),
            ("track", "INSERT", ""), ("track", "DELETE", ""),
            (
                "track", "UPDATE OF title, artist_name, album, album_artist_name, library_id",
                """
                WHEN old.title IS NOT new.title OR old.artist_name IS NOT new.artist_name
                    OR old.album IS NOT new.album OR old.album_artist_name IS NOT new.album_artist_name
                    OR old.library_id IS NOT new.library_id
                """
            ),
            ("track_artist", "INSERT", "WHEN new.role = 'composer'"),
            ("track_artist", "DELETE", "WHEN old.role = 'composer'"),
        ].map { table, event, condition in
            let name = "\(table)_search_\(event.split(separator: " ")[0].lowercased())"
            return """
                CREATE TRIGGER \(name) AFTER \(event) ON \(table) \(condition) BEGIN
                    UPDATE search_generation SET generation = generation + 1;
                END;
                """
        }.joined(separator: "\n")
}
