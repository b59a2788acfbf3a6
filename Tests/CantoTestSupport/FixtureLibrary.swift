import CantoCore
import CantoMedia
public import Foundation

/// A small music library of real files (seconds-long tones encoded by FFmpeg, tagged by FFmpeg
/// or TagLib) covering the cases the scanner must get right. It builds in a few seconds.
public enum FixtureLibrary {
    /// How one file is made.
    struct FileSpec: Sendable {
        enum Content: Sendable {
            /// Encoded by FFmpeg with these `-metadata` tags.
            case ffmpeg([String: String])
            /// A copy of an untagged clip, tagged by TagLib, with the embedded cover when asked.
            case taglib(TagFields, cover: Bool)
            /// A copy of an untagged clip.
            case untagged
        }
        var path: String
        var format: FixtureFormat
        var content: Content
    }

    /// Builds the library in `root` (created when missing) and says what a scan should find.
    public static func make(at root: URL) throws -> FixtureManifest {
        let plan = FixturePlan()
        let clips = try TemporaryDirectory(prefix: "canto-clips")
        let fileManager = FileManager.default
        for spec in plan.files {
            try fileManager.createDirectory(
                at: root.appendingPathComponent(spec.path).deletingLastPathComponent(),
                withIntermediateDirectories: true)
        }
        try fileManager.createDirectory(
            at: root.appendingPathComponent(plan.corruptFile).deletingLastPathComponent(),
            withIntermediateDirectories: true)

        // First every FFmpeg run (covers, untagged clips, FFmpeg-tagged files), all at once.
        let embeddedCoverURL = clips.appending("embedded.jpg")
        let clipFormats = Set(
            plan.files.compactMap { spec -> FixtureFormat? in
                if case .ffmpeg = spec.content { return nil }
                return spec.format
            })
        var encodes: [@Sendable () throws -> Void] = [
            { try AudioClip.jpeg(to: root.appendingPathComponent(plan.folderCoverImage), color: "red") },
            { try AudioClip.jpeg(to: embeddedCoverURL, color: "blue") },
        ]
        for format in clipFormats {
            encodes.append { try AudioClip(seconds: 1).encode(format, to: clipURL(format, in: clips.url)) }
        }
        for spec in plan.files {
            guard case .ffmpeg(let metadata) = spec.content else { continue }
            encodes.append {
                try AudioClip(seconds: 2).encode(
                    spec.format, to: root.appendingPathComponent(spec.path), metadata: metadata)
            }
        }
        let jobs = encodes
        try parallelForEach(jobs.count) { try jobs[$0]() }

        // Then copies of the clips, tagged by TagLib.
        let cover = Picture(data: try Data(contentsOf: embeddedCoverURL), mimeType: "image/jpeg")
        let copies = plan.files.filter {
            if case .ffmpeg = $0.content { return false }
            return true
        }
        try parallelForEach(copies.count) { index in
            let spec = copies[index]
            let destination = root.appendingPathComponent(spec.path)
            try FileManager.default.copyItem(at: clipURL(spec.format, in: clips.url), to: destination)
            guard case .taglib(let fields, let withCover) = spec.content else { return }
            do {
                try TagReader.write(path: destination.path, fields: fields, cover: withCover ? cover : nil)
            } catch {
                throw FixtureError.tagWriteFailed(path: destination.path, reason: "\(error)")
            }
        }

        // Files a scan must survive.
        var random = SeededGenerator(seed: 0xC0FFEE)
        try Data(random.bytes(8192)).write(to: root.appendingPathComponent(plan.corruptFile))
        try Data().write(to: root.appendingPathComponent(plan.zeroByteFile))
        try Data("Ripped with love.\n".utf8).write(to: root.appendingPathComponent(plan.textFile))

        return plan.manifest(root: root, embeddedCover: cover.data)
    }

    private static func clipURL(_ format: FixtureFormat, in directory: URL) -> URL {
        directory.appendingPathComponent("clip-\(format.rawValue).\(format.fileExtension)")
    }
}
