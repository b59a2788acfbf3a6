import CantoCore
import Foundation

/// The catalog as one media source may write it: only its own libraries. Every plugin's
/// ``PluginContext/catalogWriter`` is one of these, so a source cannot add to, change or delete
/// another source's libraries, folders or tracks.
struct SourceCatalogWriter: CatalogWriter {
    let source: String
    let writer: any CatalogWriter
    let reader: any CatalogReader

    func syncLibraries(_ libraries: [Library], source: String) async throws -> Int {
        guard source == self.source else {
            throw DomainError(.forbidden, "A media source changes only its own libraries.")
        }
        return try await writer.syncLibraries(libraries, source: source)
    }

    func folderPaths(in library: LibraryID) async throws -> Set<String> {
        try await requireOwn(library)
        return try await writer.folderPaths(in: library)
    }

    func knownFiles(in library: LibraryID, folder: String) async throws -> [KnownFile] {
        try await requireOwn(library)
        return try await writer.knownFiles(in: library, folder: folder)
    }

    func knownFiles(withContentHash contentHash: String) async throws -> [KnownFile] {
        try await knownFiles(withContentHashes: [contentHash])
    }

    /// One read for a folder's new contents, as the catalog answers it, and the source's own
    /// libraries read once: the protocol's default would read both again for every file.
    func knownFiles(withContentHashes contentHashes: [String]) async throws -> [KnownFile] {
        let own = try await ownLibraries()
        return try await writer.knownFiles(withContentHashes: contentHashes).filter { own.contains($0.libraryID) }
    }

    /// Whether the whole catalog is empty (then no file of this source is known either); the
    /// catalog sets its indexes aside until `finishScan`.
    func beginScan() async throws -> Bool {
        try await writer.beginScan()
    }

    func apply(_ batch: CatalogBatch) async throws {
        let own = try await ownLibraries()
        let written = batch.folders.map(\.libraryID) + batch.tracks.map(\.track.libraryID)
        for id in batch.deletedTracks {
            if let track = try await reader.track(id), !own.contains(track.libraryID) { throw Self.refused }
        }
        for id in batch.deletedFolders {
            if let folder = try await reader.folder(id), !own.contains(folder.libraryID) { throw Self.refused }
        }
        guard written.allSatisfy(own.contains) else { throw Self.refused }
        try await writer.apply(batch)
    }

    func finishScan(libraries: [LibraryID], at date: Date?) async throws {
        let own = try await ownLibraries()
        try await writer.finishScan(libraries: libraries.filter(own.contains), at: date)
    }

    private static let refused = DomainError(.forbidden, "A media source changes only its own libraries.")

    private func ownLibraries() async throws -> Set<LibraryID> {
        Set(try await reader.libraries().filter { $0.source == source }.map(\.id))
    }

    private func requireOwn(_ library: LibraryID) async throws {
        guard try await ownLibraries().contains(library) else { throw Self.refused }
    }
}
