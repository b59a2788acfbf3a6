public import CantoCore
import CantoPluginKit
public import Foundation

/// Where a track's audio is: the track, looked up in the caller's view, is asked of the media
/// source its library belongs to. A track outside the view is missing; a track whose source is
/// not running is unavailable.
public struct MediaResolver: Sendable {
    let sources: any MediaSources
    /// Whether the source (by id) may send listeners' players to a remote address: only to the
    /// hosts it declares, like the rest of its network use.
    let mayReach: @Sendable (String, URL) -> Bool

    public init(sources: any MediaSources, mayReach: @escaping @Sendable (String, URL) -> Bool) {
        self.sources = sources
        self.mayReach = mayReach
    }

    /// Where `track` (of one of `libraries`) is, for the server's own work on it (the sonic
    /// analyser): the same rule as a listener's, without a listener's view.
    public func location(of track: Track, libraries: [Library]) async throws -> MediaLocation {
        guard let library = libraries.first(where: { $0.id == track.libraryID }) else { throw DomainError.notFound }
        guard let source = await sources.mediaSources().first(where: { type(of: $0).descriptor.id == library.source })
        else {
            throw DomainError(.unavailable, "The source of this track (\(library.source)) is not running.")
        }
        let location = try await source.location(of: track, in: library)
        if case .remote(let url) = location, !mayReach(library.source, url) {
            throw DomainError(
                .unavailable, "The source of this track (\(library.source)) gave an address it did not declare.")
        }
        return location
    }

    /// The track and its location, or nil when the view holds no such track.
    public func locate(_ id: TrackID, in view: CatalogView) async throws -> (track: Track, location: MediaLocation)? {
        guard let track = try await view.track(id) else { return nil }
        let libraries = try await view.libraries()
        guard libraries.contains(where: { $0.id == track.libraryID }) else { return nil }
        return (track, try await location(of: track, libraries: libraries))
    }
}
