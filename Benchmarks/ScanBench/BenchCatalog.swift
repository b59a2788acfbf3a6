import Foundation
import GRDB

/// A catalog written straight into SQLite for the benchmarks: one library, `tracks` tracks of
/// four minutes ("Track N" by "Artist N" on "Album N"; a tenth as many albums, a fiftieth as many
/// artists, 40 genres), every other track with an ISRC.
enum BenchCatalog {
    static func write(_ db: Database, tracks: Int, now: Date) throws {
        try db.execute(
            sql: "INSERT INTO library (id, name, path) VALUES ('lib', 'Bench', '/music')")
        try db.execute(
            sql: "INSERT INTO folder (id, library_id, parent_id, path, name) VALUES ('f', 'lib', NULL, '', '')")
        for genre in 0..<40 {
            try db.execute(
                sql: "INSERT INTO genre (id, name) VALUES (?, ?)", arguments: ["g\(genre)", "Genre \(genre)"])
        }
        let artists = max(1, tracks / 50)
        for artist in 0..<artists {
            try db.execute(
                sql: "INSERT INTO artist (id, name, sort_name) VALUES (?, ?, ?)",
                arguments: ["ar\(artist)", "Artist \(artist)", "artist \(artist)"])
        }
        let albums = max(1, tracks / 10)
        for album in 0..<albums {
            try db.execute(
                sql: """
                    INSERT INTO album (id, title, sort_title, album_artist_id, album_artist_name, year, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    "al\(album)", "Album \(album)", "album \(album)", "ar\(album % artists)",
                    "Artist \(album % artists)",
                    1960 + album % 60, now, now,
                ])
        }
        let insertTrack = try db.makeStatement(
            sql: """
                INSERT INTO track (id, library_id, folder_id, album_id, path, suffix, size, modified_at, content_hash,
                    title, sort_title, album, artist_name, album_artist_name, year, duration_ms, created_at, updated_at, isrc)
                VALUES (?, 'lib', 'f', ?, ?, 'flac', 1, ?, ?, ?, ?, ?, ?, ?, ?, 240000, ?, ?, ?)
                """)
        let insertArtist = try db.makeStatement(
            sql: "INSERT INTO track_artist (track_id, artist_id, role, position) VALUES (?, ?, 'artist', 0)")
        let insertGenre = try db.makeStatement(
            sql: "INSERT INTO track_genre (track_id, genre_id, position) VALUES (?, ?, 0)")
        for track in 0..<tracks {
            let album = track % albums
            let artist = album % artists
            try insertTrack.execute(arguments: [
                "t\(track)", "al\(album)", "t\(track).flac", now, "h\(track)", "Track \(track)", "track \(track)",
                "Album \(album)", "Artist \(artist)", "Artist \(artist)", 1960 + album % 60, now, now, isrc(track),
            ])
            try insertArtist.execute(arguments: ["t\(track)", "ar\(artist)"])
            try insertGenre.execute(arguments: ["t\(track)", "g\(artist % 40)"])
        }
    }

    /// The ISRC of bench track `index` (every other one has none).
    static func isrc(_ index: Int) -> String? { index % 2 == 0 ? String(format: "QZBCH%07d", index) : nil }
}
