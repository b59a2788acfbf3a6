import CantoTestSupport
import Logging

@testable import CantoServer

extension CantoServices {
    /// The server's services in this process, over a data folder and a music folder (default:
    /// the data folder itself, for tests that need no music), configured by defaults alone.
    static func forTests(data: TemporaryDirectory, music: String? = nil) async throws -> CantoServices {
        let configuration = try CantoConfiguration.load(
            environment: [:], flags: ["library.music_folders": music ?? data.path, "data.dir": data.path],
            workingDirectory: data.path)
        return try await CantoServices(configuration: configuration, logger: Logger(label: "test"))
    }
}
