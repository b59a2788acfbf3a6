/// A Subsonic error: sent with HTTP 200, a code and always a message (clients index `message`).
struct SubsonicError: Error, Sendable, Equatable {
    var code: Int
    var message: String

    static func missing(_ parameter: String) -> SubsonicError {
        SubsonicError(code: 10, message: "Required parameter is missing: \(parameter)")
    }
    static func invalid(_ parameter: String, _ why: String) -> SubsonicError {
        SubsonicError(code: 0, message: "Invalid parameter \(parameter): \(why)")
    }
    static let notAuthorized = SubsonicError(code: 50, message: "User is not authorized for the given operation")
    static let notFound = SubsonicError(code: 70, message: "The requested data was not found")
    static func notFound(_ what: String) -> SubsonicError {
        SubsonicError(code: 70, message: "\(what) not found")
    }
    static func notImplemented(_ method: String) -> SubsonicError {
        SubsonicError(code: 0, message: "\(method) is not implemented by this server")
    }
    static let internalError = SubsonicError(code: 0, message: "Something went wrong on the server")
}
