import CantoCore
import Foundation
import Hummingbird

/// What a Subsonic handler answers: nothing (`ping`), one payload element, a top-level list
/// (`openSubsonicExtensions`), or a ready HTTP response (binary endpoints).
enum SubsonicPayload: Sendable {
    case empty
    case element(String, SubsonicElement)
    case list(String, [SubsonicElement])
    case raw(Response)
    /// An element whose list of groups is too long to build whole (the artist index of a
    /// million-track catalog): written to the client page by page as `groups` reads them.
    case streamed(String, SubsonicElement, SubsonicGroups)
}

/// Items under groups (artists under index letters), produced a page at a time; consecutive
/// pages with the same `key` continue one group.
struct SubsonicGroups: Sendable {
    struct Page: Sendable {
        var key: String
        /// The group element's attributes (its items are the page's).
        var group: SubsonicElement
        var items: [SubsonicElement]
    }

    var groupName: String
    var itemName: String
    var pages: any AsyncSequence<Page, any Error> & Sendable

    /// The groups gathered whole (pages with the same key in a row make one group), as the
    /// stream would show them; nil once they hold more than `limit` items.
    func whole(limit: Int) async throws -> [SubsonicElement]? {
        var groups: [SubsonicElement] = []
        var current: Page?
        var count = 0
        for try await page in pages {
            count += page.items.count
            if count > limit { return nil }
            if current?.key == page.key {
                current?.items += page.items
                continue
            }
            if let current { groups.append(current.group.with(itemName, list: current.items)) }
            current = page
        }
        if let current { groups.append(current.group.with(itemName, list: current.items)) }
        return groups
    }
}

/// A success answer kept gzip-compressed in memory (the artist index of a huge catalog): about a
/// fifth of its size, sent as it is to clients that accept gzip and inflated for the others.
struct CompressedAnswer: Sendable {
    /// One gzip member.
    var gzip: ByteBuffer
    /// The bytes it inflates to.
    var length: Int
    /// A hash of the compressed bytes: the answer's `ETag`, with a suffix for each form.
    var tag: String
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

    /// The envelope's own attributes.
    private static func envelope(status: String) -> SubsonicElement {
        SubsonicElement([
            ("status", .string(status)), ("version", .string(Self.apiVersion)), ("type", .string(Self.serverType)),
            ("serverVersion", .string(Self.serverVersion)), ("openSubsonic", .bool(true)),
        ])
    }

    private func render(status: String, payload: SubsonicPayload) -> Response {
        var envelope = Self.envelope(status: status)
        switch payload {
        case .element(let name, let element): envelope = envelope.with(name, element)
        case .list(let name, let elements): envelope = envelope.with(name, list: elements)
        case .streamed(let name, let head, let groups):
            return stream(envelope: envelope, name: name, head: head, groups: groups)
        case .empty, .raw: break
        }
        var body: [UInt8] = []
        body.reserveCapacity(8192)
        switch kind {
        case .xml:
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            envelope.xml(name: "subsonic-response", into: &xml, namespace: Self.namespace)
            body.append(contentsOf: xml.utf8)
        case .json:
            Self.json(envelope, into: &body)
        case .jsonp(let callback):
            body.append(contentsOf: (callback + "(").utf8)
            Self.json(envelope, into: &body)
            body.append(contentsOf: ");".utf8)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private var headers: HTTPFields {
        var headers = HTTPFields()
        switch kind {
        case .xml: headers[.contentType] = "application/xml; charset=utf-8"
        case .json: headers[.contentType] = "application/json; charset=utf-8"
        case .jsonp: headers[.contentType] = "application/javascript; charset=utf-8"
        }
        return headers
    }

    /// The same bytes `render` would write for `name` holding `head`'s attributes and the list
    /// of groups, written as the pages come (a buffer of about 64 KB at a time). A failure after
    /// the first bytes can only end the connection: the status line has gone.
    private func stream(envelope: SubsonicElement, name: String, head: SubsonicElement, groups: SubsonicGroups)
        -> Response
    {
        let kind = self.kind
        let body = ResponseBody { writer in
            try await Self.write(kind, envelope: envelope, name: name, head: head, groups: groups) { chunk in
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// A success answer of `name` with `head`'s attributes and the list of groups, compressed
    /// whole, in XML or JSON (a JSONP answer is the JSON one wrapped as it is sent).
    func compressed(_ name: String, _ head: SubsonicElement, _ groups: SubsonicGroups) async throws
        -> CompressedAnswer
    {
        let kind: Kind = kind == .xml ? .xml : .json
        let compressor = try GzipCompressor()
        var length = 0
        try await Self.write(kind, envelope: Self.envelope(status: "ok"), name: name, head: head, groups: groups) {
            chunk in
            length += chunk.count
            try compressor.compress(chunk)
        }
        let bytes = try compressor.finish()
        let tag = bytes.withUnsafeBytes { StableHash.hex128($0) }
        return CompressedAnswer(gzip: ByteBuffer(bytes: bytes), length: length, tag: tag)
    }

    /// `answer` as `request` takes it: the kept gzip bytes as they are when it accepts gzip,
    /// else inflated on the way (a JSONP answer always, inside its callback). Each form has its own
    /// `ETag`, and a repeat naming it gets a 304.
    func response(_ answer: CompressedAnswer, for request: Request) -> Response {
        var headers = headers
        headers[.vary] = "Accept-Encoding"
        var wrapper: (prefix: [UInt8], suffix: [UInt8]) = ([], [])
        var tag = answer.tag
        if case .jsonp(let callback) = kind {
            wrapper = (Array((callback + "(").utf8), Array(");".utf8))
            tag += "-" + callback
        } else if AcceptEncoding.allowsGzip(request.headers[values: .acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            let response = Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.gzip))
            return EntityTags.conditional(
                response, tag: "\"\(tag)-gzip\"", for: request, cacheControl: EntityTags.revalidate)
        }
        let gzip = answer.gzip
        let (prefix, suffix) = (wrapper.prefix, wrapper.suffix)
        let body = ResponseBody(contentLength: prefix.count + answer.length + suffix.count) { writer in
            if !prefix.isEmpty { try await writer.write(ByteBuffer(bytes: prefix)) }
            let decompressor = try GzipDecompressor()
            var rest = gzip
            while let chunk = rest.readSlice(length: min(rest.readableBytes, 1 << 15)), chunk.readableBytes > 0 {
                try await writer.write(try decompressor.decompress(chunk))
            }
            guard decompressor.isComplete else { throw GzipError.truncated }
            if !suffix.isEmpty { try await writer.write(ByteBuffer(bytes: suffix)) }
            try await writer.finish(nil)
        }
        let response = Response(status: .ok, headers: headers, body: body)
        return EntityTags.conditional(response, tag: "\"\(tag)\"", for: request, cacheControl: EntityTags.revalidate)
    }

    /// Writes the streamed answer's bytes to `emit`, about 64 KB at a time.
    private static func write(
        _ kind: Kind, envelope: SubsonicElement, name: String, head: SubsonicElement, groups: SubsonicGroups,
        emit: ([UInt8]) async throws -> Void
    ) async throws {
        var output: [UInt8] = []
        output.reserveCapacity(1 << 17)
        var openGroup: String?
        var firstItem = true
        func open(_ page: SubsonicGroups.Page) {
            switch kind {
            case .xml:
                var xml = openGroup == nil ? "" : "</" + groups.groupName + ">"
                xml += "<" + groups.groupName
                page.group.writeXMLContent(into: &xml)
                output.append(contentsOf: xml.utf8)
            case .json, .jsonp:
                if openGroup != nil { output.append(contentsOf: "]},".utf8) }
                output.append(UInt8(ascii: "{"))
                if page.group.writeJSONMembers(into: &output) { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: "\"\(groups.itemName)\":[".utf8)
            }
            openGroup = page.key
            firstItem = true
        }

        switch kind {
        case .xml:
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<subsonic-response xmlns=\"\(Self.namespace)\""
            envelope.writeXMLContent(into: &xml)
            xml += "<" + name
            head.writeXMLContent(into: &xml)
            output.append(contentsOf: xml.utf8)
        case .json, .jsonp:
            if case .jsonp(let callback) = kind { output.append(contentsOf: (callback + "(").utf8) }
            output.append(contentsOf: "{\"subsonic-response\":{".utf8)
            envelope.writeJSONMembers(into: &output)
            output.append(contentsOf: ",\"\(name)\":{".utf8)
            if head.writeJSONMembers(into: &output) { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: "\"\(groups.groupName)\":[".utf8)
        }
        for try await page in groups.pages where !page.items.isEmpty {
            if openGroup != page.key { open(page) }
            for item in page.items {
                switch kind {
                case .xml:
                    var xml = ""
                    item.xml(name: groups.itemName, into: &xml)
                    output.append(contentsOf: xml.utf8)
                case .json, .jsonp:
                    if !firstItem { output.append(UInt8(ascii: ",")) }
                    item.writeJSON(into: &output)
                }
                firstItem = false
            }
            if output.count >= 1 << 16 {
                try await emit(output)
                output.removeAll(keepingCapacity: true)
            }
        }
        switch kind {
        case .xml:
            let close = openGroup == nil ? "" : "</" + groups.groupName + ">"
            output.append(contentsOf: (close + "</" + name + "></subsonic-response>").utf8)
        case .json, .jsonp:
            output.append(contentsOf: ((openGroup == nil ? "" : "]}") + "]}}}").utf8)
            if case .jsonp = kind { output.append(contentsOf: ");".utf8) }
        }
        try await emit(output)
    }

    private static func json(_ envelope: SubsonicElement, into body: inout [UInt8]) {
        body.append(contentsOf: "{\"subsonic-response\":".utf8)
        envelope.writeJSON(into: &body)
        body.append(UInt8(ascii: "}"))
    }
}
