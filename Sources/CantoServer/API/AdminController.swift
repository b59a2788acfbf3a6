import CantoCore
import CantoDomain
import Foundation
public import Hummingbird

/// Admin-only: users, everyone's sessions and the audit log. `RequireAdminMiddleware` guards
/// the whole group.
struct AdminController {
    let accounts: AccountService
    /// The libraries a user may be given.
    let catalogs: CatalogService

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
    }

    private func target(_ context: CantoRequestContext) async throws -> User {
        guard let user = try await accounts.user(UserID(try context.parameters.require("id"))) else {
            throw APIError.notFound
        }
        return user
    }

    @Sendable func users(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.User> {
        Wire.Page(all: try await accounts.allUsers().map(Wire.User.init))
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
            let known = Set(try await catalogs.allLibraries().map(\.id.rawValue))
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

    @Sendable func sessions(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.Session> {
        let user = try await target(context)
        return Wire.Page(
            all: try await accounts.sessions(of: user.id).map { Wire.Session($0, current: context.session?.id) })
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
        // One more than asked tells whether another page follows.
        let events = try await accounts.auditEvents(offset: offset, limit: limit + 1).map {
            Wire.AuditEvent(
                id: $0.id, at: $0.at, kind: $0.kind.rawValue, actorId: $0.actorID?.rawValue, subject: $0.subject,
                address: $0.address)
        }
        return Wire.Page(
            items: Array(events.prefix(limit)), offset: offset, limit: limit, more: events.count > limit)
    }

}

extension PluginStatus: ResponseEncodable {}
extension ScanSummary: ResponseEncodable {}
