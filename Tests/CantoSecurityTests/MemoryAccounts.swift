import CantoCore
import Foundation

/// Just enough of a user and API key store for the authenticator: the real ones live in
/// CantoStore. Methods the authenticator never calls keep the simplest honest behaviour.
actor MemoryAccounts: UserStore, APIKeyStore {
    private var usersByID: [UserID: User] = [:]
    private var passwordHashes: [UserID: String] = [:]
    private var sealedAppPasswords: [UserID: Data] = [:]
    private var keys: [String: APIKey] = [:]
    private(set) var touchedUsers: [UserID] = []
    private(set) var touchedKeys: [APIKeyID] = []

    func createUser(_ user: User, passwordHash: String, sealedAppPassword: Data) async throws {
        guard try await self.user(username: user.username) == nil else {
            throw DuplicateUsername(username: user.username)
        }
        usersByID[user.id] = user
        passwordHashes[user.id] = passwordHash
        sealedAppPasswords[user.id] = sealedAppPassword
    }
    func user(_ id: UserID) async throws -> User? { usersByID[id] }
    func user(username: String) async throws -> User? {
        usersByID.values.first { $0.username.lowercased() == username.lowercased() }
    }
    func users() async throws -> [User] { Array(usersByID.values) }
    func userCount() async throws -> Int { usersByID.count }
    func updateUser(_ user: User) async throws { usersByID[user.id] = user }
    func deleteUser(_ id: UserID) async throws -> Bool { usersByID.removeValue(forKey: id) != nil }
    func passwordHash(of id: UserID) async throws -> String? { passwordHashes[id] }
    func setPasswordHash(_ hash: String, of id: UserID) async throws { passwordHashes[id] = hash }
    func sealedAppPassword(of id: UserID) async throws -> Data? { sealedAppPasswords[id] }
    func userWithSealedAppPassword(username: String) async throws -> (User, Data?)? {
        guard let user = try await user(username: username) else { return nil }
        return (user, sealedAppPasswords[user.id])
    }
    func setSealedAppPassword(_ sealed: Data, of id: UserID) async throws { sealedAppPasswords[id] = sealed }
    func removeAppPassword(of id: UserID) { sealedAppPasswords[id] = nil }
    func preferences(of id: UserID) async throws -> UserPreferences { UserPreferences() }
    func setPreferences(_ preferences: UserPreferences, of id: UserID) async throws {}
    func avatar(of id: UserID) async throws -> Picture? { nil }
    func setAvatar(_ avatar: Picture?, of id: UserID) async throws {}
    func touch(_ id: UserID, at date: Date) async throws {
        usersByID[id]?.lastSeenAt = date
        touchedUsers.append(id)
    }

    func createAPIKey(_ key: APIKey, keyHash: String) async throws { keys[keyHash] = key }
    func apiKey(hash: String) async throws -> APIKey? { keys[hash] }
    func apiKeys(of user: UserID) async throws -> [APIKey] { keys.values.filter { $0.userID == user } }
    func deleteAPIKey(_ id: APIKeyID, owner: UserID) async throws -> Bool {
        guard let hash = keys.first(where: { $0.value.id == id && $0.value.userID == owner })?.key else { return false }
        keys[hash] = nil
        return true
    }
    func touchAPIKey(_ id: APIKeyID, at date: Date) async throws {
        for (hash, key) in keys where key.id == id { keys[hash]?.lastUsedAt = date }
        touchedKeys.append(id)
    }
}
