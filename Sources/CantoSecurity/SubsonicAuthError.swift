/// Why a Subsonic request was not authenticated, with the error code the Subsonic API answers.
public enum SubsonicAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Code 10: a required parameter (`u`, `p`, `t` or `s`) is missing; carries its name.
    case missingParameter(String)
    /// Code 40: unknown user, or wrong password or token. The two are never told apart.
    case wrongUsernameOrPassword
    /// Code 41: token authentication is not supported. Canto supports it; kept for completeness.
    case tokenAuthenticationNotSupported
    /// Code 42: the authentication mechanism given is not supported.
    case mechanismNotSupported
    /// Code 43: more than one mechanism given (`apiKey` with `u`, `p`, `t` or `s`; `p` with `t` or `s`).
    case conflictingMechanisms
    /// Code 44: the API key is unknown or revoked.
    case invalidAPIKey

    /// The Subsonic error code.
    public var code: Int {
        switch self {
        case .missingParameter: 10
        case .wrongUsernameOrPassword: 40
        case .tokenAuthenticationNotSupported: 41
        case .mechanismNotSupported: 42
        case .conflictingMechanisms: 43
        case .invalidAPIKey: 44
        }
    }

    /// The Subsonic error message, safe to send to the client.
    public var message: String {
        switch self {
        case .missingParameter(let name): "Required parameter is missing: \(name)"
        case .wrongUsernameOrPassword: "Wrong username or password"
        case .tokenAuthenticationNotSupported: "Token authentication not supported"
        case .mechanismNotSupported: "Provided authentication mechanism not supported"
        case .conflictingMechanisms: "Multiple conflicting authentication mechanisms provided"
        case .invalidAPIKey: "Invalid API key"
        }
    }

    /// The code and the message, for logs.
    public var description: String { "\(code): \(message)" }
}
