import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import GRDB
import Testing

/// The activity counters (plays, skips, slow requests) are kept in memory between their writes
/// once a minute: a graceful stop writes them once more, and says nothing was lost.
@Suite struct ServerActivityShutdownTests {
    @Test func theLastCountsAreWrittenAtShutdownWithoutAWarning() async throws {
        let server = try await TestServer.start()
        let tracks = try await server.trackIDs()
        _ = try await server.setUpAdmin()
        let track = try #require(tracks.first)
        let scrobble = try await HTTP.get(
            server.url(
                "/rest/scrobble?u=admin&p=admin-password-1&v=1.16.1&c=shutdown&f=json&submission=true&id=\(track.rawValue)"
            ))
        #expect(scrobble.status == 200 && scrobble.body.contains("\"ok\""), "\(scrobble.body)")

        server.process.signal(SIGTERM)
        try await server.process.waitForExit()
        #expect(!server.process.text.contains("activity counters not written"), "\(server.process.text)")
        let counted = try await CantoDatabase(dataDirectory: server.data.url).pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT coalesce(sum(value), 0) FROM server_hour WHERE name IN ('plays', 'skips')")
        }
        #expect(counted == 1)
    }
}
