import CantoCore
import CantoLibrary
import CantoStore
import CantoTestSupport
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A scanner over one music folder, writing to a real database in its own data folder.
struct ScanHarness {
    let data: TemporaryDirectory
    let library: Library
    private(set) var database: CantoDatabase
    private(set) var catalog: CatalogRepository

    init(root: URL, data: TemporaryDirectory? = nil) throws {
        self.data = try data ?? TemporaryDirectory(prefix: "canto-data")
        library = Library(id: CatalogIDs.library(path: root.path), name: "Music", path: root.path)
        database = try CantoDatabase(dataDirectory: self.data.url)
        catalog = CatalogRepository(database: database)
    }

    static let logger = Logger(label: "canto.tests", factory: { _ in SwiftLogNoOpLogHandler() })

    func scan(options: ScanOptions = ScanOptions()) async throws -> ScanSummary {
        try await LibraryScanner(catalog: catalog, options: options, logger: Self.logger).scan(libraries: [library])
    }

    /// Opens the database file again, as a restarted server would. The previous pool closes
    /// when nothing holds it any more.
    mutating func reopen() throws {
        database = try CantoDatabase(dataDirectory: data.url)
        catalog = CatalogRepository(database: database)
    }

    func track(_ relativePath: String) async throws -> Track? {
        try await catalog.track(library: library.id, path: relativePath)
    }

    /// Every album and its tracks.
    func allAlbums() async throws -> [(album: Album, tracks: [Track])] {
        var result: [(Album, [Track])] = []
        for album in try await catalog.albums(offset: 0, limit: 10_000) {
            result.append((album, try await catalog.tracks(inAlbum: album.id)))
        }
        return result
    }

    func allTracks() async throws -> [Track] {
        try await allAlbums().flatMap(\.tracks).sorted { $0.path < $1.path }
    }
}

/// File facts as the operating system reports them, to tell whether a file was written.
struct FileFacts: Equatable {
    var exists: Bool
    var size: Int64
    var modified: Date?

    init(_ path: String) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        exists = attributes != nil
        size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        modified = attributes?[.modificationDate] as? Date
    }
}

/// Sets a file's modification time to an exact millisecond (Foundation's `Date` would round).
func setModificationTime(of path: String, seconds: Int, milliseconds: Int) throws {
    let time = timespec(tv_sec: seconds, tv_nsec: milliseconds * 1_000_000)
    var times = [time, time]  // access and modification
    guard utimensat(AT_FDCWD, path, &times, 0) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
}
