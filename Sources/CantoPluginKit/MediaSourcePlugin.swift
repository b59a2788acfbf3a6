public import CantoCore
import Foundation

/// A source of music for the catalog. The local library is one; a streaming service or another
/// machine's collection could be others.
///
/// Each library of the catalog belongs to one source (``Library/source`` is the plugin's id).
/// The server asks every running media source to scan (at start-up, on a schedule, on demand),
/// handing it the libraries configured for it (the local library gets the music folders; a
/// source that brings its own collections gets none and declares them through
/// ``CatalogWriter/syncLibraries(_:source:)``). A source can change only its own libraries.
/// When a listener plays a track, the server asks the track's source where its audio is.
public protocol MediaSourcePlugin: CantoPlugin {
    /// Brings the catalog in line with the source. `progress` is called as work goes on.
    /// Cancellation (shutdown) stops the scan at a transaction boundary.
    func scan(
        libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void
    ) async throws -> ScanSummary

    /// Where the audio of `track`, of one of this source's libraries, is now. Throw a
    /// `DomainError` (`.notFound`, `.unavailable`) when it cannot be had.
    func location(of track: Track, in library: Library) async throws -> MediaLocation
}
