import CantoCore
import Foundation
import HTTPTypes
import Logging
import Synchronization
import Testing

@testable import CantoServer

/// The shared log levels: parsed from `log.levels`, read per subsystem by every handler, changed
/// by an admin at run time; and the access log's line format.
@Suite("Log levels")
struct LogLevelsTests {
    /// Lines a handler wrote, in order.
    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
    }

    @Test func parsesSubsystemLevelsAndNamesTheBadEntry() throws {
        let levels = try LogLevels.parse(["scanner=debug", " plugins = warning "]).get()
        #expect(levels == ["scanner": .debug, "plugins": .warning])
        #expect(LogLevels.parse(["scanner"]) == .failure(LogLevels.ParseError(entry: "scanner")))
        #expect(LogLevels.parse(["disk=debug"]) == .failure(LogLevels.ParseError(entry: "disk=debug")))
        #expect(LogLevels.parse(["http=loud"]) == .failure(LogLevels.ParseError(entry: "http=loud")))
    }

    @Test func theConfigurationSetsThemAndRefusesAnUnknownSubsystem() throws {
        let configuration = try CantoConfiguration.load(
            environment: ["CANTO_LOG_LEVEL": "notice", "CANTO_LOG_LEVELS": "scanner=debug,plugins=error"])
        #expect(
            configuration.logLevels
                == LogLevels.Snapshot(level: .notice, subsystems: ["scanner": .debug, "plugins": .error]))
        #expect(throws: ConfigError.self) {
            try CantoConfiguration.load(environment: ["CANTO_LOG_LEVELS": "kernel=debug"])
        }
    }

    @Test func handlersFollowTheirSubsystemsLevelAsItChanges() {
        let lines = Lines()
        let levels = LogLevels(level: .info)
        let root = Logger(label: "canto") { label in
            LevelledLogHandler(JSONLogHandler(label: label, write: { lines.append($0) }), levels: levels)
        }
        let scanner = root.subsystem("scanner")
        let plugins = root.subsystem("plugins")
        scanner.debug("hidden")
        plugins.info("plugin info")
        levels.replace(with: LogLevels.Snapshot(level: .info, subsystems: ["scanner": .debug, "plugins": .error]))
        // A logger handed out before the change follows it.
        scanner.debug("scanner detail")
        plugins.warning("quiet now")
        root.debug("general detail")
        root.info("general info")
        let messages = lines.all.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
        }
        #expect(messages.map { $0["msg"] } == ["plugin info", "scanner detail", "general info"])
        #expect(messages.map { $0["subsystem"] } == ["plugins", "scanner", nil])
    }

    @Test func aFloorKeepsQuietCommandsQuiet() {
        let levels = LogLevels(level: .debug, subsystems: ["scanner": .trace], floor: .warning)
        #expect(levels.level(for: nil) == .warning)
        #expect(levels.level(for: "scanner") == .warning)
        levels.replace(with: LogLevels.Snapshot(level: .trace, subsystems: ["http": .error]))
        #expect(levels.level(for: "scanner") == .warning)
        #expect(levels.level(for: "http") == .error)
    }

    @Test func anAdminReadsAndChangesThemAndAUserMayNot() async throws {
        let server = try await InProcessServer.start()
        let admin = try await server.addAdminSession()
        let user = try await server.addUser("lou")
        let levels = server.services.logLevels
        try await server.withClient { client in
            let current = try await client.send(.get, "/api/v1/admin/log-levels", token: admin)
            #expect(current.status == .ok, "\(current.body)")
            #expect(current.json["level"] as? String == "info")
            #expect((current.json["available"] as? [String])?.contains("scanner") == true)
            let changed = try await client.send(
                .put, "/api/v1/admin/log-levels", token: admin,
                json: ["level": "warning", "subsystems": ["scanner": "debug"]])
            #expect(changed.status == .ok, "\(changed.body)")
            #expect(changed.json["subsystems"] as? [String: String] == ["scanner": "debug"])
            #expect(levels.level(for: "scanner") == .debug)
            #expect(levels.level(for: "http") == .warning)
            for bad in [
                ["level": "loud", "subsystems": [String: String]()],
                ["level": "info", "subsystems": ["kernel": "debug"]],
                ["level": "info", "subsystems": ["http": "loud"]],
            ] as [[String: Any]] {
                let refused = try await client.send(.put, "/api/v1/admin/log-levels", token: admin, json: bad)
                #expect(refused.status == .badRequest, "\(bad)")
            }
            #expect(levels.level(for: "scanner") == .debug, "a refused change changes nothing")
            let forbidden = try await client.send(
                .put, "/api/v1/admin/log-levels", token: user.token,
                json: ["level": "trace", "subsystems": [String: String]()])
            #expect(forbidden.status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/admin/log-levels", token: user.token).status == .forbidden)
        }
        #expect(server.services.logLevels.level(for: nil) == .warning)
    }

    @Test func anAccessLogLineIsCombinedLogFormatWithSecretsMasked() throws {
        let entry = AccessLogEntry(
            host: "10.0.0.7", user: "lou", date: Date(timeIntervalSince1970: 971_211_336), method: "GET",
            target: RequestLogMiddleware.redacted(
                path: "/rest/ping", query: "u=lou&p=enc:6869&t=ab&s=cd&apiKey=k1&v=1"),
            status: 200, bytes: 512,
            referer: AccessLogEntry.referer("https://music.example/share?token=sekret&x=1"),
            userAgent: "Player \"9\"")
        #expect(
            entry.line(dateFormatter: AccessLogEntry.dateFormatter())
                == "10.0.0.7 - lou [10/Oct/2000:20:55:36 +0000] \"GET /rest/ping?u=lou&p=***&t=***&s=***&apiKey=***&v=1 "
                + "HTTP/1.1\" 200 512 \"https://music.example/share?token=***&x=1\" \"Player \\\"9\\\"\"")
        let anonymous = AccessLogEntry(
            host: "", user: nil, date: Date(timeIntervalSince1970: 0), method: "POST", target: "/api/v1/auth/login",
            status: 401, bytes: nil, referer: nil, userAgent: nil)
        #expect(
            anonymous.line(dateFormatter: AccessLogEntry.dateFormatter())
                == "- - - [01/Jan/1970:00:00:00 +0000] \"POST /api/v1/auth/login HTTP/1.1\" 401 - \"-\" \"-\"")
    }

    /// A line written while a request is handled, by any logger (here one of a service), carries
    /// the request's ID, route and signed-in user; in tasks the handler starts too; not outside.
    @Test func linesWrittenDuringARequestCarryItsIDRouteAndUser() async throws {
        let lines = Lines()
        let service = Logger(label: "service") { label in
            JSONLogHandler(label: label, metadataProvider: RequestLogScope.metadataProvider) { lines.append($0) }
        }
        service.info("outside")
        let record = RequestRecord()
        record.signedIn(User(id: UserID("u-17"), username: "lou", displayName: "Lou", role: .user))
        let scope = RequestLogScope(id: "req-42", route: "/api/v1/admin/users", record: record)
        await RequestLogScope.$current.withValue(scope) {
            service.info("inside")
            await Task { service.info("in a task it started") }.value
        }
        let objects = lines.all.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(objects.count == 3)
        #expect(objects.first?["hb.request.id"] == nil)
        for object in objects.dropFirst() {
            #expect(object["hb.request.id"] == "req-42", "\(object)")
            #expect(object["http.route"] == "/api/v1/admin/users")
            #expect(object["user.id"] == "u-17")
        }
    }

    /// Through the real binary: the account service's "user created" line, written while an admin's
    /// request creates the user, names that request and that admin.
    @Test func aServiceLineInTheServersLogNamesTheRequest() async throws {
        let server = try await TestServer.start(environment: ["CANTO_LOG_FORMAT": "json"], scan: false)
        let admin = try await server.setUpAdmin()
        _ = try await server.addUser("noor", as: admin)
        let deadline = ContinuousClock.now + .seconds(30)
        var created: [String: Any]?
        while created == nil, ContinuousClock.now < deadline {
            created = server.process.text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.first { $0["msg"] as? String == "user created" && $0["user.name"] as? String == "noor" }
            if created == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let line = try #require(created, "no \"user created\" line for noor")
        #expect((line["hb.request.id"] as? String ?? "").count > 8, "\(line)")
        #expect(line["http.route"] as? String == "/api/v1/admin/users", "\(line)")
        #expect(line["user.id"] as? String == admin.userID, "\(line)")
    }
}
