import CantoPluginKit
import CantoRecommend
import CantoTestSupport
import Foundation
import Logging
import Testing

@testable import CantoServer

@Suite("Configuration")
struct ConfigurationTests {
    let scratch: TemporaryDirectory
    var directory: URL { scratch.url }

    init() throws {
        scratch = try TemporaryDirectory(prefix: "canto-config")
        try FileManager.default.createDirectory(at: scratch.appending("music"), withIntermediateDirectories: true)
    }

    func write(_ text: String) throws -> String {
        let path = directory.appendingPathComponent("canto.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func load(file: String? = nil, environment: [String: String] = [:], flags: [String: String] = [:]) throws
        -> CantoConfiguration
    {
        try CantoConfiguration.load(
            file: file, environment: environment, flags: flags, workingDirectory: directory.path)
    }

    func expectError(key: String, line: Int? = nil, _ body: () throws -> CantoConfiguration) {
        do {
            _ = try body()
            Issue.record("expected a configuration error for \(key)")
        } catch let error as ConfigError {
            #expect(error.key == key)
            if let line { #expect(error.line == line) }
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func defaultsWithoutAnyFile() throws {
        let music = directory.appendingPathComponent("music").path
        let configuration = try load(flags: ["library.music_folders": music])
        #expect(configuration.port == 4533)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.scanOnStart)
        #expect(configuration.scanIntervalMinutes == 0)
        #expect(configuration.logFormat == "text")
        #expect(configuration.file == nil)
        #expect(configuration.origins["server.port"] == "default")
    }

    @Test func theDefaultMusicFolderIsCreated() throws {
        let scratch = directory.appendingPathComponent("fresh")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let configuration = try CantoConfiguration.load(environment: [:], workingDirectory: scratch.path)
        #expect(configuration.musicFolders == [scratch.appendingPathComponent("music").path])
        #expect(FileManager.default.fileExists(atPath: configuration.musicFolders[0]))
    }

    @Test func fileThenEnvironmentThenFlags() throws {
        let music = directory.appendingPathComponent("music").path
        let file = try write(
            """
            [server]
            port = 5000
            host = "127.0.0.1"
            [library]
            music_folders = ["\(music)"]
            [log]
            format = "json"
            """)
        let fromFile = try load(file: file)
        #expect(fromFile.port == 5000)
        #expect(fromFile.host == "127.0.0.1")
        #expect(fromFile.logFormat == "json")
        #expect(fromFile.musicFolders == [music])

        let fromEnvironment = try load(
            file: file, environment: ["CANTO_SERVER_PORT": "6000", "CANTO_LOG_LEVEL": "debug"])
        #expect(fromEnvironment.port == 6000)
        #expect(fromEnvironment.logLevel == "debug")
        #expect(fromEnvironment.origins["server.port"] == "environment")

        let fromFlags = try load(file: file, environment: ["CANTO_SERVER_PORT": "6000"], flags: ["server.port": "7000"])
        #expect(fromFlags.port == 7000)
        #expect(fromFlags.origins["server.port"] == "command line")
    }

    @Test func configEnvironmentVariableNamesTheFile() throws {
        let file = try write("[server]\nport = 5050\n[library]\nmusic_folders = [\"\(directory.path)/music\"]\n")
        #expect(try load(environment: ["CANTO_CONFIG": file]).port == 5050)
    }

    @Test func canto_tomlInTheWorkingDirectoryIsRead() throws {
        _ = try write("[server]\nport = 5151\n[library]\nmusic_folders = [\"\(directory.path)/music\"]\n")
        #expect(try load().port == 5151)
    }

    @Test func listsFromTheEnvironmentAreCommaSeparated() throws {
        let a = directory.appendingPathComponent("a")
        let b = directory.appendingPathComponent("b")
        for folder in [a, b] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let configuration = try load(environment: ["CANTO_LIBRARY_MUSIC_FOLDERS": "\(a.path),\(b.path)"])
        #expect(configuration.musicFolders == [a.path, b.path])
    }

    @Test func pluginSectionsAndTheirEnvironmentOverrides() throws {
        let file = try write(
            """
            [library]
            music_folders = ["\(directory.path)/music"]
            [plugins.local]
            concurrency = 2
            cover_names = ["art"]
            """)
        let configuration = try load(file: file, environment: ["CANTO_PLUGINS_LOCAL_BATCH_SIZE": "50"])
        let local = try #require(configuration.plugins["local"])
        #expect(try local.integer("concurrency") == 2)
        #expect(try local.strings("cover_names") == ["art"])
        #expect(try local.integer("batch_size") == 50)
        try configuration.validatePlugins()
    }

    @Test func unknownKeyIsNamedWithItsLine() throws {
        let file = try write("[server]\nport = 80\nprot = 81\n")
        expectError(key: "server.prot", line: 3) { try load(file: file) }
    }

    @Test func unknownSectionIsRejected() throws {
        let file = try write("[servre]\nport = 80\n")
        expectError(key: "servre.port", line: 2) { try load(file: file) }
    }

    @Test func wrongTypeIsNamedWithItsLine() throws {
        let file = try write("[scanner]\non_start = \"yes\"\n")
        expectError(key: "scanner.on_start", line: 2) { try load(file: file) }
    }

    @Test func portOutOfRange() throws {
        let file = try write("[server]\nport = 70000\n")
        expectError(key: "server.port", line: 2) { try load(file: file) }
        expectError(key: "server.port") { try load(environment: ["CANTO_SERVER_PORT": "-1"]) }
        expectError(key: "server.port") { try load(flags: ["server.port": "http"]) }
    }

    @Test func missingMusicFolder() throws {
        let file = try write("[library]\nmusic_folders = [\"/nonexistent/canto-music\"]\n")
        expectError(key: "library.music_folders") { try load(file: file) }
    }

    @Test func invalidEnumeratedValue() throws {
        expectError(key: "log.format") { try load(environment: ["CANTO_LOG_FORMAT": "xml"]) }
    }

    @Test func recommendationWeightsComeFromTheFileAndAreChecked() throws {
        #expect(try load().recommendations == RecommendationSettings())
        expectError(key: "recommendations.sources") {
            try load(environment: ["CANTO_RECOMMENDATIONS_SOURCES": "sonic"])
        }
        expectError(key: "recommendations.taste") {
            try load(environment: ["CANTO_RECOMMENDATIONS_TASTE": "lots"])
        }
        expectError(key: "recommendations.diversity", line: 2) {
            try load(file: try write("[recommendations]\ndiversity = 2\n"))
        }
        let configuration = try load(
            file: try write(
                "[recommendations]\nsources = [\"sonic=0.5\", \"mine=3\"]\ntaste = 2\ndiversity = 0.35\ndaily_mixes = 2\n"
            ))
        let settings = configuration.recommendations
        #expect(settings.weights.sources == ["sonic": 0.5, "mine": 3])
        #expect(settings.weights.taste == 2)
        #expect(settings.weights.diversity == 0.35)
        #expect(settings.weights.popularity == 1)
        #expect(settings.dailyMixes == 2)
        #expect(settings.analyse)
        #expect(try !load(environment: ["CANTO_RECOMMENDATIONS_ANALYSE": "false"]).recommendations.analyse)
    }

    /// With `analyse` off the sonic analyser is not among what runs beside the server.
    @Test func theAnalyserRunsOnlyWhenAnalysisIsOn() async throws {
        for analyse in [true, false] {
            let server = try await InProcessServer.start(
                environment: ["CANTO_RECOMMENDATIONS_ANALYSE": "\(analyse)"])
            let names = backgroundServices(server.services, logger: Logger(label: "test")).map {
                String(describing: type(of: $0))
            }
            #expect(names.contains("SonicAnalysisService") == analyse, "\(names)")
            #expect(names.contains("EventService"))
            #expect(names.contains("AllocatorTrimService"))
        }
    }

    @Test func syntaxErrorGivesTheLine() throws {
        let file = try write("[server]\nport = 80\n[scanner\n")
        expectError(key: "(syntax)", line: 3) { try load(file: file) }
    }

    @Test func unreadableFile() {
        expectError(key: "--config") { try load(file: directory.appendingPathComponent("missing.toml").path) }
    }

    @Test func unknownPluginAndUnknownPluginKey() throws {
        let unknownPlugin = try load(file: try write("[plugins.spotifyy]\nenabled = true\n"))
        #expect(throws: PluginConfigurationError.self) { try unknownPlugin.validatePlugins() }
        let unknownKey = try load(file: try write("[plugins.local]\nconcurency = 2\n"))
        #expect(throws: PluginConfigurationError(pluginID: "local", key: "concurency", message: "unknown key")) {
            try unknownKey.validatePlugins()
        }
    }

    @Test func renderedConfigurationMasksSecrets() throws {
        let file = try write("[plugins.local]\nvarious_artists = \"hunter2\"\n")
        let text = try load(file: file).rendered(secretPluginKeys: ["local": ["various_artists"]])
        #expect(!text.contains("hunter2"))
        #expect(text.contains("various_artists = \"********\""))
        #expect(text.contains("port = 4533"))
    }
}
