import Foundation

/// One way of proving who the caller is, picked from the parameters.
enum SubsonicMechanism: Sendable, Equatable {
    case password(username: String, password: String)
    case token(username: String, token: String, salt: String)
    case apiKey(String)

    var username: String? {
        switch self {
        case .password(let username, _), .token(let username, _, _): username
        case .apiKey: nil
        }
    }
}

extension SubsonicCredentials {
    /// The mechanism the parameters ask for, or the Subsonic error for a request that gives
    /// none, several, or half of one.
    func mechanism() throws(SubsonicAuthError) -> SubsonicMechanism {
        if let apiKey {
            // apiKeyAuthentication: `u` (or anything else) beside a key is error 43.
            guard username == nil, password == nil, token == nil, salt == nil else { throw .conflictingMechanisms }
            return .apiKey(apiKey)
        }
        if password != nil, token != nil || salt != nil { throw .conflictingMechanisms }
        guard let username else { throw .missingParameter("u") }
        if let password {
            return .password(username: username, password: try Self.decode(password))
        }
        switch (token, salt) {
        case (let token?, let salt?): return .token(username: username, token: token, salt: salt)
        case (_?, nil): throw .missingParameter("s")
        case (nil, _?): throw .missingParameter("t")
        case (nil, nil): throw .missingParameter("p")
        }
    }

    /// A `p` value in clear text or as `enc:` and hex in either case. The hex is read as UTF-8,
    /// else as Latin-1, since py-sonic encodes code points, not UTF-8 bytes (`é` as `E9`).
    static func decode(_ password: String) throws(SubsonicAuthError) -> String {
        guard password.hasPrefix("enc:") else { return password }
        guard let bytes = Hex.decode(password.dropFirst(4)),
            let text = String(bytes: bytes, encoding: .utf8) ?? String(bytes: bytes, encoding: .isoLatin1)
        else { throw .wrongUsernameOrPassword }
        return text
    }
}
