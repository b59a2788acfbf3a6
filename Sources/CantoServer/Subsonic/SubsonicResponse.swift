import Foundation
import Hummingbird

/// What a Subsonic handler answers: nothing (`ping`), one payload element, a top-level list
/// (`openSubsonicExtensions`), or a ready HTTP response (binary endpoints).
enum SubsonicPayload: Sendable {
    case empty
    case element(String, SubsonicElement)
    case list(String, [SubsonicElement])
    case raw(Response)
}

/// The `subsonic-response` envelope in the format the client asked for.
struct SubsonicFormat: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case xml, json, jsonp(callback: String) }
    var kind: Kind

    static let apiVersion = "1.16.1"
    static let serverType = "canto"
    static let serverVersion = "0.1.0"
    static let namespace = "http://subsonic.org/restapi"

    init(_ parameters: SubsonicParameters) {
        switch parameters.string("f")?.lowercased() {
        case "json": kind = .json
        case "jsonp":
            let callback = parameters.string("callback") ?? ""
            let valid =
                !callback.isEmpty
                && callback.unicodeScalars.allSatisfy {
                    CharacterSet.alphanumerics.contains($0) || "_.$".unicodeScalars.contains($0)
                }
            kind = valid ? .jsonp(callback: callback) : .json
        default: kind = .xml
        }
    }

    func success(_ payload: SubsonicPayload) -> Response {
        if case .raw(let response) = payload { return response }
        return render(status: "ok", payload: payload)
    }

    func failure(_ error: SubsonicError) -> Response {
        let element = SubsonicElement([("code", .int(error.code.rawValue)), ("message", .string(error.message))])
        return render(status: "failed", payload: .element("error", element))
    }

    private func render(status: String, payload: SubsonicPayload) -> Response {
        var envelope = SubsonicElement([
            ("status", .string(status)), ("version", .string(Self.apiVersion)), ("type", .string(Self.serverType)),
            ("serverVersion", .string(Self.serverVersion)), ("openSubsonic", .bool(true)),
        ])
        switch payload {
        case .element(let name, let element): envelope = envelope.with(name, element)
        case .list(let name, let elements): envelope = envelope.with(name, list: elements)
        case .empty, .raw: break
        }
        var headers = HTTPFields()
        var body: [UInt8] = []
        body.reserveCapacity(8192)
        switch kind {
        case .xml:
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            envelope.xml(name: "subsonic-response", into: &xml, namespace: Self.namespace)
            body.append(contentsOf: xml.utf8)
            headers[.contentType] = "application/xml; charset=utf-8"
        case .json:
            Self.json(envelope, into: &body)
            headers[.contentType] = "application/json; charset=utf-8"
        case .jsonp(let callback):
            body.append(contentsOf: (callback + "(").utf8)
            Self.json(envelope, into: &body)
            body.append(contentsOf: ");".utf8)
            headers[.contentType] = "application/javascript; charset=utf-8"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func json(_ envelope: SubsonicElement, into body: inout [UInt8]) {
        body.append(contentsOf: "{\"subsonic-response\":".utf8)
        envelope.writeJSON(into: &body)
        body.append(UInt8(ascii: "}"))
    }
}
