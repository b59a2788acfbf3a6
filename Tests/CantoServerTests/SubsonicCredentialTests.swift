import CantoCore
import CantoDomain
import CantoSecurity
import CantoTestSupport
import Crypto
import Foundation
import Logging
import Testing

@testable import CantoServer

/// The Subsonic credentials of real accounts, checked by the one authenticator the Subsonic API
/// will call, over the real database and key file.
@Suite("Subsonic credentials")
struct SubsonicCredentialTests {
    static func md5(_ text: String) -> String {
        Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func appPasswordTokenPlainPasswordAndAPIKey() async throws {
        let data = try TemporaryDirectory(prefix: "canto-subsonic")
        let services = try await CantoServices.forTests(data: data)
        let created = try await services.accounts.createUser(
            username: "sam", password: "sam-login-pass", role: .user, actor: nil, address: nil)
        let auth = services.subsonicAuthenticator
        func check(_ parameters: [String: String]) async throws -> SubsonicAuthResult {
            try await auth.authenticate(SubsonicCredentials(parameters: parameters))
        }

        // Token auth with the app password, reusing a salt.
        let salt = "c19b2d"
        let token = Self.md5(created.appPassword + salt)
        for _ in 0..<2 {
            guard case .authenticated(let user) = try await check(["u": "sam", "t": token, "s": salt]) else {
                Issue.record("token auth failed")
                return
            }
            #expect(user.username == "sam")
        }
        // Token auth never works with the login password (the server cannot know it).
        let loginToken = Self.md5("sam-login-pass" + salt)
        #expect(try await check(["u": "sam", "t": loginToken, "s": salt]) == .failed(.wrongUsernameOrPassword))

        // Plain and enc: passwords: the login password or the app password.
        for password in ["sam-login-pass", created.appPassword] {
            let hex = Data(password.utf8).map { String(format: "%02x", $0) }.joined()
            for p in [password, "enc:" + hex] {
                guard case .authenticated = try await check(["u": "sam", "p": p]) else {
                    Issue.record("p=\(p.prefix(4))… failed")
                    continue
                }
            }
        }
        #expect(try await check(["u": "sam", "p": "wrong"]) == .failed(.wrongUsernameOrPassword))

        // A regenerated app password replaces the old one.
        let user = try #require(try await services.accounts.user(named: "sam"))
        let fresh = try await services.accounts.regenerateAppPassword(of: user, address: nil)
        #expect(try await check(["u": "sam", "t": token, "s": salt]) == .failed(.wrongUsernameOrPassword))
        guard case .authenticated = try await check(["u": "sam", "t": Self.md5(fresh + "x1"), "s": "x1"]) else {
            Issue.record("the new app password failed")
            return
        }

        // API keys: valid until revoked; never with u.
        let key = try await services.accounts.createAPIKey(named: "phone", for: user, address: nil)
        guard case .authenticated = try await check(["apiKey": key.secret]) else {
            Issue.record("api key failed")
            return
        }
        #expect(try await check(["apiKey": key.secret, "u": "sam"]) == .failed(.conflictingMechanisms))
        #expect(try await services.accounts.revokeAPIKey(key.key.id, of: user, address: nil))
        #expect(try await check(["apiKey": key.secret]) == .failed(.invalidAPIKey))
    }
}
