extension Migrations {
    /// A counter that moves whenever an artist or album row changes, kept by triggers so every
    /// writer (the scanner, another `canto` process, tests) moves it. Responses built from
    /// whole artist and album lists (the Subsonic artist index) are cached against it. Track
    /// rows have no trigger: a scan's per-track cost stays as it was, and every track change
    /// that alters an album or artist reaches those rows when the scan finishes.
    static let v5CatalogVersion =
        """
        CREATE TABLE catalog_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO catalog_version (id, version) VALUES (1, 0);

        """
        + ["artist", "album"].flatMap { table in
            ["INSERT", "UPDATE", "DELETE"].map { event in
                """
                CREATE TRIGGER \(table)_version_\(event.lowercased()) AFTER \(event) ON \(table) BEGIN
                    UPDATE catalog_version SET version = version + 1;
                END;
                """
            }
        }.joined(separator: "\n")
}
