/// The bytes the in-memory caches may hold together (`[cache] memory_mb`), shared among the named
/// caches by fixed weights: the renderings and album contents that answer most requests get the
/// most, the small lookups a little.
public struct MemoryBudget: Sendable, Equatable {
    /// The total, in bytes.
    public var totalBytes: Int

    /// A budget of `totalBytes` in all.
    public init(totalBytes: Int) { self.totalBytes = max(0, totalBytes) }

    /// A budget of `megabytes` MiB in all.
    public static func megabytes(_ megabytes: Int) -> MemoryBudget {
        MemoryBudget(totalBytes: megabytes.multipliedReportingOverflow(by: 1_048_576).partialValue)
    }

    /// The default, 128 MiB.
    public static let standard = MemoryBudget.megabytes(128)

    /// Each named cache's share, in thousandths of the total (they add up to 1000).
    public static let weights: [String: Int] = [
        "subsonic_album_renderings": 246,
        "subsonic_albums": 150,
        "subsonic_searches": 120,
        "subsonic_artist_indexes": 50,
        "albums": 170,
        "album_rows": 30,
        "searches": 120,
        "annotations": 80,
        "token_users": 10,
        "sessions": 5,
        "users": 5,
        "genres": 8,
        "catalog_version": 2,
        "playlist_lists": 4,
    ]

    /// The bytes the cache called `name` may hold (an unknown name gets the smallest share).
    public func bytes(for name: String) -> Int {
        let weight = Self.weights[name] ?? 2
        return totalBytes / 1000 * weight + totalBytes % 1000 * weight / 1000
    }
}
