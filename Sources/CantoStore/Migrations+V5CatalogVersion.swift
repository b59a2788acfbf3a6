extension Migrations {
    /// A counter that moves whenever an artist or album row changes, kept by triggers so every
    /// writer (the scanner, another `canto` process, tests) moves it. Responses built from
    /// whole artist and album lists (the Subsonic artist index) are cached against it. Track
    /// rows have no trigger: a scan's per-track cost stays as it was, and every track change
    /// that alters an album or artist reaches those rows when the scan finishes.
    static let v5CatalogVersion = """
        CREATE TABLE catalog_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO catalog_version (id, version) VALUES (1, 0);
        CREATE TRIGGER artist_version_insert AFTER INSERT ON artist BEGIN
            UPDATE catalog_version SET version = version + 1;
        END;
        CREATE TRIGGER artist_version_update AFTER UPDATE ON artist BEGIN
            UPDATE catalog_version SET version = version + 1;
        END;
        CREATE TRIGGER artist_version_delete AFTER DELETE ON artist BEGIN
            UPDATE catalog_version SET version = version + 1;
        END;
        CREATE TRIGGER album_version_insert AFTER INSERT ON album BEGIN
            UPDATE catalog_version SET version = version + 1;
        END;
        CREATE TRIGGER album_version_update AFTER UPDATE ON album BEGIN
            UPDATE catalog_version SET version = version + 1;
        END;
        CREATE TRIGGER album_version_delete AFTER DELETE ON album BEGIN
            UPDATE catalog_version SET version = version + 1;
        END;
        """
}
