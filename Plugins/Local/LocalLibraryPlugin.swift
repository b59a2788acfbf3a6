public import CantoCore
import CantoLibrary
import CantoMedia
public import CantoPluginKit
import Foundation

/// The local library: the music folders on this machine, read with TagLib into the catalog.
public struct LocalLibraryPlugin: MediaSourcePlugin {
    public static let descriptor = PluginDescriptor(
        id: "local", name: "Local library", version: "1.0.0", enabledByDefault: true,
        configurationKeys: [
            "concurrency", "batch_size", "artist_separators", "genre_separators", "cover_names", "various_artists",
        ])

    let scanner: LibraryScanner

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        let defaults = ScanOptions()
        let separators = TagSeparators(
            artist: try configuration.strings("artist_separators") ?? defaults.separators.artist,
            genre: try configuration.strings("genre_separators") ?? defaults.separators.genre)
        let concurrency = try configuration.integer("concurrency") ?? defaults.concurrency
        guard (1...64).contains(concurrency) else {
            throw PluginConfigurationError(pluginID: "local", key: "concurrency", message: "must be between 1 and 64")
        }
        let batchSize = try configuration.integer("batch_size") ?? defaults.batchSize
        guard (1...100_000).contains(batchSize) else {
            throw PluginConfigurationError(
                pluginID: "local", key: "batch_size", message: "must be between 1 and 100000")
        }
        let options = ScanOptions(
            separators: separators, coverNames: try configuration.strings("cover_names") ?? defaults.coverNames,
            concurrency: concurrency, batchSize: batchSize,
            variousArtists: try configuration.string("various_artists") ?? defaults.variousArtists)
        scanner = LibraryScanner(catalog: context.catalogWriter, options: options, logger: context.logger)
    }

    public func scan(
        libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void
    ) async throws -> ScanSummary {
        try await scanner.scan(libraries: libraries, expectedFiles: expectedFiles, progress: progress)
    }

    /// The file under the music folder.
    public func location(of track: Track, in library: Library) async throws -> MediaLocation {
        .file(library.path + "/" + track.path)
    }
}
