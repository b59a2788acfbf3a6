public import CantoCore

/// Pictures of artists and albums from a service, for those the library has none of: the host
/// asks when a cover or an artist's picture is wanted and the library has no image, under a
/// deadline, and keeps what it gets on disk. Answer nil when the service has nothing.
public protocol MetadataPlugin: CantoPlugin {
    /// A picture of the artist called `name`.
    func artistImage(named name: String) async throws -> Picture?
    /// The cover of the album `title` by `artist`.
    func albumImage(title: String, artist: String) async throws -> Picture?
}
