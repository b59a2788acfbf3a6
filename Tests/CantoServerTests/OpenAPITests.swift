import CantoDomain
import CantoTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import Testing

@testable import CantoServer

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func documentsEveryRouteAndNothingElse() async throws {
        let data = try TemporaryDirectory(prefix: "canto-openapi")
        let services = try await CantoServices.forTests(data: data)
        let router = buildRouter(services: services, metrics: PrometheusCollectorRegistry(), logger: Logger(label: "t"))

        let routed = Set(
            router.routes.map { route in
                let path = "\(route.path)".split(separator: "/").map {
                    $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 == "**" ? "{path}" : $0
                }
                return "\(route.method.rawValue.lowercased()) /" + path.joined(separator: "/")
            }.filter { $0.contains(" /api/v1/") || $0.contains(" /plugins/") })
        let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
        #expect(routed.subtracting(documented).isEmpty, "routes missing from the document")
        #expect(documented.subtracting(routed).isEmpty, "documented operations with no route")
        #expect(routed.count >= 30)
    }

    @Test func theDocumentIsValidOpenAPI31WithResolvableReferences() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json)) as? [String: Any])
        #expect(object["openapi"] as? String == "3.1.0")
        let schemas = try #require((object["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let text = String(decoding: OpenAPIDocument.json, as: UTF8.self)
        let references = Set(text.matches(of: /#\/components\/schemas\/(\w+)/).map { String($0.1) })
        #expect(!references.isEmpty)
        for name in references { #expect(schemas[name] != nil, "unresolved $ref \(name)") }
        let paths = try #require(object["paths"] as? [String: [String: Any]])
        for (path, operations) in paths {
            for (method, operation) in operations {
                let operation = try #require(operation as? [String: Any])
                #expect(operation["responses"] != nil, "\(method) \(path)")
                #expect(operation["operationId"] as? String != nil)
            }
        }
    }
}
