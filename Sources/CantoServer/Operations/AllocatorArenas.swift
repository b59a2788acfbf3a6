public import ServiceLifecycle

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

    /// Gives the free pages inside the allocator's heaps back to the system (`malloc_trim(0)`):
    /// glibc returns only the free memory at the top of a heap by itself, so what a burst freed in
    /// the middle (a scan's pages, a big answer's buffers) stayed in the process's RSS. Nil when the
    /// allocator is not glibc's; otherwise whether any memory was given back.
    @discardableResult
    public static func trim() -> Bool? {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: MallocTrim.self)(0) == 1
        #else
            return nil
        #endif
    }
}

/// Trims the allocator's heaps (`AllocatorArenas.trim`) every `interval` for the server's life.
public struct AllocatorTrimService: Service {
    public var interval: Duration

    public init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                AllocatorArenas.trim()
            }
        }
    }
}
