public import CantoCore
public import Foundation

/// A request to one of a plugin's routes, as the host hands it over: the method, the path after
/// the plugin's prefix, the query, the headers (lowercase names) and the raw body (capped by the
/// server), so a webhook can check a signature over the exact bytes.
public struct PluginRequest: Sendable {
    public var method: String
    /// The path after `/api/v1/plugins/<id>/` or `/plugins/<id>/`, without a leading slash.
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]
    public var body: Data
    /// The signed-in listener (authenticated routes); nil on public routes.
    public var caller: PluginCaller?

    public init(
        method: String, path: String, query: [String: String], headers: [String: String], body: Data,
        caller: PluginCaller?
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.caller = caller
    }

    /// The body as a JSON object, when it is one.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

/// Who called an authenticated plugin route.
public struct PluginCaller: Sendable, Equatable {
    public var userID: UserID
    public var username: String
    public var isAdmin: Bool

    public init(userID: UserID, username: String, isAdmin: Bool) {
        self.userID = userID
        self.username = username
        self.isAdmin = isAdmin
    }
}

/// A plugin route's answer.
public struct PluginResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int = 200, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer; an object that cannot be serialised answers 500.
    public static func json(_ object: Any, status: Int = 200) -> PluginResponse {
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object)
        else { return PluginResponse(status: 500) }
        return PluginResponse(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: data)
    }

    /// A plain-text answer.
    public static func text(_ text: String, status: Int = 200) -> PluginResponse {
        PluginResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.utf8))
    }
}

/// A plugin with routes of its own. Declare `routes` (authenticated JSON routes under
/// `/api/v1/plugins/<id>/…`, the caller known) and/or `publicRoutes` (`/plugins/<id>/…`, no sign-in:
/// OAuth callbacks, a provider's webhooks) in ``PluginPermissions``; the host answers 404 for
/// what is not declared. Every call has a deadline: past it the caller gets 504.
public protocol RoutedPlugin: CantoPlugin {
    /// An authenticated request (``PluginRequest/caller`` is set).
    func handle(_ request: PluginRequest) async throws -> PluginResponse
    /// A public request (no caller). The default answers 404.
    func handlePublic(_ request: PluginRequest) async throws -> PluginResponse
}

extension RoutedPlugin {
    public func handle(_ request: PluginRequest) async throws -> PluginResponse { PluginResponse(status: 404) }
    public func handlePublic(_ request: PluginRequest) async throws -> PluginResponse { PluginResponse(status: 404) }
}
