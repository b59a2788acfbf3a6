#if canImport(Glibc)
    import Glibc
#endif

/// glibc's allocator gives each thread that meets contention an arena of its own, up to eight a
/// core, and memory freed in one is not given back to another. In the soak (README) four arenas
/// left the server 40 MB smaller after ten minutes (219 against 261 MB), though it still grew.
/// Set at start unless `MALLOC_ARENA_MAX` is in the environment (glibc reads that itself, and a
/// setting of the admin's wins).
public enum AllocatorArenas {
    /// The arenas the server keeps at most.
    public static let serverLimit = 4

    /// Caps the arenas at `count`; false when the allocator is not glibc's or refused it.
    @discardableResult
    public static func limit(to count: Int32 = Int32(serverLimit)) -> Bool {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil else { return false }
            // mallopt is in <malloc.h>, which Swift's Glibc module leaves out: found by name.
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(nil, "mallopt") else { return false }
            let arenaMax: Int32 = -8  // M_ARENA_MAX
            return unsafeBitCast(symbol, to: MallOpt.self)(arenaMax, count) == 1
        #else
            return false
        #endif
    }
}
