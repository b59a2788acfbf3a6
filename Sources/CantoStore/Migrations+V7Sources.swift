extension Migrations {
    /// Each library belongs to one media source (the local library's, until now the only one).
    static let v7Sources = """
        ALTER TABLE library ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
        CREATE INDEX library_source ON library(source);
        """
}
