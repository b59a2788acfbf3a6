public import Logging

/// The request being handled, for every log line written while it runs, by any logger: a
/// service's, a plugin's, the store's. The request-log middleware sets it around the handler (a
/// task-local value, so tasks the handler starts carry it too) and the logging system's metadata
/// provider adds its request ID, route and, once signed in, user ID to each line.
public struct RequestLogScope: Sendable {
    let id: String
    let route: String?
    let record: RequestRecord

    @TaskLocal static var current: RequestLogScope?

    /// What `LoggingSystem.bootstrap(_:metadataProvider:)` is given: the current request's
    /// `hb.request.id`, `http.route` and `user.id` (nothing outside a request).
    public static let metadataProvider = Logger.MetadataProvider {
        guard let scope = current else { return [:] }
        var metadata: Logger.Metadata = ["hb.request.id": .string(scope.id)]
        if let route = scope.route { metadata["http.route"] = .string(route) }
        if let user = scope.record.user { metadata["user.id"] = .string(user.id) }
        return metadata
    }
}
