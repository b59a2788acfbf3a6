import CantoCore
import Foundation

/// A size-capped folder of finished files (transcodes, scaled covers), kept across restarts
/// and evicted least recently used first. A file is written under a temporary name and
/// renamed into place only when complete, so a half-written entry is never served; leftovers
/// of a crash are removed at start. A reader holding an evicted file keeps reading it (the
/// name goes, the open file stays).
actor DiskCache {
    let directory: URL
    let capacityBytes: Int64
    private var entries: [String: Entry] = [:]
    private var totalBytes: Int64 = 0
    private var clock: UInt64 = 0
    /// Hits, misses, evictions, entries and bytes for `/metrics` (`cache` label: the name given).
    private let counters: CacheCounters

    private struct Entry {
        var size: Int64
        var lastUse: UInt64
    }

    /// Opens (creating) `directory`; files in it from earlier runs count, oldest first. `name`
    /// labels its series on `/metrics`.
    init(directory: URL, capacityBytes: Int64, name: String = "unnamed") throws {
        self.directory = directory
        self.capacityBytes = capacityBytes
        counters = CacheCounters.named(name)
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        var found: [(name: String, size: Int64, used: Date)] = []
        for url in try manager.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys) {
            if url.pathExtension == "partial" {
                try? manager.removeItem(at: url)
                continue
            }
            let values = try? url.resourceValues(forKeys: Set(keys))
            found.append(
                (url.lastPathComponent, Int64(values?.fileSize ?? 0), values?.contentModificationDate ?? .distantPast))
        }
        for file in found.sorted(by: { $0.used < $1.used }) {
            clock += 1
            entries[file.name] = Entry(size: file.size, lastUse: clock)
            totalBytes += file.size
        }
        counters.entriesChanged(by: entries.count)
        counters.bytesChanged(by: Int(totalBytes))
    }

    deinit {
        counters.entriesChanged(by: -entries.count)
        counters.bytesChanged(by: -Int(totalBytes))
    }

    /// The file name for a key: a hash, so any key text is safe, plus the suffix.
    nonisolated static func name(for key: String, suffix: String) -> String {
        StableHash.hex128(key) + "." + suffix
    }

    /// The path of the finished entry `name`, marking it used; nil on a miss.
    func path(of name: String) -> String? {
        guard entries[name] != nil else {
            counters.miss()
            return nil
        }
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else {
            counters.miss()
            forget(name)
            return nil
        }
        counters.hit()
        clock += 1
        entries[name]?.lastUse = clock
        // The modification time is the use time across restarts.
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
        return path
    }

    /// A fresh temporary path in the cache folder for a writer to fill.
    nonisolated func partialPath() -> String {
        directory.appendingPathComponent(UUID().uuidString + ".partial").path
    }

    /// Moves a finished temporary file into place as `name` and evicts down to the cap.
    func commit(partial: String, as name: String) throws {
        let final = directory.appendingPathComponent(name).path
        let size = Int64((try FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?.intValue ?? 0)
        guard rename(partial, final) == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw CocoaError(.fileWriteUnknown)
        }
        forget(name)
        clock += 1
        entries[name] = Entry(size: size, lastUse: clock)
        totalBytes += size
        counters.entriesChanged(by: 1)
        counters.bytesChanged(by: Int(size))
        evict()
    }

    /// Writes `bytes` as entry `name` (write, then rename). A failed write (a full disk) leaves no
    /// file behind and is counted on `/metrics`; the caller serves what it has.
    func store(_ bytes: [UInt8], as name: String) throws {
        let partial = partialPath()
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: partial))
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            writeFailed()
            throw error
        }
        try commit(partial: partial, as: name)
    }

    /// A write into the cache failed (a full disk): counted, and the entry is not kept.
    nonisolated func writeFailed() { counters.writeFailed() }

    /// Bytes in the cache and entries, for tests and metrics.
    var usage: (bytes: Int64, entries: Int) { (totalBytes, entries.count) }

    private func forget(_ name: String) {
        if let old = entries.removeValue(forKey: name) {
            totalBytes -= old.size
            counters.entriesChanged(by: -1)
            counters.bytesChanged(by: -Int(old.size))
        }
    }

    private func evict() {
        guard totalBytes > capacityBytes else { return }
        for (name, _) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
            guard totalBytes > capacityBytes else { break }
            forget(name)
            counters.evicted(1)
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
