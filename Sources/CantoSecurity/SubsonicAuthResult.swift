import CantoCore

/// What `SubsonicAuthenticator` decided about a request.
public enum SubsonicAuthResult: Sendable, Equatable {
    /// The caller is this user.
    case authenticated(User)
    /// The request is refused with this Subsonic error.
    case failed(SubsonicAuthError)
    /// Too many recent failures for this username or address: nothing was checked. Answer
    /// error 40, or HTTP 429 with `Retry-After`.
    case throttled(retryAfter: Duration)
}
