import CantoCore

/// A Subsonic error: sent with HTTP 200, a code and always a message (clients index `message`).
struct SubsonicError: Error, Sendable, Equatable {
    /// The codes of the Subsonic and OpenSubsonic specifications.
    enum Code: Int, Sendable, Equatable {
        case generic = 0
        case missingParameter = 10
        case clientTooOld = 20
        case serverTooOld = 30
        case wrongCredentials = 40
        case tokenAuthNotSupported = 41
        case mechanismNotSupported = 42
        case conflictingMechanisms = 43
        case invalidAPIKey = 44
        case notAuthorized = 50
        case trialOver = 60
        case notFound = 70
    }

    var code: Code
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The Subsonic answer to a domain error: the one mapping of kinds to codes.
    init(_ error: DomainError) {
        switch error.kind {
        case .notFound: self.init(.notFound, error.message)
        case .forbidden, .paymentRequired: self.init(.notAuthorized, error.message)
        case .unauthenticated, .throttled: self.init(.wrongCredentials, error.message)
        case .invalid, .conflict, .busy, .unavailable, .storageFull: self.init(.generic, error.message)
        }
    }

    static func missing(_ parameter: String) -> SubsonicError {
        SubsonicError(.missingParameter, "Required parameter is missing: \(parameter)")
    }
    static func invalid(_ parameter: String, _ why: String) -> SubsonicError {
        SubsonicError(.generic, "Invalid parameter \(parameter): \(why)")
    }
    static let notAuthorized = SubsonicError(.notAuthorized, "User is not authorized for the given operation")
    static let notFound = SubsonicError(.notFound, "The requested data was not found")
    static func notFound(_ what: String) -> SubsonicError {
        SubsonicError(.notFound, "\(what) not found")
    }
    static func notImplemented(_ method: String) -> SubsonicError {
        SubsonicError(.generic, "\(method) is not implemented by this server")
    }
    static let internalError = SubsonicError(.generic, "Something went wrong on the server")
}
