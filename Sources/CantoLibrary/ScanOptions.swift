import CantoCore
public import CantoMedia

/// How the scanner reads a library.
public struct ScanOptions: Sendable {
    public var separators: TagSeparators
    /// File names (without extension) that hold an album's cover, in order of preference.
    public var coverNames: [String]
    public var coverExtensions: [String]
    /// How many files are read at once (tag reading is blocking C work).
    public var concurrency: Int
    /// Tracks written per transaction.
    public var batchSize: Int
    /// The album artist of a compilation whose tags name none.
    public var variousArtists: String

    public init(
        separators: TagSeparators = .init(),
        coverNames: [String] = ["cover", "folder", "front", "album"],
        coverExtensions: [String] = ["jpg", "jpeg", "png", "webp"],
        concurrency: Int = 4, batchSize: Int = 2_000, variousArtists: String = "Various Artists"
    ) {
        self.separators = separators
        self.coverNames = coverNames
        self.coverExtensions = coverExtensions
        self.concurrency = max(1, concurrency)
        self.batchSize = max(1, batchSize)
        self.variousArtists = variousArtists
    }

    /// The extensions the scanner reads as audio.
    public static let audioExtensions: Set<String> = [
        "mp3", "flac", "ogg", "oga", "opus", "m4a", "m4b", "mp4", "aac", "alac", "wav", "aif", "aiff", "aifc", "wv",
        "ape", "mpc", "wma", "dsf", "dff",
    ]
}
