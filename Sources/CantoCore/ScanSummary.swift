public import Foundation

/// What one scan did, for the command line, the log and the API.
public struct ScanSummary: Sendable, Equatable, Codable {
    public var added = 0
    public var updated = 0
    public var moved = 0
    public var removed = 0
    public var unchanged = 0
    /// Files and folders that could not be read (corrupt, zero-byte, unreadable, loops).
    public var errors = 0
    /// Files that are not audio (text, playlists, images that are not covers).
    public var skipped = 0
    public var duration: TimeInterval = 0
    /// The first problems, with their paths and reasons; all of them are in the log.
    public var problems: [ScanProblem] = []
    /// True when the scan was stopped (shutdown) before it finished.
    public var cancelled = false

    public init() {}

    /// Files looked at (audio files only).
    public var filesSeen: Int { added + updated + moved + unchanged }
    public var changed: Bool { added + updated + moved + removed > 0 }

    public static let maxProblems = 200

    public mutating func record(_ problem: ScanProblem) {
        errors += 1
        if problems.count < Self.maxProblems { problems.append(problem) }
    }
}

public struct ScanProblem: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case corrupt, emptyFile, unreadableFolder, symlinkLoop, unreadableFile
    }
    public var kind: Kind
    public var path: String
    public var reason: String
    public init(kind: Kind, path: String, reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }
}

/// Progress of a running scan.
public struct ScanProgress: Sendable, Equatable, Codable {
    public var running: Bool
    public var filesSeen: Int
    /// An estimate of the files there are (the last scan's count), for an ETA; 0 when unknown.
    public var expectedFiles: Int
    public var startedAt: Date?
    public var summary: ScanSummary

    public init(
        running: Bool = false, filesSeen: Int = 0, expectedFiles: Int = 0, startedAt: Date? = nil,
        summary: ScanSummary = .init()
    ) {
        self.running = running
        self.filesSeen = filesSeen
        self.expectedFiles = expectedFiles
        self.startedAt = startedAt
        self.summary = summary
    }

    public var filesPerSecond: Double {
        guard let startedAt else { return 0 }
        let elapsed = Date().timeIntervalSince(startedAt)
        return elapsed > 0 ? Double(filesSeen) / elapsed : 0
    }

    /// Seconds left at the current rate, when the total can be estimated.
    public var eta: TimeInterval? {
        let rate = filesPerSecond
        guard expectedFiles > filesSeen, rate > 0 else { return nil }
        return Double(expectedFiles - filesSeen) / rate
    }
}
