import CantoCore
import CantoDomain
import Foundation
import Hummingbird

/// The signed-in user's own account: profile, password, preferences, avatar, sessions,
/// Subsonic app password and API keys.
struct MeController {
    let accounts: AccountService
    /// API keys and uploads a listener's plan allows.
    let plans: PlanService
    /// Their uploaded playlists (storage).
    let state: any LibraryStateStore
    static let maxAvatarBytes = 2 * 1024 * 1024
    static let avatarTypes: Set<String> = ["image/jpeg", "image/png", "image/webp", "image/gif"]

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("me", use: profile)
        group.patch("me", use: updateProfile)
        group.put("me/password", use: changePassword)
        group.get("me/preferences", use: preferences)
        group.put("me/preferences", use: setPreferences)
        group.get("me/avatar", use: myAvatar)
        group.put("me/avatar", use: setAvatar)
        group.delete("me/avatar", use: deleteAvatar)
        group.get("users/:id/avatar", use: avatar)
        group.get("me/sessions", use: sessions)
        group.delete("me/sessions/:id", use: revokeSession)
        group.post("me/app-password", use: regenerateAppPassword)
        group.get("me/api-keys", use: apiKeys)
        group.post("me/api-keys", use: createAPIKey)
        group.delete("me/api-keys/:id", use: revokeAPIKey)
    }

    @Sendable func profile(_ request: Request, context: CantoRequestContext) async throws -> Wire.User {
        Wire.User(try context.requireUser())
    }

    @Sendable func updateProfile(_ request: Request, context: CantoRequestContext) async throws -> Wire.User {
        var user = try context.requireUser()
        let body = try await request.decode(as: Wire.ProfileUpdate.self, context: context)
        if let name = body.displayName { user.displayName = try User.checkedDisplayName(name) }
        if let email = body.email {
            guard email.isEmpty || (email.contains("@") && email.count <= 254) else {
                throw APIError.badRequest("email is not an e-mail address.")
            }
            user.email = email.isEmpty ? nil : email
        }
        return Wire.User(try await accounts.updateProfile(user))
    }

    @Sendable func changePassword(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status
    {
        let user = try context.requireUser()
        let body = try await request.decode(as: Wire.PasswordChange.self, context: context)
        try await accounts.changePassword(
            of: user, current: body.currentPassword ?? "", new: body.newPassword, address: context.clientAddress)
        return .noContent
    }

    @Sendable func preferences(_ request: Request, context: CantoRequestContext) async throws -> Wire.Preferences {
        Wire.Preferences(try await accounts.preferences(of: try context.requireUser().id))
    }

    @Sendable func setPreferences(_ request: Request, context: CantoRequestContext) async throws -> Wire.Preferences {
        let user = try context.requireUser()
        var body = try await request.decode(as: Wire.Preferences.self, context: context)
        guard ["raw", "mp3", "opus", "aac", "flac"].contains(body.streamFormat) else {
            throw APIError.badRequest("streamFormat must be raw, mp3, opus, aac or flac.")
        }
        guard (0...1_411).contains(body.maxBitrate) else {
            throw APIError.badRequest("maxBitrate must be 0 (no cap) to 1411 kbit/s.")
        }
        guard ["auto", "light", "dark"].contains(body.theme) else {
            throw APIError.badRequest("theme must be auto, light or dark.")
        }
        guard body.language.count <= 16, !body.language.isEmpty else {
            throw APIError.badRequest("language is invalid.")
        }
        if let zone = body.timeZone {
            guard zone.count <= 64, TimeZone(identifier: zone) != nil else {
                throw APIError.badRequest("timeZone must be an IANA time zone such as Europe/Oslo.")
            }
        } else {
            body.timeZone = try await accounts.preferences(of: user.id).timeZone
        }
        try await accounts.setPreferences(body.domain, of: user.id)
        return body
    }

    @Sendable func myAvatar(_ request: Request, context: CantoRequestContext) async throws -> Response {
        try await avatarResponse(of: try context.requireUser().id)
    }

    @Sendable func avatar(_ request: Request, context: CantoRequestContext) async throws -> Response {
        _ = try context.requireUser()
        return try await avatarResponse(of: UserID(try context.parameters.require("id")))
    }

    private func avatarResponse(of id: UserID) async throws -> Response {
        guard let picture = try await accounts.avatar(of: id) else { throw APIError.notFound }
        var headers = HTTPFields()
        headers[.contentType] = picture.mimeType
        headers[.cacheControl] = "private, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: picture.data)))
    }

    @Sendable func setAvatar(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        let declared = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxAvatarBytes)
        } catch {
            throw APIError(.contentTooLarge, "too_large", "An avatar may be at most 2 MB.")
        }
        let data = Data(buffer.readableBytesView)
        // The bytes decide the type; the header must agree.
        guard let sniffed = ImageType.sniff(data), Self.avatarTypes.contains(sniffed), declared == sniffed else {
            throw APIError(
                .unsupportedMediaType, "unsupported_image", "An avatar must be a JPEG, PNG, WebP or GIF image.")
        }
        try await plans.requireStorage(for: user, total: data.count + (try await state.uploadBytes(of: user.id)))
        try await accounts.setAvatar(Picture(data: data, mimeType: sniffed), of: user.id)
        return .noContent
    }

    @Sendable func deleteAvatar(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        try await accounts.setAvatar(nil, of: try context.requireUser().id)
        return .noContent
    }

    @Sendable func sessions(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.Session> {
        let user = try context.requireUser()
        return Wire.Page(
            all: try await accounts.sessions(of: user.id).map { Wire.Session($0, current: context.session?.id) })
    }

    @Sendable func revokeSession(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        let id = SessionID(try context.parameters.require("id"))
        guard try await accounts.revokeSession(id, owner: user.id, actor: user, address: context.clientAddress) else {
            throw APIError.notFound
        }
        return .noContent
    }

    @Sendable func regenerateAppPassword(_ request: Request, context: CantoRequestContext) async throws -> Wire.Secret {
        let user = try context.requireUser()
        return Wire.Secret(secret: try await accounts.regenerateAppPassword(of: user, address: context.clientAddress))
    }

    @Sendable func apiKeys(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.APIKey> {
        Wire.Page(all: try await accounts.apiKeys(of: try context.requireUser().id).map { Wire.APIKey($0) })
    }

    @Sendable func createAPIKey(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let body = try await request.decode(as: Wire.NewAPIKey.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw APIError.badRequest("name must be 1 to 100 characters.") }
        try await plans.requireAPIKey(for: user, held: try await accounts.apiKeys(of: user.id).count)
        let created = try await accounts.createAPIKey(named: name, for: user, address: context.clientAddress)
        var response = try context.responseEncoder.encode(
            Wire.APIKey(created.key, secret: created.secret), from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func revokeAPIKey(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        let id = APIKeyID(try context.parameters.require("id"))
        guard try await accounts.revokeAPIKey(id, of: user, address: context.clientAddress) else {
            throw APIError.notFound
        }
        return .noContent
    }
}

/// Image types by their first bytes.
enum ImageType {
    static func sniff(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(12))
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        return nil
    }
}
