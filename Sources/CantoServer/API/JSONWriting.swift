import Hummingbird
import NIOCore

/// A value that writes its own JSON, for the pages asked for most (the web UI's album grid):
/// Foundation's encoder builds a tree of every field and sorts each object's keys before it
/// writes a byte, which took a third of the server's CPU on those pages. A writer gives the same
/// JSON as the value's `Encodable` conformance through the response encoder, keys in the same
/// (sorted) order; `JSONWritingTests` compares the two.
protocol JSONWritable: Encodable {
    func writeJSON(into output: inout JSONOutput)
}

/// JSON being written: objects, arrays and scalars, with the commas between them.
struct JSONOutput {
    private(set) var bytes: [UInt8] = []
    /// For each open object or array, whether a member has been written in it.
    private var written: [Bool] = []
    /// A key was just written: its value follows with no comma.
    private var afterKey = false

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = written.indices.last else { return }
        if written[last] { bytes.append(UInt8(ascii: ",")) }
        written[last] = true
    }

    /// Opens an object; its members follow (in sorted order, as the response encoder's are).
    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    /// Opens an array; its items follow.
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        written.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        written.removeLast()
        bytes.append(bracket)
    }

    /// A member's key (written as it is: the writers' keys are plain ASCII); its value comes next.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        afterKey = true
    }

    mutating func string(_ value: String) {
        separate()
        SubsonicValue.writeJSONString(value, into: &bytes)
    }

    mutating func integer(_ value: Int64) {
        separate()
        SubsonicValue.writeJSONInteger(value, into: &bytes)
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A finite number as Swift writes it (the shortest form that reads back the same); `null`
    /// for one that is not finite, which JSON cannot hold.
    mutating func double(_ value: Double) {
        separate()
        bytes.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
    }

    // Members, an absent optional left out as `Encodable`'s synthesized conformance leaves it.

    /// A member whose value `write` writes; none when `value` is nil.
    mutating func member<Value>(_ name: StaticString, _ value: Value?, _ write: (inout JSONOutput, Value) -> Void) {
        guard let value else { return }
        key(name)
        write(&self, value)
    }

    mutating func member(_ name: StaticString, _ value: String?) { member(name, value) { $0.string($1) } }
    mutating func member(_ name: StaticString, _ value: Int?) { member(name, value) { $0.integer(Int64($1)) } }
    mutating func member(_ name: StaticString, _ value: Int64?) { member(name, value) { $0.integer($1) } }
    mutating func member(_ name: StaticString, _ value: Bool?) { member(name, value) { $0.bool($1) } }
    mutating func member(_ name: StaticString, _ value: Double?) { member(name, value) { $0.double($1) } }

    mutating func member(_ name: StaticString, _ items: [String]?) {
        member(name, items) { json, items in json.array(items) { $0.string($1) } }
    }

    mutating func member<Item: JSONWritable>(_ name: StaticString, _ items: [Item]?) {
        member(name, items) { json, items in json.array(items) { $1.writeJSON(into: &$0) } }
    }

    mutating func member<Value: JSONWritable>(_ name: StaticString, _ value: Value?) {
        member(name, value) { json, value in value.writeJSON(into: &json) }
    }

    /// An array of `items`, each written by `write`.
    mutating func array<Items: Sequence>(_ items: Items, _ write: (inout JSONOutput, Items.Element) -> Void) {
        beginArray()
        for item in items { write(&self, item) }
        endArray()
    }
}

/// A response of a `JSONWritable` value, written by the value itself (the response encoder's
/// content type; `EntityTags` adds the `ETag` from its bytes as from any other).
struct WrittenJSON<Value: JSONWritable>: ResponseGenerator {
    var value: Value

    init(_ value: Value) { self.value = value }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var output = JSONOutput()
        value.writeJSON(into: &output)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: output.bytes)))
    }
}

extension Wire.Page: JSONWritable where Item: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("items", items)
        json.member("limit", limit)
        json.member("more", more)
        json.member("offset", offset)
        json.member("total", total)
        json.endObject()
    }
}

extension Wire.AlbumItem: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("artist", artist)
        json.member("artistId", artistId)
        json.member("compilation", compilation)
        json.member("coverArt", coverArt)
        json.member("discCount", discCount)
        json.member("durationMs", durationMs)
        json.member("genres", genres)
        json.member("id", id)
        json.member("rating", rating)
        json.member("starred", starred)
        json.member("title", title)
        json.member("trackCount", trackCount)
        json.member("year", year)
        json.endObject()
    }
}

extension Wire.SearchResult: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("albums", albums)
        json.member("artists", artists)
        json.member("composers", composers)
        json.member("didYouMean", didYouMean)
        json.member("genres", genres)
        json.member("playlists", playlists)
        json.member("tracks", tracks)
        json.endObject()
    }
}

extension Wire.ArtistItem: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("albumCount", albumCount)
        json.member("id", id)
        json.member("name", name)
        json.member("rating", rating)
        json.member("starred", starred)
        json.member("trackCount", trackCount)
        json.endObject()
    }
}

extension Wire.TrackItem: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("album", album)
        json.member("albumArtist", albumArtist)
        json.member("albumId", albumId)
        json.member("artist", artist)
        json.member("artistId", artistId)
        json.member("bitRate", bitRate)
        json.member("coverArt", coverArt)
        json.member("discNumber", discNumber)
        json.member("discSubtitle", discSubtitle)
        json.member("durationMs", durationMs)
        json.member("id", id)
        json.member("rating", rating)
        json.member("replayGain", replayGain)
        json.member("starred", starred)
        json.member("suffix", suffix)
        json.member("title", title)
        json.member("trackNumber", trackNumber)
        json.member("year", year)
        json.endObject()
    }
}

extension Wire.ReplayGainItem: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("albumGain", albumGain)
        json.member("albumPeak", albumPeak)
        json.member("trackGain", trackGain)
        json.member("trackPeak", trackPeak)
        json.endObject()
    }
}

extension Wire.Genre: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("albumCount", albumCount)
        json.member("name", name)
        json.member("trackCount", trackCount)
        json.endObject()
    }
}

extension Wire.PlaylistHit: JSONWritable {
    func writeJSON(into json: inout JSONOutput) {
        json.beginObject()
        json.member("id", id)
        json.member("name", name)
        json.member("ownerId", ownerId)
        json.member("public", self.public)
        json.member("trackCount", trackCount)
        json.endObject()
    }
}
