public import Foundation

/// Everything the tag reader learns about one audio file, before it is placed in the catalog.
public struct TrackTags: Sendable, Equatable {
    public var title: String?
    public var artists: [String] = []
    public var album: String?
    public var albumArtists: [String] = []
    public var trackNumber: Int?
    public var trackTotal: Int?
    public var discNumber: Int?
    public var discTotal: Int?
    public var discSubtitle: String?
    public var date: String?
    public var originalDate: String?
    public var year: Int?
    public var genres: [String] = []
    public var compilation = false
    public var composers: [String] = []
    public var comment: String?
    public var bpm: Int?
    public var isrc: String?
    public var musicBrainz = MusicBrainzIDs()
    public var replayGain = ReplayGain()
    public var lyrics: String?
    public var syncedLyrics: String?
    public var audio = AudioProperties()
    /// The embedded front cover, when it was asked for.
    public var cover: Picture?

    public init() {}
}

public struct MusicBrainzIDs: Sendable, Equatable, Codable {
    public var recordingID: String?
    public var trackID: String?
    public var releaseID: String?
    public var releaseGroupID: String?
    public var artistIDs: [String] = []
    public var albumArtistIDs: [String] = []
    public init() {}
}

public struct ReplayGain: Sendable, Equatable, Codable {
    public var trackGain: Double?
    public var trackPeak: Double?
    public var albumGain: Double?
    public var albumPeak: Double?
    public init() {}
}

public struct AudioProperties: Sendable, Equatable, Codable {
    public var durationMs: Int64 = 0
    public var bitrateKbps: Int = 0
    public var sampleRate: Int = 0
    public var channels: Int = 0
    public var bitDepth: Int?
    /// The codec, when the container alone does not say ("aac" or "alac" in m4a).
    public var codec: String?
    public init() {}
}

/// An image and its MIME type.
public struct Picture: Sendable, Equatable {
    public var data: Data
    public var mimeType: String
    public init(data: Data, mimeType: String) {
        self.data = data
        self.mimeType = mimeType
    }
}
