import CantoCore
import CantoMedia
import Foundation
import Logging

/// The mutable state of one scan: the batch being filled, files gone missing, IDs taken
/// over by moved files, and the running summary.
struct ScanRun {
    let scanner: LibraryScanner
    let progress: @Sendable (ScanProgress) -> Void
    var state: ScanProgress
    var batch = CatalogBatch()
    /// Known files not found where they were; removed at the end unless a moved file claims them.
    var missing: [TrackID: KnownFile] = [:]
    var claimed: Set<TrackID> = []
    var roots: [LibraryID: String] = [:]
    /// The catalog held no track when the scan began (`CatalogWriter.beginScan`): no file is
    /// known and none can have moved, so nothing is looked up.
    var firstImport = false
    /// The batch being written (see `flush`).
    var pendingWrite: Task<Void, any Error>?
    /// Folders listed whose files are being read, in the walk's order: they are finished (moves,
    /// the batch) one by one in that order while the next ones are read.
    var ahead: [(FolderListing, Task<FolderRead, any Error>)] = []
    /// How many folders are read ahead of the one being finished. Before, each folder's files
    /// were read, then its tracks built and its known files looked up while the readers waited:
    /// a first scan kept 1.5 of 2 cores busy.
    static let foldersAhead = 2

    var summary: ScanSummary {
        get { state.summary }
        set { state.summary = newValue }
    }
    private var logger: Logger { scanner.logger }
    private var options: ScanOptions { scanner.options }

    init(scanner: LibraryScanner, progress: @escaping @Sendable (ScanProgress) -> Void, state: ScanProgress) {
        self.scanner = scanner
        self.progress = progress
        self.state = state
    }

    mutating func scan(_ library: Library) async throws {
        roots[library.id] = library.path
        let knownFolders = try await scanner.catalog.folderPaths(in: library.id)
        var visited = Set<String>()
        var kept: [String] = []  // unreadable folders: what they held stays in the catalog
        var seenDirectories = Set<DirectoryIdentity>()
        var stack = [""]
        // A cancelled or failed walk leaves no read running.
        defer {
            for (_, read) in ahead { read.cancel() }
            ahead = []
        }
        while let relative = stack.popLast() {
            if Task.isCancelled { return }
            let absolute = relative.isEmpty ? library.path : library.path + "/" + relative
            let status: FileStatus
            switch FileStatus.of(absolute) {
            case .success(let value): status = value
            case .failure(let error):
                problem(.unreadableFolder, absolute, "\(error)")
                kept.append(relative)
                continue
            }
            guard seenDirectories.insert(status.identity).inserted else {
                problem(.symlinkLoop, absolute, "folder already scanned through another path (symlink loop)")
                continue
            }
            visited.insert(relative)
            let names: [String]
            switch DirectoryListing.names(in: absolute) {
            case .success(let value): names = value
            case .failure(let error):
                problem(.unreadableFolder, absolute, "\(error)")
                kept.append(relative)
                continue
            }
            var audio: [(name: String, status: FileStatus)] = []
            var images: [String] = []
            var subfolders: [String] = []
            for name in names {
                let path = absolute + "/" + name
                switch FileStatus.of(path) {
                case .failure(let error):
                    problem(.unreadableFile, path, "\(error)")
                case .success(let child) where child.kind == .directory:
                    subfolders.append(relative.isEmpty ? name : relative + "/" + name)
                case .success(let child):
                    let suffix = FileName.suffix(name).lowercased()
                    if ScanOptions.audioExtensions.contains(suffix) {
                        if child.size == 0 {
                            problem(.emptyFile, path, "zero-byte file")
                        } else {
                            audio.append((name, child))
                        }
                    } else if options.coverExtensions.contains(suffix) {
                        images.append(name)
                    } else {
                        summary.skipped += 1
                        logger.info(
                            "skipped file", metadata: ["scan.path": "\(path)", "scan.reason": "not an audio file"])
                    }
                }
            }
            stack.append(contentsOf: subfolders.reversed())
            let listing = FolderListing(
                library: library, relative: relative, audio: audio, images: images,
                isNew: !knownFolders.contains(relative))
            let reader = FolderReader(scanner: scanner, firstImport: firstImport)
            ahead.append((listing, Task { try await reader.read(listing) }))
            if ahead.count > Self.foldersAhead { try await finishNextFolder() }
        }
        while !ahead.isEmpty { try await finishNextFolder() }
        // Folders that are gone take their tracks with them.
        for path in knownFolders.subtracting(visited)
        where !kept.contains(where: { $0.isEmpty || path == $0 || path.hasPrefix($0 + "/") }) {
            for file in try await scanner.catalog.knownFiles(in: library.id, folder: path) { missing[file.id] = file }
            batch.deletedFolders.append(CatalogIDs.folder(library: library.id, relativePath: path))
        }
    }

    private mutating func finishNextFolder() async throws {
        let (listing, reading) = ahead.removeFirst()
        let read = try await reading.value
        finishFolder(listing, read)
        if batch.tracks.count >= options.batchSize { try await flush() }
        state.filesSeen = summary.filesSeen
        progress(state)
    }

    /// What a folder's read found goes into the summary, the missing files and the batch.
    private mutating func finishFolder(_ listing: FolderListing, _ found: FolderRead) {
        let (library, relative) = (listing.library, listing.relative)
        if listing.isNew { batch.folders.append(found.folder) }
        let onDisk = Set(listing.audio.map(\.name))
        for (name, file) in found.known where !onDisk.contains(name) { missing[file.id] = file }
        guard let results = found.results else {
            summary.unchanged += listing.audio.count
            return
        }
        var ids = found.ids
        var read: [ReadFile] = []
        for (index, result) in results.enumerated() {
            let name = listing.audio[index].name
            switch result {
            case .success(let file): read.append(file)
            case .failure(let error):
                problem(.corrupt, library.path + "/" + (relative.isEmpty ? name : relative + "/" + name), "\(error)")
                if let previous = found.known[name] { missing[previous.id] = previous }
            }
        }
        for file in read {
            if !found.changedNames.contains(file.name) {
                summary.unchanged += 1
            } else if ids[file.name] != nil {
                summary.updated += 1
            } else if let moved = movedFrom(found.candidates[file.contentHash] ?? []) {
                ids[file.name] = moved.id
                claimed.insert(moved.id)
                missing[moved.id] = nil
                summary.moved += 1
            } else {
                summary.added += 1
            }
        }
        // Only unreadable files changed (a corrupt file stays new every scan): nothing to write.
        guard read.contains(where: { found.changedNames.contains($0.name) }) else { return }
        let resolver = FolderResolver(
            library: library, folder: found.folder, folderNames: found.components, options: options,
            folderCover: folderCover(images: listing.images, in: library.path, relative: relative))
        batch.tracks += resolver.writes(for: read, ids: ids, now: Date())
    }

    /// A known track with the same content whose file is gone: this file is that track, moved.
    private func movedFrom(_ candidates: [KnownFile]) -> KnownFile? {
        candidates.first { candidate in
            guard !claimed.contains(candidate.id), let root = roots[candidate.libraryID] else { return false }
            return !FileManager.default.fileExists(atPath: root + "/" + candidate.path)
        }
    }

    private func folderCover(images: [String], in root: String, relative: String) -> Artwork? {
        let lowered = Dictionary(images.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        for name in options.coverNames {
            for suffix in options.coverExtensions {
                guard let image = lowered["\(name).\(suffix)"] else { continue }
                let path = root + "/" + (relative.isEmpty ? image : relative + "/" + image)
                guard case .success(let status) = FileStatus.of(path) else { continue }
                let mime = suffix == "jpg" ? "image/jpeg" : "image/\(suffix)"
                let id = ArtworkID(
                    "a" + StableHash.hex128("\(path)|\(status.size)|\(status.modifiedAt.timeIntervalSince1970)"))
                return Artwork(id: id, source: .file, path: path, mimeType: mime, byteCount: Int(status.size))
            }
        }
        return nil
    }

    mutating func flush() async throws {
        guard !batch.isEmpty else { return }
        // One batch is written while the next is read: the writer and the tag readers keep
        // both cores busy. The write in flight is awaited before the next one starts.
        try await pendingWrite?.value
        let (catalog, batch) = (scanner.catalog, self.batch)
        pendingWrite = Task.detached { try await catalog.apply(batch) }
        self.batch = CatalogBatch()
    }

    /// Writes what is left. A cancelled scan removes nothing: it did not see every folder.
    mutating func finish() async throws {
        if !Task.isCancelled {
            let gone = missing.keys.filter { !claimed.contains($0) }
            batch.deletedTracks += gone
            summary.removed += gone.count
        }
        try await flush()
        try await pendingWrite?.value
        pendingWrite = nil
        state.running = false
        state.filesSeen = summary.filesSeen
        progress(state)
    }

    private mutating func problem(_ kind: ScanProblem.Kind, _ path: String, _ reason: String) {
        summary.record(ScanProblem(kind: kind, path: path, reason: reason))
        logger.warning(
            "scan problem",
            metadata: ["scan.path": "\(path)", "scan.problem": "\(kind.rawValue)", "scan.reason": "\(reason)"])
    }
}

/// A folder as the walk found it: its audio files with their status, and its images.
struct FolderListing: Sendable {
    var library: Library
    var relative: String
    var audio: [(name: String, status: FileStatus)]
    var images: [String]
    var isNew: Bool
}

/// What reading a folder found: its known files, which changed, their tags (nil when none
/// changed) and the known files with the same content as its new ones (move candidates).
struct FolderRead: Sendable {
    var folder: Folder
    var components: [String]
    var known: [String: KnownFile]
    var ids: [String: TrackID]
    var changedNames: Set<String>
    var results: [Result<ReadFile, MediaError>]?
    var candidates: [String: [KnownFile]]
}

/// Reads a folder: looks up what the catalog knows of it, and reads the files that changed
/// (several folders at once, ahead of the one being finished). Changes nothing itself.
struct FolderReader: Sendable {
    let scanner: LibraryScanner
    /// Nothing was in the catalog when the scan began: the folder's files are all new, and no
    /// known file can share their content.
    let firstImport: Bool
    private var options: ScanOptions { scanner.options }

    func read(_ listing: FolderListing) async throws -> FolderRead {
        let (library, relative, audio) = (listing.library, listing.relative, listing.audio)
        let components = relative.split(separator: "/").map(String.init)
        let folder = Folder(
            id: CatalogIDs.folder(library: library.id, relativePath: relative), libraryID: library.id,
            parentID: relative.isEmpty
                ? nil
                : CatalogIDs.folder(library: library.id, relativePath: components.dropLast().joined(separator: "/")),
            path: relative, name: components.last ?? library.name)
        let knownFiles = firstImport ? [] : try await scanner.catalog.knownFiles(in: library.id, folder: relative)
        let known = Dictionary(
            knownFiles.map { file in
                let name = file.path.lastIndex(of: "/").map { String(file.path[file.path.index(after: $0)...]) }
                return (name ?? file.path, file)
            }, uniquingKeysWith: { first, _ in first })
        var ids: [String: TrackID] = [:]
        var changedNames = Set<String>()
        for file in audio {
            if let previous = known[file.name] {
                ids[file.name] = previous.id
                if previous.size != file.status.size
                    || !FileStatus.sameTime(previous.modifiedAt, file.status.modifiedAt)
                {
                    changedNames.insert(file.name)
                }
            } else {
                changedNames.insert(file.name)
            }
        }
        var found = FolderRead(
            folder: folder, components: components, known: known, ids: ids,
            changedNames: changedNames, results: nil, candidates: [:])
        guard !changedNames.isEmpty else { return found }
        let results = try await readAll(audio, in: library.path + (relative.isEmpty ? "" : "/" + relative))
        // Move detection asks once for the folder's new files, not once a file.
        let newHashes = results.compactMap { result -> String? in
            guard case .success(let file) = result, changedNames.contains(file.name), ids[file.name] == nil else {
                return nil
            }
            return file.contentHash
        }
        found.results = results
        if !newHashes.isEmpty, !firstImport {
            found.candidates = Dictionary(
                grouping: try await scanner.catalog.knownFiles(withContentHashes: Array(Set(newHashes))),
                by: \.contentHash)
        }
        return found
    }

    private func readAll(_ files: [(name: String, status: FileStatus)], in folder: String) async throws
        -> [Result<ReadFile, MediaError>]
    {
        let reader = AudioFileReader(tagReader: TagReader(separators: options.separators))
        let pool = scanner.pool
        // The folder's files in as many runs as there are reading threads, each run read on one
        // thread: a hop to the pool and back per file cost more in wake-ups than TagLib's reading.
        let runs = max(1, min(options.concurrency, files.count))
        return try await withThrowingTaskGroup(of: [(Int, Result<ReadFile, MediaError>)].self) { group in
            for run in 0..<runs {
                let indices = Array(stride(from: run, to: files.count, by: runs))
                group.addTask {
                    try await pool.run {
                        indices.map { index in
                            let (name, status) = files[index]
                            return (
                                index,
                                Result { () throws(MediaError) in
                                    try reader.read(path: folder + "/" + name, name: name, status: status)
                                }
                            )
                        }
                    }
                }
            }
            var results = [Result<ReadFile, MediaError>?](repeating: nil, count: files.count)
            for try await run in group {
                for (index, result) in run { results[index] = result }
            }
            return results.compactMap { $0 }
        }
    }

}
