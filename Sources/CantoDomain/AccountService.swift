public import CantoCore
public import CantoSecurity
public import Foundation
public import Logging

/// Accounts, sessions and credentials: the rules, on top of the stores and the security
/// primitives. The native API, the Subsonic API and the command line all go through it; its
/// stores are its own, so no caller can reach past its rules.
public struct AccountService: Sendable {
    let users: any UserStore
    let sessions: any SessionStore
    let apiKeys: any APIKeyStore
    let audit: any AuditStore
    let settings: any SettingsStore
    let hasher: PasswordHasher
    let secrets: SecretBox
    let throttle: LoginThrottle
    let sessionLifetime: TimeInterval
    let idleTimeout: TimeInterval
    let logger: Logger
    /// Where sign-ins, sessions and audit entries read the time.
    let clock: any WallClock

    static let setupTokenKey = "setup_token_hash"

    public struct SignedIn: Sendable {
        public var user: User
        public var session: Session
        /// The session token: given to the client once, stored only as a hash.
        public var token: String
    }

    public init(
        users: any UserStore, sessions: any SessionStore, apiKeys: any APIKeyStore, audit: any AuditStore,
        settings: any SettingsStore, hasher: PasswordHasher,
        secrets: SecretBox, throttle: LoginThrottle, sessionLifetime: TimeInterval, idleTimeout: TimeInterval,
        logger: Logger, clock: any WallClock = SystemClock()
    ) {
        self.clock = clock
        self.users = users
        self.sessions = sessions
        self.apiKeys = apiKeys
        self.audit = audit
        self.settings = settings
        self.hasher = hasher
        self.secrets = secrets
        self.throttle = throttle
        self.sessionLifetime = sessionLifetime
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    // MARK: Users

    public func user(_ id: UserID) async throws -> User? { try await users.user(id) }
    public func user(named username: String) async throws -> User? { try await users.user(username: username) }
    /// Every user, by username.
    public func allUsers() async throws -> [User] { try await users.users() }
    public func preferences(of id: UserID) async throws -> UserPreferences { try await users.preferences(of: id) }
    public func setPreferences(_ preferences: UserPreferences, of id: UserID) async throws {
        try await users.setPreferences(preferences, of: id)
    }
    public func avatar(of id: UserID) async throws -> Picture? { try await users.avatar(of: id) }
    public func setAvatar(_ picture: Picture?, of id: UserID) async throws {
        try await users.setAvatar(picture, of: id)
    }

    static func validate(username: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-@"))
        guard (1...64).contains(username.count), username.unicodeScalars.allSatisfy(allowed.contains) else {
            throw AccountError.invalidUsername("A username is 1 to 64 letters, digits, '.', '_', '-' or '@'.")
        }
    }

    /// Creates a user with a fresh Subsonic app password, returned once.
    public func createUser(
        username: String, password: String, role: Role, displayName: String? = nil, email: String? = nil,
        actor: User?, address: String?
    ) async throws -> (user: User, appPassword: String) {
        try Self.validate(username: username)
        try PasswordPolicy.check(password)
        let appPassword = Tokens.appPassword()
        let user = User(
            id: UserID("u" + Tokens.identifier()), username: username,
            displayName: try displayName.map(User.checkedDisplayName) ?? username,
            email: email, role: role)
        try await users.createUser(
            user, passwordHash: try await hasher.hash(password),
            sealedAppPassword: try secrets.seal(Data(appPassword.utf8)))
        try await audit.record(.userCreated, actor: actor?.id, subject: username, address: address, at: clock.now)
        logger.info("user created", metadata: ["user.name": "\(username)", "user.role": "\(role.rawValue)"])
        return (user, appPassword)
    }

    public func updateProfile(_ user: User) async throws -> User {
        try await users.updateUser(user)
        return try await users.user(user.id) ?? user
    }

    /// Saves an admin's changes to a user; a role change is audited and may not remove the last
    /// admin (``LastAdminRefused``, decided in the update's transaction).
    public func updateUser(_ user: User, role: Role?, actor: User, address: String?) async throws -> User {
        var user = user
        if let role, role != user.role {
            user.role = role
            try await audit.record(
                .roleChanged, actor: actor.id, subject: "\(user.username) → \(role.rawValue)", address: address,
                at: clock.now)
        }
        try await users.updateUser(user)
        return try await users.user(user.id) ?? user
    }

    /// Deletes a user; refused (``LastAdminRefused``) for the last admin, decided in the delete's transaction.
    public func deleteUser(_ user: User, actor: User?, address: String?) async throws {
        guard try await users.deleteUser(user.id) else { throw NotFoundOrForbidden() }
        try await audit.record(.userDeleted, actor: actor?.id, subject: user.username, address: address, at: clock.now)
    }

    // MARK: Passwords

    public func changePassword(of user: User, current: String, new: String, address: String?) async throws {
        guard let hash = try await users.passwordHash(of: user.id), try await hasher.verify(current, hash: hash) else {
            throw AccountError.wrongCurrentPassword
        }
        try await setPassword(of: user, to: new, actor: user, address: address)
    }

    /// Sets a password (an admin's reset, or the second half of a change) and signs the user
    /// out everywhere else.
    public func setPassword(of user: User, to password: String, actor: User?, address: String?) async throws {
        try PasswordPolicy.check(password)
        try await users.setPasswordHash(try await hasher.hash(password), of: user.id)
        try await sessions.deleteSessions(of: user.id)
        try await audit.record(
            .passwordChanged, actor: actor?.id, subject: user.username, address: address, at: clock.now)
    }

    /// A new Subsonic app password, returned once; the old one stops working.
    public func regenerateAppPassword(of user: User, address: String?) async throws -> String {
        let appPassword = Tokens.appPassword()
        try await users.setSealedAppPassword(try secrets.seal(Data(appPassword.utf8)), of: user.id)
        try await audit.record(
            .appPasswordRegenerated, actor: user.id, subject: user.username, address: address, at: clock.now)
        return appPassword
    }

    // MARK: Sessions

    public func login(username: String, password: String, address: String?, client: String?) async throws -> SignedIn {
        let now = clock.now
        if let wait = await throttle.retryAfter(username: username, address: address) {
            throw AccountError.throttled(retryAfter: wait)
        }
        guard let user = try await users.user(username: username),
            let hash = try await users.passwordHash(of: user.id),
            try await hasher.verify(password, hash: hash)
        else {
            // Spend the same time on an unknown user as on a wrong password.
            if try await users.user(username: username) == nil { await hasher.simulateVerification(of: password) }
            await throttle.recordFailure(username: username, address: address)
            try await audit.record(.loginFailed, actor: nil, subject: username, address: address, at: now)
            throw AccountError.invalidCredentials
        }
        await throttle.recordSuccess(username: username, address: address)
        let token = Tokens.sessionToken()
        let session = Session(
            id: SessionID("s" + Tokens.identifier()), userID: user.id, createdAt: now,
            expiresAt: now.addingTimeInterval(sessionLifetime), lastUsedAt: now,
            client: client.map { String($0.prefix(200)) },
            address: address)
        try await sessions.createSession(session, tokenHash: Tokens.hash(token))
        try await users.touch(user.id, at: now)
        try await audit.record(.loginSucceeded, actor: user.id, subject: user.username, address: address, at: now)
        return SignedIn(user: user, session: session, token: token)
    }

    /// The session and user a token belongs to, when it is valid, not expired and not idle.
    public func authenticate(token: String) async throws -> (user: User, session: Session)? {
        guard Tokens.isWellFormed(token), let session = try await sessions.session(tokenHash: Tokens.hash(token)) else {
            return nil
        }
        let now = clock.now
        guard session.expiresAt > now, now.timeIntervalSince(session.lastUsedAt) < idleTimeout,
            let user = try await users.user(session.userID)
        else {
            _ = try await sessions.deleteSession(session.id, owner: nil)
            return nil
        }
        // Write the last use at most once a minute: most requests stay read-only.
        if now.timeIntervalSince(session.lastUsedAt) > 60 {
            try await sessions.touchSession(session.id, at: now)
            try await users.touch(user.id, at: now)
        }
        return (user, session)
    }

    public func logout(_ session: Session) async throws {
        _ = try await sessions.deleteSession(session.id, owner: session.userID)
    }

    /// Revokes a session of `owner` (nil: anyone's, for admins).
    public func revokeSession(_ id: SessionID, owner: UserID?, actor: User, address: String?) async throws -> Bool {
        guard try await sessions.deleteSession(id, owner: owner) else { return false }
        try await audit.record(.sessionRevoked, actor: actor.id, subject: id.rawValue, address: address, at: clock.now)
        return true
    }

    /// The user's signed-in sessions.
    public func sessions(of id: UserID) async throws -> [Session] { try await sessions.sessions(of: id) }

    /// Deletes expired and idle sessions; returns how many.
    @discardableResult
    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await sessions.deleteExpiredSessions(now: now, idleTimeout: idleTimeout)
    }

    // MARK: API keys

    public func apiKeys(of id: UserID) async throws -> [APIKey] { try await apiKeys.apiKeys(of: id) }

    public func createAPIKey(named name: String, for user: User, address: String?) async throws
        -> (key: APIKey, secret: String)
    {
        let secret = Tokens.apiKey()
        let key = APIKey(
            id: APIKeyID("k" + Tokens.identifier()), userID: user.id, name: name, createdAt: clock.now, lastUsedAt: nil)
        try await apiKeys.createAPIKey(key, keyHash: Tokens.hash(secret))
        try await audit.record(.keyCreated, actor: user.id, subject: name, address: address, at: clock.now)
        return (key, secret)
    }

    public func revokeAPIKey(_ id: APIKeyID, of user: User, address: String?) async throws -> Bool {
        guard try await apiKeys.deleteAPIKey(id, owner: user.id) else { return false }
        try await audit.record(.keyRevoked, actor: user.id, subject: id.rawValue, address: address, at: clock.now)
        return true
    }

    // MARK: Audit

    /// The audit log, newest first.
    public func auditEvents(offset: Int, limit: Int) async throws -> [AuditEvent] {
        try await audit.auditEvents(offset: offset, limit: limit)
    }

    /// Records an admin action that is not an account change (a library added, say).
    public func audit(_ action: AuditEvent.Kind, actor: User, subject: String, address: String?) async throws {
        try await audit.record(action, actor: actor.id, subject: subject, address: address, at: clock.now)
    }

    // MARK: First-run setup

    public func setupRequired() async throws -> Bool {
        try await users.userCount() == 0
    }

    /// When no user exists, makes a new one-time setup token (replacing any earlier one) and
    /// returns it; only its hash is kept.
    public func prepareSetup() async throws -> String? {
        guard try await setupRequired() else {
            try await settings.setSetting(Self.setupTokenKey, to: nil)
            return nil
        }
        let token = Tokens.sessionToken()
        try await settings.setSetting(Self.setupTokenKey, to: Tokens.hash(token))
        return token
    }

    /// Creates the first admin with the setup token; the token then stops working.
    public func completeSetup(
        token: String, username: String, password: String, displayName: String?, address: String?
    ) async throws -> (user: User, appPassword: String) {
        // Check the answers first, so a typo does not use up the link.
        try Self.validate(username: username)
        try PasswordPolicy.check(password)
        // Consuming the token is atomic: of two requests with it, one gets it.
        guard try await setupRequired(),
            try await settings.consumeSetting(Self.setupTokenKey, ifEquals: Tokens.hash(token))
        else { throw AccountError.setupClosed }
        return try await createUser(
            username: username, password: password, role: .admin, displayName: displayName, actor: nil,
            address: address)
    }
}
