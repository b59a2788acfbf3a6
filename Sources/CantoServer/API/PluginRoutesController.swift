import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// Plugins' own routes: authenticated ones under `/api/v1/plugins/<id>/…` (the caller known) and
/// public ones under `/plugins/<id>/…` (callbacks, webhooks), each only when the plugin declares
/// it, with the raw body (capped as every request body is) and headers, under the plugin deadline.
struct PluginRoutesController {
    /// The largest body a signed-in caller may send a plugin's route.
    static let maxSignedInBody = 32 * 1_048_576

    let plugins: PluginRegistry
    let deadline: Duration
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        for method in Self.methods {
            group.on("plugins/:plugin/**", method: method) { request, context in
                try await forward(request, context, isPublic: false)
            }
        }
    }

    func addPublicRoutes(to router: Router<CantoRequestContext>) {
        for method in [HTTPRequest.Method.get, .post] {
            router.on("plugins/:plugin/**", method: method) { request, context in
                try await forward(request, context, isPublic: true)
            }
        }
    }

    func forward(_ request: Request, _ context: CantoRequestContext, isPublic: Bool) async throws -> Response {
        let id = try context.parameters.require("plugin")
        guard let plugin = plugins.instances[id] as? any RoutedPlugin, await plugins.isRunning(id) else {
            throw APIError.notFound
        }
        let permissions = type(of: plugin).descriptor.permissions
        guard isPublic ? permissions.publicRoutes : permissions.routes else { throw APIError.notFound }
        let caller: PluginCaller?
        if isPublic {
            caller = nil
        } else {
            let user = try context.requireUser()
            caller = PluginCaller(userID: user.id, username: user.username, isAdmin: user.role == .admin)
        }
        // A signed-in listener may send a file (an export of another service); others, a small body.
        let body = try await request.body.collect(upTo: isPublic ? context.maxUploadSize : Self.maxSignedInBody)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // The address the request came to, as the host sees it (the callbacks it gives services are built alike).
        if let authority = request.head.authority { headers["host"] = authority }
        headers["x-canto-scheme"] = context.isSecure ? "https" : "http"
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        let forwarded = PluginRequest(
            method: request.method.rawValue, path: context.parameters.getCatchAll().joined(separator: "/"),
            query: query, headers: headers, body: Data(body.readableBytesView), caller: caller)
        let answer: PluginResponse
        do {
            answer = try await PluginCalls.run(id, deadline: deadline) {
                isPublic ? try await plugin.handlePublic(forwarded) : try await plugin.handle(forwarded)
            }
            await plugins.health.succeeded(id)
        } catch let timeout as PluginTimedOut {
            await plugins.health.failed(id, timeout)
            if isPublic { Self.countWebhook(id, status: 504) }
            throw APIError(.gatewayTimeout, "plugin_timeout", "The plugin did not answer in time.")
        } catch {
            await plugins.health.failed(id, error)
            if isPublic { Self.countWebhook(id, status: 502) }
            context.logger.error(
                "plugin route failed", metadata: ["plugin.id": "\(id)", "error": "\(PluginHealth.describe(error))"])
            throw APIError(.badGateway, "plugin_error", "The plugin could not answer.")
        }
        if isPublic { Self.countWebhook(id, status: answer.status) }
        return Self.response(answer)
    }

    /// A call to a plugin's public routes (payment webhooks, OAuth callbacks) on `/metrics`:
    /// `canto_webhooks_received_total{plugin,status}`, the status as its class (`2xx`, `4xx`, `5xx`).
    static func countWebhook(_ pluginID: String, status: Int, by count: Int = 1) {
        Counter(
            label: "canto_webhooks_received_total",
            dimensions: [("plugin", pluginID), ("status", "\(min(max(status / 100, 1), 5))xx")]
        ).increment(by: count)
    }

    /// The plugin's answer as an HTTP response: a status from 100 to 599, its headers but cookies
    /// (a plugin never sets the server's cookies), its body.
    static func response(_ answer: PluginResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            guard let field = HTTPField.Name(name), field != .setCookie else { continue }
            headers[field] = value
        }
        let status = (100...599).contains(answer.status) ? answer.status : 500
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
