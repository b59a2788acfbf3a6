import CTagLibShim
public import CantoCore
import Foundation

/// Raw tag values by TagLib's unified keys ("TITLE", "ARTIST", ...), several values per key.
public typealias TagFields = [String: [String]]

/// Reads and writes tags with TagLib through CTagLibShim. Blocking: call it from a `BlockingPool`.
public struct TagReader: Sendable {
    public var separators: TagSeparators

    public init(separators: TagSeparators = .init()) {
        self.separators = separators
    }

    /// The TagLib version Canto was built against, as "X.Y.Z".
    public static var version: String { String(cString: canto_taglib_version()) }

    /// Reads a file's tags and audio properties; `wantCover` also reads the embedded front cover.
    public func read(path: String, wantCover: Bool) throws(MediaError) -> TrackTags {
        var error = [CChar](repeating: 0, count: 256)
        guard let result = canto_tags_read(path, wantCover ? 1 : 0, &error, error.count) else {
            throw .unreadable(reason: String(cBuffer: error))
        }
        defer { canto_tags_free(result) }
        let raw = result.pointee
        var fields = TagFields()
        for index in 0..<raw.field_count {
            let field = raw.fields[index]
            fields[String(cString: field.key).uppercased(), default: []].append(String(cString: field.value))
        }
        var tags = TagMapping(separators: separators).tags(from: fields)
        tags.audio.durationMs = raw.duration_ms
        tags.audio.bitrateKbps = Int(raw.bitrate_kbps)
        tags.audio.sampleRate = Int(raw.sample_rate)
        tags.audio.channels = Int(raw.channels)
        tags.audio.bitDepth = raw.bit_depth > 0 ? Int(raw.bit_depth) : nil
        tags.audio.codec = cString(raw.codec)
        if let picture = raw.picture, raw.picture_size > 0 {
            let mime = cString(raw.picture_mime) ?? "image/jpeg"
            tags.cover = Picture(data: Data(bytes: picture, count: raw.picture_size), mimeType: mime)
        }
        if let synced = raw.synced_lyrics {
            tags.syncedLyrics = String(cString: synced)
        }
        return tags
    }

    /// Replaces a file's tags with `fields` and, when given, its front cover.
    public static func write(path: String, fields: TagFields, cover: Picture? = nil) throws(MediaError) {
        let pairs = fields.sorted { $0.key < $1.key }.flatMap { key, values in values.map { (key, $0) } }
        var error = [CChar](repeating: 0, count: 256)
        let keys = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keys.forEach { free($0) }
            values.forEach { free($0) }
        }
        let cFields = zip(keys, values).map { canto_tag_field(key: $0, value: $1) }
        let rc: Int32 = cFields.withUnsafeBufferPointer { buffer in
            guard let cover else {
                return canto_tags_write(path, buffer.baseAddress, buffer.count, nil, 0, nil, &error, error.count)
            }
            return cover.data.withUnsafeBytes { bytes in
                canto_tags_write(
                    path, buffer.baseAddress, buffer.count, bytes.bindMemory(to: UInt8.self).baseAddress,
                    bytes.count, cover.mimeType, &error, error.count)
            }
        }
        guard rc == 0 else { throw .unreadable(reason: String(cBuffer: error)) }
    }
}
