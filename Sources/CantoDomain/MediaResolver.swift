public import CantoCore
import CantoPluginKit
import Foundation

/// Where a track's audio is: the track, looked up in the caller's view, is asked of the media
/// source its library belongs to. A track outside the view is missing; a track whose source is
/// not running is unavailable.
public struct MediaResolver: Sendable {
    let sources: any MediaSources

    public init(sources: any MediaSources) {
        self.sources = sources
    }

    /// The track and its location, or nil when the view holds no such track.
    public func locate(_ id: TrackID, in view: CatalogView) async throws -> (track: Track, location: MediaLocation)? {
        guard let track = try await view.track(id),
            let library = try await view.libraries().first(where: { $0.id == track.libraryID })
        else { return nil }
        guard let source = await sources.mediaSources().first(where: { type(of: $0).descriptor.id == library.source })
        else {
            throw DomainError(.unavailable, "The source of this track (\(library.source)) is not running.")
        }
        return (track, try await source.location(of: track, in: library))
    }
}
