// swift-tools-version: 6.1
// Canto: a self-hosted music server. See README.md for the layout.
import PackageDescription

/// One set of Swift settings shared by every Swift target.
/// Every module declares what it imports (`MemberImportVisibility`) and what of it its public
/// API shows (`InternalImportsByDefault`: a plain `import` stays internal, `public import` is said).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Canto",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "canto", targets: ["canto"]),
        // What a plugin is written against, and what its tests run it in.
        .library(name: "CantoPluginKit", targets: ["CantoPluginKit"]),
        .library(name: "CantoPluginKitTesting", targets: ["CantoPluginKitTesting"]),
    ],
    dependencies: [
        // HTTP server (router, middleware, files) and its service lifecycle.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // HTTP field names for Canto's own headers.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // SQLite access: pools, migrations, records, FTS5.
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // The TOML configuration file.
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        // The `canto` command line.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // Structured logging and metrics facades.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // Prometheus exposition for /metrics.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Password hashing (bcrypt).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        // AES-GCM for sealed secrets, SHA-256 for token hashes, MD5 for Subsonic token auth.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Services that start and stop with the server (scanner, scheduler).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // ByteBuffer and HTTP/1 header types that Hummingbird and AsyncHTTPClient speak in.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Outbound HTTP: media sources' remote tracks (and, later, the plugins' calls).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // MARK: C and C++ shims
        .systemLibrary(name: "CTagLib", pkgConfig: "taglib", providers: [.apt(["libtag1-dev"])]),
        .target(
            name: "CTagLibShim",
            dependencies: ["CTagLib"],
            linkerSettings: [.linkedLibrary("tag"), .linkedLibrary("stdc++")]
        ),
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswresample-dev", "libswscale-dev"])]
        ),
        .target(
            name: "CFFmpegShim",
            dependencies: ["CFFmpeg"],
            linkerSettings: ["avformat", "avcodec", "avutil", "swresample", "swscale"].map { .linkedLibrary($0) }
        ),
        // gzip for answers kept compressed in memory (the artist index of a huge catalog).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Process-wide SQLite settings (sqlite3_config is variadic, out of Swift's reach).
        .target(name: "CSQLiteShim", linkerSettings: [.linkedLibrary("sqlite3")]),

        // MARK: Swift modules
        .target(
            name: "CantoCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CantoMedia",
            dependencies: ["CantoCore", "CTagLibShim", "CFFmpegShim"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CantoStore",
            dependencies: [
                "CantoCore", "CSQLiteShim", .product(name: "GRDB", package: "GRDB.swift"),
                // Each repository's reads and writes timed for /metrics (the API only).
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CantoSecurity",
            dependencies: [
                "CantoCore",
                .product(name: "Crypto", package: "swift-crypto"),
                // scrypt, to seal the server's key with a passphrase in backups.
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),
        // Domain services between the store and the HTTP layer: scoped catalog views, accounts, plays,
        // scans and libraries, media locations, events.
        .target(
            name: "CantoDomain",
            dependencies: [
                "CantoCore", "CantoPluginKit", "CantoSecurity", .product(name: "Logging", package: "swift-log"),
                // Plugin calls counted and timed for /metrics (the API only; `canto` picks the backend).
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CantoPluginKit",
            dependencies: [
                "CantoCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Recommendations: the sonic space, nearest neighbours, co-listening and blending; plain Swift
        // over the core's values (the analyser is in CantoMedia, the plugins in Plugins/).
        .target(
            name: "CantoRecommend",
            dependencies: ["CantoCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CantoLibrary",
            dependencies: [
                "CantoCore", "CantoMedia",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local library owns the scanner (CantoLibrary, over CantoMedia): the one plugin that
        // is more than the kit, because reading files is what the server itself is for.
        .target(
            name: "LocalPlugin",
            dependencies: ["CantoPluginKit", "CantoLibrary", "CantoMedia", "CantoCore"],
            path: "Plugins/Local",
            swiftSettings: swiftSettings
        ),
        // ListenBrainz scrobbling: the kit and the core only, like every plugin but the local library.
        .target(
            name: "ListenBrainzPlugin",
            dependencies: ["CantoPluginKit", "CantoCore", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/ListenBrainz",
            swiftSettings: swiftSettings
        ),
        // Last.fm scrobbling: the kit and the core only.
        .target(
            name: "LastFMPlugin",
            dependencies: ["CantoPluginKit", "CantoCore", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/LastFM",
            swiftSettings: swiftSettings
        ),
        // Recommends by sound: nearest neighbours in the sonic space (the kit, the core and CantoRecommend).
        .target(
            name: "SonicRecommenderPlugin",
            dependencies: ["CantoPluginKit", "CantoCore", "CantoRecommend"],
            path: "Plugins/SonicRecommender",
            swiftSettings: swiftSettings
        ),
        // Recommends what the household plays together (the kit and the core; its own tables).
        .target(
            name: "CoListeningPlugin",
            dependencies: ["CantoPluginKit", "CantoCore"],
            path: "Plugins/CoListening",
            swiftSettings: swiftSettings
        ),
        // Spotify: the track matcher and the streaming-history import so far (off by default).
        // Payment providers: Stripe (Checkout, the Customer Portal, signed webhooks) and an
        // admin's own grants (cash from a family member).
        .target(
            name: "StripePlugin",
            dependencies: ["CantoPluginKit", "CantoCore", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/Stripe",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ManualPaymentsPlugin",
            dependencies: ["CantoPluginKit", "CantoCore"],
            path: "Plugins/ManualPayments",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SpotifyPlugin",
            dependencies: ["CantoPluginKit", "CantoCore", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/Spotify",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CantoServer",
            dependencies: [
                "CantoCore", "CantoDomain", "CantoStore", "CantoLibrary", "CantoMedia", "CantoPluginKit",
                "CantoSecurity", "LocalPlugin", "ListenBrainzPlugin", "LastFMPlugin", "SonicRecommenderPlugin",
                "CoListeningPlugin", "SpotifyPlugin", "StripePlugin", "ManualPaymentsPlugin",
                "CantoRecommend", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // For plugin authors' tests: the whole server in the test's process (temporary database,
        // metadata-only catalog, in-process requests, events on demand, a manual clock) and a stub
        // upstream HTTP server on loopback.
        .target(
            name: "CantoPluginKitTesting",
            dependencies: [
                "CantoServer", "CantoPluginKit", "CantoCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "canto",
            dependencies: [
                "CantoServer", "CantoDomain", "CantoCore", "CantoPluginKit", "CantoStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Benchmarks (scripts/bench runs them in release builds)
        .executableTarget(
            name: "canto-bench",
            dependencies: [
                "CantoCore", "CantoLibrary", "CantoMedia", "CantoStore", "CantoTestSupport", "CantoRecommend",
                "CantoPluginKit", "CantoPluginKitTesting", "CoListeningPlugin", "SonicRecommenderPlugin", "CantoServer",
                "CantoDomain", "ScrobblerFakes", .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/ScanBench",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests (one target per module; fixtures are generated at test time)
        .target(
            name: "CantoTestSupport",
            dependencies: ["CantoCore", "CantoMedia"],
            path: "Tests/CantoTestSupport",
            swiftSettings: swiftSettings
        ),
        // Local stand-ins for ListenBrainz and Last.fm that follow their documented APIs, on the
        // testing kit's stub upstream server.
        .target(
            name: "ScrobblerFakes",
            dependencies: [
                "CantoPluginKitTesting", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/ScrobblerFakes",
            swiftSettings: swiftSettings
        ),
        // The scrobbler plugins tested as their authors would: in the plugin testing kit's host.
        .testTarget(
            name: "ListenBrainzPluginTests",
            dependencies: [
                "ListenBrainzPlugin", "CantoPluginKitTesting", "CantoPluginKit", "CantoCore", "ScrobblerFakes",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CantoPluginKitTestingTests",
            dependencies: ["CantoPluginKitTesting", "CantoPluginKit", "CantoCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StripePluginTests", dependencies: ["StripePlugin"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpotifyPluginTests",
            dependencies: ["SpotifyPlugin", "CantoCore", "CantoPluginKit", "CantoPluginKitTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CoListeningPluginTests",
            dependencies: ["CoListeningPlugin", "CantoPluginKitTesting", "CantoPluginKit", "CantoCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LastFMPluginTests",
            dependencies: ["LastFMPlugin", "CantoPluginKitTesting", "CantoPluginKit", "CantoCore", "ScrobblerFakes"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CantoMediaTests", dependencies: ["CantoMedia", "CantoCore", "CantoTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CantoRecommendTests",
            dependencies: ["CantoRecommend", "CantoMedia", "CantoCore", "CantoTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CantoSecurityTests", dependencies: ["CantoSecurity", "CantoCore", "CantoTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CantoStoreTests",
            dependencies: [
                "CantoStore", "CantoCore", "CantoTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CantoLibraryTests",
            dependencies: [
                "CantoLibrary", "CantoStore", "CantoCore", "CantoMedia", "CantoTestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CantoServerTests",
            dependencies: [
                "CantoServer", "CantoDomain", "CantoStore", "CantoSecurity", "LocalPlugin", "ListenBrainzPlugin",
                "LastFMPlugin", "CantoTestSupport", "ScrobblerFakes", "CantoPluginKitTesting",
                "CantoCore", "CantoMedia", "CantoPluginKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["Python", "Schemas"],
            swiftSettings: swiftSettings
        ),
    ],
    cxxLanguageStandard: .cxx17
)
