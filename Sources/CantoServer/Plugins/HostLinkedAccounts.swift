import CantoCore
import CantoDomain
import CantoPluginKit
import Synchronization

/// The linked-account service, bound once it exists (the plugins are made before it, and it
/// asks the plugins for their OAuth clients).
final class LinkedAccountsBinding: Sendable {
    private let service = Mutex<LinkedAccountService?>(nil)

    func bind(_ value: LinkedAccountService) { service.withLock { $0 = value } }
    var value: LinkedAccountService? { service.withLock { $0 } }
}

/// A plugin's view of its listeners' linked accounts: fresh access tokens through the host's
/// refresh (rotated tokens stored sealed), "reconnect" as ``LinkedAccountRejected``.
struct HostLinkedAccounts: PluginLinkedAccounts {
    let pluginID: String
    let allowed: Bool
    let binding: LinkedAccountsBinding

    func account(of user: UserID) async throws -> LinkedAccount? {
        guard allowed else { throw PluginPermissionDenied(pluginID: pluginID, permission: "linkedAccounts") }
        guard let service = binding.value else { return nil }
        if let account = try await service.account(plugin: pluginID, user: user) { return account }
        if let state = try await service.state(plugin: pluginID, user: user), state == .reconnect {
            throw LinkedAccountRejected(reason: "the service asks the listener to connect again")
        }
        return nil
    }

    func linkedUsers() async throws -> [UserID] {
        guard allowed else { throw PluginPermissionDenied(pluginID: pluginID, permission: "linkedAccounts") }
        return try await binding.value?.linkedUsers(plugin: pluginID) ?? []
    }
}
