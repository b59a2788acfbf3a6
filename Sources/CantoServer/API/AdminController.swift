import CantoCore
import CantoPluginKit
import Foundation
import Hummingbird

/// Admin-only: users, everyone's sessions, the audit log, libraries, scans and plugins.
/// `RequireAdminMiddleware` guards the whole group.
struct AdminController {
    let accounts: AccountService
    let services: CantoServices

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("users", use: users)
        group.post("users", use: createUser)
        group.get("users/:id", use: user)
        group.patch("users/:id", use: updateUser)
        group.delete("users/:id", use: deleteUser)
        group.put("users/:id/password", use: setPassword)
        group.get("users/:id/sessions", use: sessions)
        group.delete("sessions/:id", use: revokeSession)
        group.get("audit", use: audit)
        group.get("libraries", use: libraries)
        group.post("libraries", use: addLibrary)
        group.delete("libraries/:id", use: removeLibrary)
        group.get("scan", use: scanStatus)
        group.post("scan", use: startScan)
        group.get("scan/events", use: scanEvents)
        group.get("plugins", use: plugins)
    }

    private func target(_ context: CantoRequestContext) async throws -> User {
        guard let user = try await accounts.users.user(UserID(try context.parameters.require("id"))) else {
            throw APIError.notFound
        }
        return user
    }

    @Sendable func users(_ request: Request, context: CantoRequestContext) async throws -> [Wire.User] {
        try await accounts.users.users().map(Wire.User.init)
    }

    @Sendable func user(_ request: Request, context: CantoRequestContext) async throws -> Wire.User {
        Wire.User(try await target(context))
    }

    @Sendable func createUser(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let body = try await request.decode(as: Wire.NewUser.self, context: context)
        guard let role = Role(rawValue: body.role ?? "user") else {
            throw APIError.badRequest("role must be admin or user.")
        }
        let created = try await accounts.createUser(
            username: body.username, password: body.password, role: role, displayName: body.displayName,
            email: body.email, actor: try context.requireUser(), address: context.clientAddress)
        var response = try context.responseEncoder.encode(
            Wire.NewUserResult(user: Wire.User(created.user), appPassword: created.appPassword), from: request,
            context: context)
        response.status = .created
        return response
    }

    @Sendable func updateUser(_ request: Request, context: CantoRequestContext) async throws -> Wire.User {
        var user = try await target(context)
        let body = try await request.decode(as: Wire.UserUpdate.self, context: context)
        if let name = body.displayName { user.displayName = try User.checkedDisplayName(name) }
        if let email = body.email { user.email = email.isEmpty ? nil : email }
        if let bitrate = body.maxBitrate {
            guard (32...1_411).contains(bitrate) else { throw APIError.badRequest("maxBitrate must be 32 to 1411.") }
            user.maxBitrate = bitrate
        }
        if body.clearMaxBitrate == true { user.maxBitrate = nil }
        if let ids = body.libraryIds {
            let known = Set(try await services.catalog.libraries().map(\.id.rawValue))
            guard ids.allSatisfy(known.contains) else {
                throw APIError.badRequest("libraryIds names an unknown library.")
            }
            user.libraryIDs = ids.map { LibraryID($0) }
        }
        if body.allLibraries == true { user.libraryIDs = nil }
        if let canDownload = body.canDownload { user.canDownload = canDownload }
        if let canShare = body.canShare { user.canShare = canShare }
        var role: Role?
        if let text = body.role {
            guard let value = Role(rawValue: text) else { throw APIError.badRequest("role must be admin or user.") }
            role = value
        }
        return Wire.User(
            try await accounts.updateUser(
                user, role: role, actor: try context.requireUser(), address: context.clientAddress))
    }

    @Sendable func deleteUser(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try await target(context)
        try await accounts.deleteUser(user, actor: try context.requireUser(), address: context.clientAddress)
        return .noContent
    }

    @Sendable func setPassword(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try await target(context)
        let body = try await request.decode(as: Wire.PasswordChange.self, context: context)
        try await accounts.setPassword(
            of: user, to: body.newPassword, actor: try context.requireUser(), address: context.clientAddress)
        return .noContent
    }

    @Sendable func sessions(_ request: Request, context: CantoRequestContext) async throws -> [Wire.Session] {
        let user = try await target(context)
        return try await accounts.sessions.sessions(of: user.id).map { Wire.Session($0, current: context.session?.id) }
    }

    @Sendable func revokeSession(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let id = SessionID(try context.parameters.require("id"))
        guard
            try await accounts.revokeSession(
                id, owner: nil, actor: try context.requireUser(), address: context.clientAddress)
        else { throw APIError.notFound }
        return .noContent
    }

    @Sendable func audit(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.AuditEvent> {
        let (offset, limit) = try HistoryController.paging(request)
        let events = try await accounts.audit.auditEvents(offset: offset, limit: limit).map {
            Wire.AuditEvent(
                id: $0.id, at: $0.at, kind: $0.kind.rawValue, actorId: $0.actorID?.rawValue, subject: $0.subject,
                address: $0.address)
        }
        return Wire.Page(items: events, total: events.count, offset: offset, limit: limit)
    }

    struct LibraryInfo: ResponseEncodable {
        var id: String
        var name: String
        var path: String
        /// Set in the configuration file (removable only there).
        var configured: Bool
    }

    struct NewLibrary: Decodable {
        var path: String
        var name: String?
    }

    @Sendable func libraries(_ request: Request, context: CantoRequestContext) async throws -> [LibraryInfo] {
        var infos: [LibraryInfo] = []
        for library in await services.libraries.all {
            infos.append(
                LibraryInfo(
                    id: library.id.rawValue, name: library.name, path: library.path,
                    configured: await services.libraries.isConfigured(library.id)))
        }
        return infos
    }

    /// Adds a music folder (an absolute path on the server) and starts a scan.
    @Sendable func addLibrary(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewLibrary.self, context: context)
        let library = try await services.libraries.add(path: body.path, name: body.name)
        try await accounts.audit.record(
            .libraryAdded, actor: try context.requireUser().id, subject: library.path,
            address: context.clientAddress, at: Date())
        var response = try context.responseEncoder.encode(
            LibraryInfo(id: library.id.rawValue, name: library.name, path: library.path, configured: false),
            from: request, context: context)
        response.status = .created
        return response
    }

    /// Removes a folder added here; the scan it starts removes its tracks from the catalog.
    @Sendable func removeLibrary(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let id = LibraryID(try context.parameters.require("id"))
        try await services.libraries.remove(id)
        try await accounts.audit.record(
            .libraryRemoved, actor: try context.requireUser().id, subject: id.rawValue,
            address: context.clientAddress, at: Date())
        return .noContent
    }

    struct ScanState: ResponseEncodable, Encodable {
        var running: Bool
        var filesSeen: Int
        var expectedFiles: Int
        var startedAt: Date?
        var completedScans: Int
        var summary: ScanSummary
    }

    static func scanState(_ scans: ScanCoordinator) async -> ScanState {
        let progress = await scans.progress
        return ScanState(
            running: progress.running, filesSeen: progress.filesSeen, expectedFiles: progress.expectedFiles,
            startedAt: progress.startedAt, completedScans: await scans.completedScans, summary: progress.summary)
    }

    @Sendable func scanStatus(_ request: Request, context: CantoRequestContext) async throws -> ScanState {
        await Self.scanState(services.scans)
    }

    /// Server-Sent Events: `progress` on connect and every 250 ms while a scan runs, `done` when
    /// one finishes. The stream ends after an hour (EventSource reconnects by itself).
    @Sendable func scanEvents(_ request: Request, context: CantoRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let scans = services.scans
        let body = ResponseBody { writer in
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            func send(_ event: String, _ state: ScanState) async throws {
                let data = try encoder.encode(state)
                try await writer.write(
                    ByteBuffer(string: "event: \(event)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
            }
            var last = await Self.scanState(scans)
            try await send("progress", last)
            let end = ContinuousClock.now + .seconds(3600)
            var quiet = 0
            while ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(250))
                let state = await Self.scanState(scans)
                if state.completedScans != last.completedScans {
                    try await send("done", state)
                } else if state.running || last.running || state.filesSeen != last.filesSeen {
                    try await send("progress", state)
                } else {
                    quiet += 1
                    // A comment line now and then: proxies keep the connection, a gone client is noticed.
                    if quiet % 60 == 0 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                }
                last = state
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func startScan(_ request: Request, context: CantoRequestContext) async throws -> Response {
        await services.scans.requestScan()
        return Response(status: .accepted)
    }

    @Sendable func plugins(_ request: Request, context: CantoRequestContext) async throws -> [PluginStatus] {
        await services.registry.status()
    }
}

extension PluginStatus: ResponseEncodable {}
extension ScanSummary: ResponseEncodable {}
