import CantoCore
import CantoDomain
import CantoSecurity
import Foundation

/// getUser, getUsers, createUser, updateUser, deleteUser, changePassword, getScanStatus,
/// startScan — with the spec's admin rules (error 50 otherwise).
struct SubsonicUsers: Sendable {
    let accounts: AccountService
    let scans: ScanCoordinator
    /// Music folder numbers, and the whole catalog's count for the scan status.
    let catalogs: CatalogService

    func register(in api: inout SubsonicAPI) {
        api.on("getUser") { call in
            let name = try call.parameters.required("username")
            guard name == call.user.username || call.user.isAdmin else { throw SubsonicError.notAuthorized }
            guard let user = try await accounts.user(named: name) else { throw SubsonicError.notFound("User") }
            return .element("user", try await element(user))
        }
        api.on("getUsers") { call in
            try Self.requireAdmin(call)
            var users: [SubsonicElement] = []
            for user in try await accounts.allUsers() { users.append(try await element(user)) }
            return .element("users", SubsonicElement().with("user", list: users))
        }
        api.on("createUser") { call in try await createUser(call) }
        api.on("updateUser") { call in try await updateUser(call) }
        api.on("deleteUser") { call in
            try Self.requireAdmin(call)
            let user = try await target(call)
            try await accounts.deleteUser(user, actor: call.user, address: call.context.clientAddress)
            return .empty
        }
        api.on("changePassword") { call in
            let user = try await target(call)
            guard user.id == call.user.id || call.user.isAdmin else { throw SubsonicError.notAuthorized }
            try await accounts.setPassword(
                of: user, to: try Self.password(call.parameters), actor: call.user, address: call.context.clientAddress)
            return .empty
        }
        api.on("getScanStatus") { _ in try await scanStatus() }
        api.on("startScan") { call in
            try Self.requireAdmin(call)
            await scans.requestScan()
            return try await scanStatus(startingNow: true)
        }
    }

    static func requireAdmin(_ call: SubsonicCall) throws {
        guard call.user.isAdmin else { throw SubsonicError.notAuthorized }
    }

    /// `password` in clear or as `enc:` hex.
    static func password(_ parameters: SubsonicParameters) throws -> String {
        let raw = try parameters.required("password")
        guard raw.hasPrefix("enc:") else { return raw }
        let hex = Array(raw.dropFirst(4).utf8)
        guard hex.count % 2 == 0 else { throw SubsonicError.invalid("password", "bad enc: hex") }
        var bytes: [UInt8] = []
        var index = 0
        while index < hex.count {
            guard let byte = UInt8(String(decoding: hex[index..<index + 2], as: UTF8.self), radix: 16) else {
                throw SubsonicError.invalid("password", "bad enc: hex")
            }
            bytes.append(byte)
            index += 2
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func target(_ call: SubsonicCall) async throws -> User {
        guard let user = try await accounts.user(named: try call.parameters.required("username")) else {
            throw SubsonicError.notFound("User")
        }
        return user
    }

    private func folderNumbers(_ user: User) async throws -> [Int] {
        let numbers = try await catalogs.libraryNumbers()
        let ids = user.libraryIDs ?? Array(numbers.keys)
        return ids.compactMap { numbers[$0] }.sorted()
    }

    private func element(_ user: User) async throws -> SubsonicElement {
        let preferences = try await accounts.preferences(of: user.id)
        return SubsonicElement([
            ("username", .string(user.username)), ("email", user.email.map(SubsonicValue.string)),
            ("scrobblingEnabled", .bool(preferences.scrobbling)),
            ("maxBitRate", user.maxBitrate.map(SubsonicValue.int)),
            ("adminRole", .bool(user.isAdmin)), ("settingsRole", .bool(true)),
            ("downloadRole", .bool(user.canDownload)),
            ("uploadRole", .bool(false)), ("playlistRole", .bool(true)), ("coverArtRole", .bool(false)),
            ("commentRole", .bool(false)), ("podcastRole", .bool(false)), ("streamRole", .bool(true)),
            ("jukeboxRole", .bool(false)), ("shareRole", .bool(user.canShare)), ("videoConversionRole", .bool(false)),
        ]).with("folder", list: try await folderNumbers(user).map { .value(.int($0)) })
    }

    private func libraries(_ parameters: SubsonicParameters) async throws -> [LibraryID]? {
        let wanted = parameters.all("musicFolderId").compactMap(Int.init)
        guard !wanted.isEmpty else { return nil }
        let numbers = try await catalogs.libraryNumbers()
        return numbers.filter { wanted.contains($0.value) }.map(\.key)
    }

    private func createUser(_ call: SubsonicCall) async throws -> SubsonicPayload {
        try Self.requireAdmin(call)
        let p = call.parameters
        let created = try await accounts.createUser(
            username: try p.required("username"), password: try Self.password(p),
            role: p.bool("adminRole") ? .admin : .user, email: p.string("email"), actor: call.user,
            address: call.context.clientAddress)
        var user = created.user
        user.canDownload = p.bool("downloadRole", default: true)
        user.canShare = p.bool("shareRole", default: true)
        user.libraryIDs = try await libraries(p)
        _ = try await accounts.updateProfile(user)
        return .empty
    }

    private func updateUser(_ call: SubsonicCall) async throws -> SubsonicPayload {
        try Self.requireAdmin(call)
        let p = call.parameters
        var user = try await target(call)
        if let email = p.string("email") { user.email = email.isEmpty ? nil : email }
        if p.string("downloadRole") != nil { user.canDownload = p.bool("downloadRole") }
        if p.string("shareRole") != nil { user.canShare = p.bool("shareRole") }
        if let bitrate = try p.int("maxBitRate") { user.maxBitrate = bitrate == 0 ? nil : bitrate }
        if let libraries = try await libraries(p) { user.libraryIDs = libraries }
        let role: Role? = p.string("adminRole").map { _ in p.bool("adminRole") ? .admin : .user }
        _ = try await accounts.updateUser(user, role: role, actor: call.user, address: call.context.clientAddress)
        if p.string("password") != nil {
            try await accounts.setPassword(
                of: user, to: try Self.password(p), actor: call.user, address: call.context.clientAddress)
        }
        return .empty
    }

    private func scanStatus(startingNow: Bool = false) async throws -> SubsonicPayload {
        let progress = await scans.progress
        let count = progress.running ? progress.filesSeen : try await catalogs.counts().tracks
        return .element(
            "scanStatus",
            SubsonicElement([("scanning", .bool(progress.running || startingNow)), ("count", .int(count))]))
    }
}
