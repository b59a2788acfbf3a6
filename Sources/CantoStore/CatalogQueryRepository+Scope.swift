import CantoCore
import GRDB

extension CatalogQueryRepository {
    /// The condition that keeps rows inside the libraries a user may see: `TRUE` for every
    /// library. Tracks belong to one library; albums and artists have none of their own and
    /// are visible when one of their tracks is.
    struct Scope: Sendable {
        /// nil for every library.
        let libraryIDs: [String]?

        init(_ scope: LibraryScope) {
            libraryIDs = scope?.map(\.rawValue)
        }

        /// A condition on a table with a `library_id` column (`track`, `track_fts`, or an alias).
        func tracks(_ table: String = "track") -> SQL {
            guard let libraryIDs else { return "TRUE" }
            return "\(sql: table).library_id IN \(libraryIDs)"
        }

        /// A condition on the album whose ID is the SQL expression `id`. The index on
        /// (album_id, library_id) answers it without reading a track.
        func albums(id: String = "album.id") -> SQL {
            guard let libraryIDs else { return "TRUE" }
            return """
                EXISTS (SELECT 1 FROM track AS scoped WHERE scoped.album_id = \(sql: id)
                    AND scoped.library_id IN \(libraryIDs))
                """
        }

        /// A condition on the artist whose ID is the SQL expression `id`: credited on a track
        /// in scope, or album artist of an album with a track in scope. The nesting makes
        /// SQLite go from the artist to its albums to their tracks, never through a library's
        /// every track.
        func artists(id: String = "artist.id") -> SQL {
            guard let libraryIDs else { return "TRUE" }
            return """
                (EXISTS (SELECT 1 FROM track_artist AS credit JOIN track AS scoped ON scoped.id = credit.track_id
                    WHERE credit.artist_id = \(sql: id) AND scoped.library_id IN \(libraryIDs))
                OR EXISTS (SELECT 1 FROM album AS owned WHERE owned.album_artist_id = \(sql: id)
                    AND EXISTS (SELECT 1 FROM track AS scoped WHERE scoped.album_id = owned.id
                        AND scoped.library_id IN \(libraryIDs))))
                """
        }
    }
}
