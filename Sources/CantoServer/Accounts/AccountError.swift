/// Why an account operation was refused. `APIErrorMiddleware` maps each to one HTTP answer.
public enum AccountError: Error, Sendable, Equatable {
    /// Unknown user or wrong password: the two are never told apart.
    case invalidCredentials
    /// Too many failures; try again after this many seconds.
    case throttled(retryAfter: Int)
    case weakPassword(String)
    case invalidUsername(String)
    /// The setup link is used, wrong, or not needed (a user exists).
    case setupClosed
    /// The change would leave the server without an admin.
    case lastAdmin
    /// The current password given with a password change is wrong.
    case wrongCurrentPassword
}

extension AccountError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidCredentials: "wrong username or password"
        case .throttled(let seconds): "too many failed sign-ins; try again in \(seconds) s"
        case .weakPassword(let message), .invalidUsername(let message): message
        case .setupClosed: "the setup link is used, wrong, or no longer needed"
        case .lastAdmin: "the server must keep at least one admin"
        case .wrongCurrentPassword: "the current password is wrong"
        }
    }
}
