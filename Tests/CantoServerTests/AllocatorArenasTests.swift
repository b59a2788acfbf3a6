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
