public import CantoCore

/// What `SubsonicAuthenticator` decided about a request.
public enum SubsonicAuthResult: Sendable, Equatable {
    /// The caller is this user.
    case authenticated(User)
    /// The request is refused with this Subsonic error.
    case failed(SubsonicAuthError)
    /// Too many recent failures for this account or address: nothing was checked. Answer
    /// error 40 with `LoginThrottle.message(retryAfter:)`, or HTTP 429 with `Retry-After`.
    /// Carries the wait in whole seconds, rounded up (at least 1).
    case throttled(retryAfter: Int)
}
