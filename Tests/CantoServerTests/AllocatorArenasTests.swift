import Foundation
import Testing

@testable import CantoServer

@Suite("Allocator arenas")
struct AllocatorArenasTests {
    /// `canto serve` caps glibc's arenas itself, unless the admin set `MALLOC_ARENA_MAX`.
    @Test func theServerCapsTheArenasUnlessTheEnvironmentDoes() {
        // Eight a core is glibc's own default on this machine: the tests' process is not changed.
        let glibcDefault = Int32(8 * ProcessInfo.processInfo.activeProcessorCount)
        if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil {
            #expect(AllocatorArenas.limit(to: glibcDefault), "mallopt was not found or refused M_ARENA_MAX")
        } else {
            #expect(!AllocatorArenas.limit(to: glibcDefault), "the environment's setting was overridden")
        }
    }
}

@Suite("Allocator trim")
struct AllocatorTrimTests {
    /// Memory freed in the middle of a heap (the top still in use, so glibc keeps it all) goes
    /// back to the system when the server trims.
    @Test func memoryFreedInsideTheHeapIsGivenBack() throws {
        let blocks = (0..<1_600).map { _ -> UnsafeMutableRawPointer? in
            guard let block = malloc(64 * 1_024) else { return nil }
            memset(block, 1, 64 * 1_024)  // resident, not only reserved
            return block
        }
        defer { free(blocks.last ?? nil) }
        for block in blocks.dropLast() { free(block) }
        let before = try #require(Self.residentBytes())
        #expect(AllocatorArenas.trim() == true, "nothing was given back")
        let after = try #require(Self.residentBytes())
        // About 100 MB were freed; other tests running beside this one allocate too.
        #expect(before - after > 50 * 1_024 * 1_024, "RSS \(before) → \(after) bytes")
    }

    /// The process's resident bytes (`/proc/self/statm`).
    static func residentBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
