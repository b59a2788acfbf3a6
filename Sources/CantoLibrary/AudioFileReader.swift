import CantoCore
import CantoMedia
import Foundation

/// One audio file as read from disk: tags (TagLib, else an FFmpeg probe) and content hash.
struct ReadFile: Sendable {
    var name: String
    var status: FileStatus
    var tags: TrackTags
    var contentHash: String
    var probedOnly: Bool
}

/// Reads one file. Blocking: runs on the scanner's `BlockingPool`.
struct AudioFileReader: Sendable {
    var tagReader: TagReader

    func read(path: String, name: String, status: FileStatus) throws(MediaError) -> ReadFile {
        let hash: String
        do {
            hash = try ContentHash.of(path: path, size: status.size)
        } catch {
            throw .unreadable(reason: "\(error)")
        }
        do {
            let tags = try tagReader.read(path: path, wantCover: true)
            // TagLib opens some broken files and finds neither tags nor audio: treat as corrupt.
            if tags.audio.durationMs > 0 || tags.title != nil {
                return ReadFile(name: name, status: status, tags: tags, contentHash: hash, probedOnly: false)
            }
        } catch {
            // Fall through to FFmpeg, which reads formats TagLib does not (and some it gives up on).
        }
        let probe = try FFmpegProbe.probe(path: path)
        guard probe.audio.durationMs > 0 else { throw .noAudio }
        var tags = TrackTags()
        tags.audio = probe.audio
        // Title, artist and album come from the file and folder names (FolderResolver).
        return ReadFile(name: name, status: status, tags: tags, contentHash: hash, probedOnly: true)
    }

    /// "03 - Title.mp3" → "Title".
    static func title(fromFileName name: String) -> String {
        let stem = (name as NSString).deletingPathExtension
        let pattern = /^\s*(?:\d+[-.]?)?\d+\s*[-.]?\s+(.+)$/
        if let match = stem.wholeMatch(of: pattern) { return String(match.1) }
        return stem
    }

    /// "Debut (1993)" → "Debut".
    static func album(fromFolderName name: String) -> String {
        if let match = name.wholeMatch(of: /^(.+?)\s*\(\d{4}\)$/) { return String(match.1) }
        return name
    }
}
