public import CantoCore
import Crypto
public import Foundation

/// Decides who a Subsonic request comes from, by any of the mechanisms Subsonic clients use:
///
/// - `u` and `p` (clear, or `enc:` and hex): the login password (bcrypt) or the app password;
/// - `u`, `t` and `s`: `t == md5(appPassword + s)`. Salts may be reused (DSub and py-sonic do);
/// - `apiKey` alone: an OpenSubsonic API key, looked up by its SHA-256.
///
/// Token auth needs a password the server can read, so it only works with the app password,
/// kept sealed by `SecretBox`. Failures count against the optional `LoginThrottle`.
///
/// A login password that matched is remembered for a few minutes by a
/// `PasswordVerificationCache` (keyed by a MAC, never the password, and tied to the hash it
/// matched), so clients that send `p=` on every call pay one bcrypt per `verifications.lifetime`.
public struct SubsonicAuthenticator: Sendable {
    /// The last-seen time of a user or key is written at most this often (seconds), so most
    /// requests stay read-only.
    public static let touchInterval: TimeInterval = 60

    private let users: any UserStore
    private let apiKeys: any APIKeyStore
    private let hasher: any PasswordVerifier
    private let secrets: SecretBox
    private let throttle: LoginThrottle?
    /// Login passwords verified lately.
    public let verifications: PasswordVerificationCache
    private let clock: any WallClock

    /// An authenticator over the user and API key stores. With a `throttle`, wrong passwords,
    /// tokens and keys count against the username and address, and blocked callers get
    /// `.throttled` without any check.
    ///
    /// - Parameters:
    ///   - hasher: checks login passwords (a `PasswordHasher`).
    ///   - verifications: where matched login passwords are remembered; by default a cache of
    ///     1024 entries for 5 minutes on `clock`.
    ///   - clock: the time for last-seen stamps.
    public init(
        users: any UserStore, apiKeys: any APIKeyStore, hasher: any PasswordVerifier, secrets: SecretBox,
        throttle: LoginThrottle? = nil, verifications: PasswordVerificationCache? = nil,
        clock: any WallClock = SystemClock()
    ) {
        self.users = users
        self.apiKeys = apiKeys
        self.hasher = hasher
        self.secrets = secrets
        self.throttle = throttle
        self.verifications = verifications ?? PasswordVerificationCache(clock: clock)
        self.clock = clock
    }

    /// Who sent `credentials` from `address` (for the throttle; nil when unknown).
    ///
    /// Throws only what the stores throw, or `SecretBoxError` when a stored app password
    /// cannot be opened (a replaced `secret.key`): a server fault, not the caller's.
    public func authenticate(
        _ credentials: SubsonicCredentials, address: String? = nil
    ) async throws -> SubsonicAuthResult {
        let mechanism: SubsonicMechanism
        do {
            mechanism = try credentials.mechanism()
        } catch {
            return .failed(error)
        }
        if let wait = await throttle?.retryAfter(username: mechanism.username, address: address) {
            return .throttled(retryAfter: wait)
        }
        let now = clock.now
        let user: User?
        switch mechanism {
        case .password(let username, let password): user = try await check(username: username, password: password)
        case .token(let username, let token, let salt):
            user = try await check(username: username, token: token, salt: salt)
        case .apiKey(let key): user = try await check(apiKey: key, now: now)
        }
        guard let user else {
            await throttle?.recordFailure(username: mechanism.username, address: address)
            if case .apiKey = mechanism { return .failed(.invalidAPIKey) }
            return .failed(.wrongUsernameOrPassword)
        }
        await throttle?.recordSuccess(username: mechanism.username, address: address)
        if user.lastSeenAt.map({ now.timeIntervalSince($0) >= Self.touchInterval }) ?? true {
            try await users.touch(user.id, at: now)
        }
        return .authenticated(user)
    }

    /// `p`: the app password, else the login password (from the cache when it matched lately).
    /// An unknown user costs a bcrypt too.
    private func check(username: String, password: String) async throws -> User? {
        guard let user = try await users.user(username: username) else {
            await hasher.simulateVerification(of: password)
            return nil
        }
        if let appPassword = try await appPassword(of: user),
            Tokens.constantTimeEqual(Array(password.utf8), appPassword)
        {
            return user
        }
        guard let hash = try await users.passwordHash(of: user.id) else {
            await hasher.simulateVerification(of: password)
            return nil
        }
        if verifications.contains(user: user.id, password: password, hash: hash) { return user }
        guard try await hasher.verify(password, hash: hash) else { return nil }
        verifications.insert(user: user.id, password: password, hash: hash)
        return user
    }

    /// `t` and `s`: md5 of the app password and the salt, in hex of either case.
    private func check(username: String, token: String, salt: String) async throws -> User? {
        guard let found = try await users.userWithSealedAppPassword(username: username), let sealed = found.1 else {
            return nil
        }
        let user = found.0
        let appPassword = Array(try secrets.open(sealed))
        let expected = Hex.encode(Insecure.MD5.hash(data: appPassword + Array(salt.utf8)))
        return Tokens.constantTimeEqual(expected, token.lowercased()) ? user : nil
    }

    /// `apiKey`: the key's owner, when the key exists.
    private func check(apiKey: String, now: Date) async throws -> User? {
        guard let key = try await apiKeys.apiKey(hash: Tokens.hash(apiKey)), let user = try await users.user(key.userID)
        else { return nil }
        if key.lastUsedAt.map({ now.timeIntervalSince($0) >= Self.touchInterval }) ?? true {
            try await apiKeys.touchAPIKey(key.id, at: now)
        }
        return user
    }

    private func appPassword(of user: User) async throws -> [UInt8]? {
        guard let sealed = try await users.sealedAppPassword(of: user.id) else { return nil }
        return Array(try secrets.open(sealed))
    }
}
