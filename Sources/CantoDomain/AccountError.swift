public import CantoCore
public import CantoSecurity

/// Why an account operation was refused; each is one `DomainError`, mapped once per API surface.
public enum AccountError: Error, Sendable, Equatable {
    /// Unknown user or wrong password: the two are never told apart.
    case invalidCredentials
    /// Too many failures; try again after this many seconds.
    case throttled(retryAfter: Int)
    case weakPassword(String)
    case invalidUsername(String)
    /// The setup link is used, wrong, or not needed (a user exists).
    case setupClosed
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
        case .wrongCurrentPassword: "the current password is wrong"
        }
    }
}

extension AccountError: DomainFailure {
    public var domainError: DomainError {
        switch self {
        case .invalidCredentials:
            DomainError(.unauthenticated, "Wrong username or password.", code: "invalid_credentials")
        case .throttled(let seconds):
            DomainError(
                .throttled(retryAfter: seconds), "Too many failed sign-ins; try again in \(seconds) seconds.",
                code: "too_many_attempts")
        case .weakPassword(let message): DomainError(.invalid(field: "password"), message, code: "weak_password")
        case .invalidUsername(let message): DomainError(.invalid(field: "username"), message, code: "invalid_username")
        case .setupClosed:
            DomainError(.forbidden, "The setup link is used, wrong, or no longer needed.", code: "setup_closed")
        case .wrongCurrentPassword: DomainError(.forbidden, "The current password is wrong.", code: "wrong_password")
        }
    }
}

extension PasswordPolicyError: DomainFailure {
    public var domainError: DomainError {
        DomainError(.invalid(field: "password"), description, code: "weak_password")
    }
}
