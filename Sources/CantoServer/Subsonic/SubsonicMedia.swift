import CantoCore
import CantoDomain
import CantoMedia
import Foundation
import Hummingbird

/// stream, download, getCoverArt, getLyrics, getLyricsBySongId, getAvatar. `stream`
/// transcodes as the planner decides (`format`, `maxBitRate`, `timeOffset`,
/// `estimateContentLength`); `download` is always the original file.
struct SubsonicMedia: Sendable {
    let delivery: TrackDelivery
    let covers: CoverArtService
    /// What each listener's plan lets them do (downloads).
    let plans: PlanService
    /// Avatars.
    let accounts: AccountService

    func register(in api: inout SubsonicAPI) {
        api.on("stream") { call in try await file(call, download: false) }
        api.on("download") { call in
            guard call.user.canDownload else { throw SubsonicError.notAuthorized }
            try await plans.require(.downloads, for: call.user)
            return try await file(call, download: true)
        }
        api.on("getCoverArt") { call in try await coverArt(call) }
        api.on("getLyrics") { call in try await lyrics(call) }
        api.on("getLyricsBySongId") { call in try await lyricsBySongID(call) }
        api.on("getAvatar") { call in
            guard let user = try await accounts.user(named: try call.parameters.required("username")),
                let avatar = try await accounts.avatar(of: user.id)
            else { throw SubsonicError.notFound("Avatar") }
            return .raw(Self.image(avatar.data, type: avatar.mimeType, for: call.request))
        }
    }

    private func file(_ call: SubsonicCall, download: Bool) async throws -> SubsonicPayload {
        let parameters = call.parameters
        let id = TrackID(try parameters.required("id"))
        var mode = DeliveryMode.original(download: true)
        if !download {
            var request = StreamRequest(format: parameters.string("format"), client: parameters.string("c"))
            request.maxBitRate = try parameters.int("maxBitRate", in: 0...StreamRequest.maxBitRate)
            request.offsetSeconds = try parameters.seconds("timeOffset", in: 0...StreamRequest.maxOffsetSeconds) ?? 0
            mode = .stream(
                request, listener: call.user, estimateContentLength: parameters.bool("estimateContentLength"))
        }
        guard
            let response = try await delivery.response(
                id, in: call.catalog, as: mode, request: call.request, context: call.context)
        else { throw SubsonicError.notFound("Song") }
        return .raw(response)
    }

    /// An image answer. An address that names an item (an album, an artist, a track) may show
    /// another picture after a rescan, so a client keeps it an hour and then revalidates: the tag
    /// is a hash of the bytes, and an unchanged picture answers 304 with no body. An address
    /// that names the artwork itself names its content (`keyedByContent`): kept for good.
    static func image(_ data: Data, type: String, keyedByContent: Bool = false, for request: Request) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return EntityTags.conditional(
            Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data))),
            tag: EntityTags.tag(of: data), for: request,
            cacheControl: keyedByContent ? "private, max-age=31536000, immutable" : "private, max-age=3600")
    }

    private func coverArt(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let id = try call.parameters.required("id")
        let size = try call.parameters.int("size", in: Int(Int32.min)...Int(Int32.max))
        let image = try await covers.image(
            for: id, size: size.flatMap { $0 > 0 ? $0 : nil }, in: call.catalog)
        return .raw(
            Self.image(Data(image.bytes), type: image.mimeType, keyedByContent: image.keyedByContent, for: call.request)
        )
    }

    private func lyrics(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let title = call.parameters.string("title") ?? ""
        let artist = call.parameters.string("artist")
        for track in try await call.catalog.tracks(titled: title, limit: 50)
        where artist.map({ SortKey.folded(track.artistName).contains(SortKey.folded($0)) }) ?? true {
            guard let text = try await call.catalog.lyrics(of: track.id) else { continue }
            if let plain = text.plain ?? text.synced.map(LRC.plainText) {
                return .element(
                    "lyrics",
                    SubsonicElement(
                        [("artist", .string(track.artistName)), ("title", .string(track.title))], text: plain))
            }
        }
        // No lyrics found: an empty value, as clients and the schema expect.
        return .element(
            "lyrics", SubsonicElement([("artist", .string(artist ?? "")), ("title", .string(title))], text: ""))
    }

    private func lyricsBySongID(_ call: SubsonicCall) async throws -> SubsonicPayload {
        guard let track = try await call.catalog.track(TrackID(try call.parameters.required("id"))) else {
            throw SubsonicError.notFound("Song")
        }
        guard let text = try await call.catalog.lyrics(of: track.id) else { throw SubsonicError.notFound("Song") }
        var list: [SubsonicElement] = []
        func structured(synced: Bool, lines: [SubsonicElement]) -> SubsonicElement {
            SubsonicElement([
                ("displayArtist", .string(track.artistName)), ("displayTitle", .string(track.title)),
                ("lang", .string("und")), ("synced", .bool(synced)),
            ]).with("line", list: lines)
        }
        if let synced = text.synced {
            let lines = LRC.parse(synced).map { SubsonicElement([("start", .int($0.startMs))], text: $0.text) }
            if !lines.isEmpty { list.append(structured(synced: true, lines: lines)) }
        }
        if let plain = text.plain, !LRC.looksSynced(plain) {
            let lines = plain.split(separator: "\n", omittingEmptySubsequences: false).map {
                SubsonicElement(text: String($0))
            }
            list.append(structured(synced: false, lines: lines))
        }
        return .element("lyricsList", SubsonicElement().with("structuredLyrics", list: list))
    }
}

/// LRC lyrics: `[mm:ss.xx]text` lines.
enum LRC {
    static func parse(_ text: String) -> [(startMs: Int, text: String)] {
        text.split(separator: "\n").compactMap { line in
            // At most five digits of minutes: a file's lyrics cannot make the arithmetic overflow.
            guard let match = line.wholeMatch(of: /\[(\d{1,5}):(\d{1,2})(?:[.:](\d{1,3}))?\](.*)/) else { return nil }
            let minutes = Int(match.1) ?? 0
            let seconds = Int(match.2) ?? 0
            let fraction = match.3.map { String($0) } ?? "0"
            let millis = (Int(fraction) ?? 0) * (fraction.count == 1 ? 100 : fraction.count == 2 ? 10 : 1)
            return ((minutes * 60 + seconds) * 1000 + millis, String(match.4).trimmingCharacters(in: .whitespaces))
        }
    }

    static func looksSynced(_ text: String) -> Bool { !parse(text).isEmpty }

    static func plainText(_ synced: String) -> String { parse(synced).map(\.text).joined(separator: "\n") }
}
