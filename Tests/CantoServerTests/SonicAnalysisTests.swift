import CantoCore
import CantoDomain
import CantoMedia
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import HTTPTypes
import Logging
import Testing

@testable import CantoServer

/// The background sonic analyser through a real server (in process): every decodable track gets
/// features, a silent one its reason; a restart resumes where the last run stopped; unchanged
/// tracks are never measured twice, a changed one is measured again; the admin API shows it.
@Suite("Sonic analysis")
struct SonicAnalysisTests {
    static func library() throws -> TemporaryDirectory {
        let music = try TemporaryDirectory(prefix: "canto-sonic-lib")
        let folder = music.url.appendingPathComponent("Tones/Pure")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, title) in ["Low", "Middle", "High"].enumerated() {
            try AudioClip(seconds: 3, frequency: 220 * (index + 1)).encode(
                .mp3, to: folder.appendingPathComponent("\(index + 1) \(title).mp3"),
                metadata: ["title": title, "artist": "Tones", "album": "Pure", "track": "\(index + 1)"])
        }
        try SynthClip(samples: [Float](repeating: 0, count: SynthClip.rate * 4))
            .writeWAV(to: folder.appendingPathComponent("4 Silence.wav"))
        return music
    }

    @Test func everyTrackIsMeasuredOnceResumingAfterARestart() async throws {
        let music = try Self.library()
        let server = try await InProcessServer.start(music: [music.url])
        let tracks = try await server.trackIDs()
        #expect(tracks.count == 4)
        // The analyser yields the CPU to requests.
        #expect(await server.services.sonic.pool.lowPriority)
        // Two tracks, then the server stops.
        #expect(await server.services.sonic.runOnce(limit: 2) == 2)
        #expect(try await server.services.sonicFeatures.progress().pending == 2)
        // A new server over the same data measures the other two, and nothing more.
        let restarted = try await CantoServices(
            configuration: server.configuration, logger: Logger(label: "restarted"))
        await restarted.registry.startAll()
        #expect(await restarted.sonic.runOnce() == 2)
        #expect(await restarted.sonic.runOnce() == 0)
        let progress = try await restarted.sonicFeatures.progress()
        let figures: [Int] = [progress.total, progress.analyzed, progress.failed, progress.pending]
        #expect(figures == [4, 3, 1, 0])
        let failures = try await restarted.sonicFeatures.failures(limit: 10)
        #expect(failures.map(\.reason) == ["silent"])
        #expect(failures.first?.title.contains("Silence") == true, "\(failures)")
        var tempos: [Float] = []
        for id in tracks where id != failures.first?.trackID {
            let features = try #require(try await restarted.sonicFeatures.features(of: id))
            #expect(features.values.count == SonicFeatures.count)
            tempos.append(features.loudness)
        }
        #expect(tempos.allSatisfy { $0 < 0 && $0 > -40 }, "loudness \(tempos)")
        let all = try await restarted.sonicFeatures.allFeatures()
        #expect(all.count == 3)
        // Pages follow the IDs: two, then the one after the second, then none.
        let first = try await restarted.sonicFeatures.features(after: nil, limit: 2)
        let second = try await restarted.sonicFeatures.features(after: first.last?.0, limit: 2)
        #expect((first + second).map(\.0) == all.map(\.0).sorted { $0.rawValue < $1.rawValue })
        #expect(second.count == 1)
        #expect(try await restarted.sonicFeatures.features(after: second.last?.0, limit: 2).isEmpty)
        // A blob that does not read back is passed over, and the page is still full.
        let unreadable = try #require(first.first?.0.rawValue)
        try await restarted.scanning.database.pool.write { db in
            try db.execute(sql: "UPDATE track_sonic SET features = x'00' WHERE track_id = ?", arguments: [unreadable])
        }
        let full = try await restarted.sonicFeatures.features(after: nil, limit: 2)
        #expect(full.map(\.0) == Array(all.map(\.0).sorted { $0.rawValue < $1.rawValue }.dropFirst()))

        // A file that changes is measured again after the rescan notices; the others are not.
        try AudioClip(seconds: 3, frequency: 990).encode(
            .mp3, to: music.url.appendingPathComponent("Tones/Pure/2 Middle.mp3"),
            metadata: ["title": "Middle", "artist": "Tones", "album": "Pure", "track": "2"])
        let summary = try await restarted.scans.scanNow()
        #expect(summary.updated == 1, "\(summary)")
        #expect(try await restarted.sonicFeatures.progress().pending == 1)
        #expect(await restarted.sonic.runOnce() == 1)
        #expect(try await restarted.sonicFeatures.progress().pending == 0)

        // The admin page's view of it.
        let admin = try await server.addAdminSession()
        let user = try await server.addUser("lena")
        try await server.withClient { client in
            let state = try await client.send(.get, "/api/v1/admin/analysis", token: admin)
            #expect(state.status == .ok, "\(state.body)")
            #expect(state.json["analyzed"] as? Int == 3)
            #expect(state.json["failed"] as? Int == 1)
            #expect(state.json["pending"] as? Int == 0)
            #expect((state.json["failures"] as? [[String: Any]])?.first?["reason"] as? String == "silent")
            #expect(try await client.send(.get, "/api/v1/admin/analysis", token: user.token).status == .forbidden)
        }
    }

    @Test func theFixtureLibraryIsMeasuredFileByFile() async throws {
        let fixture = try await FixtureLibrary.shared()
        let data = try TemporaryDirectory(prefix: "canto-sonic-fixture")
        let services = try await CantoServices.forTests(data: data, music: fixture.root.path)
        await services.registry.startAll()
        _ = try await services.scans.scanNow()
        let progress = try await services.sonicFeatures.progress()
        #expect(progress.total == fixture.expectedTrackCount)
        #expect(await services.sonic.runOnce() == fixture.expectedTrackCount)
        let after = try await services.sonicFeatures.progress()
        let failures = try await services.sonicFeatures.failures(limit: 20)
        // Every format the scanner reads decodes to a vector; nothing is left waiting.
        #expect(after.analyzed == fixture.expectedTrackCount, "\(after) \(failures)")
        #expect(after.pending == 0)
        #expect(try await services.sonicFeatures.allFeatures().allSatisfy { $0.1.values.allSatisfy(\.isFinite) })
    }
}
