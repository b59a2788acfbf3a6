import CantoCore
import Foundation

/// A source of music for the catalog. The local library is one; a streaming service could be
/// another. The server asks every enabled media source to scan, on start, on a schedule and
/// on demand.
public protocol MediaSourcePlugin: CantoPlugin {
    /// Brings the catalog in line with the source. `progress` is called as work goes on.
    /// Cancellation (shutdown) stops the scan at a transaction boundary.
    func scan(
        libraries: [Library], expectedFiles: Int, progress: @escaping @Sendable (ScanProgress) -> Void
    ) async throws -> ScanSummary
}

/// Artist and album facts from outside the library (biographies, images, similar artists).
public protocol MetadataPlugin: CantoPlugin {
    func artistInfo(name: String, musicBrainzID: String?) async throws -> ArtistInfo?
    func albumInfo(title: String, artist: String, musicBrainzID: String?) async throws -> AlbumInfo?
}

public struct ArtistInfo: Sendable, Equatable, Codable {
    public var biography: String?
    public var imageURL: URL?
    public var similarArtists: [String]
    public var externalURL: URL?
    public init(biography: String? = nil, imageURL: URL? = nil, similarArtists: [String] = [], externalURL: URL? = nil)
    {
        self.biography = biography
        self.imageURL = imageURL
        self.similarArtists = similarArtists
        self.externalURL = externalURL
    }
}

public struct AlbumInfo: Sendable, Equatable, Codable {
    public var notes: String?
    public var imageURL: URL?
    public var externalURL: URL?
    public init(notes: String? = nil, imageURL: URL? = nil, externalURL: URL? = nil) {
        self.notes = notes
        self.imageURL = imageURL
        self.externalURL = externalURL
    }
}

/// Suggests music: tracks like a given one, or picks for a listener.
public protocol RecommenderPlugin: CantoPlugin {
    func similarTracks(to track: TrackID, limit: Int) async throws -> [TrackID]
    func recommendations(forUser userID: String, limit: Int) async throws -> [TrackID]
}

/// One play, as scrobblers and listen sinks receive it.
public struct Listen: Sendable, Equatable, Codable {
    public var userID: String
    public var trackID: TrackID
    public var title: String
    public var artist: String
    public var album: String
    public var durationSeconds: Int
    public var startedAt: Date
    public var musicBrainzRecordingID: String?
    public init(
        userID: String, trackID: TrackID, title: String, artist: String, album: String, durationSeconds: Int,
        startedAt: Date, musicBrainzRecordingID: String? = nil
    ) {
        self.userID = userID
        self.trackID = trackID
        self.title = title
        self.artist = artist
        self.album = album
        self.durationSeconds = durationSeconds
        self.startedAt = startedAt
        self.musicBrainzRecordingID = musicBrainzRecordingID
    }
}

/// Receives what the household plays (ListenBrainz, Last.fm, a local log).
public protocol ListenSinkPlugin: CantoPlugin {
    /// The listener started a track.
    func nowPlaying(_ listen: Listen) async throws
    /// Plays that count as scrobbles; may be a backlog after an outage.
    func submit(_ listens: [Listen]) async throws
}

/// Takes payments (a supporter plan, a shared household subscription).
public protocol PaymentProviderPlugin: CantoPlugin {
    /// Starts a checkout and gives the URL to send the payer to.
    func createCheckout(_ request: CheckoutRequest) async throws -> CheckoutSession
    /// Verifies and interprets a webhook call from the provider. Throws when the signature is wrong.
    func handleWebhook(body: Data, headers: [String: String]) async throws -> PaymentEvent
}

public struct CheckoutRequest: Sendable, Equatable, Codable {
    public var userID: String
    public var planID: String
    public var successURL: URL
    public var cancelURL: URL
    public init(userID: String, planID: String, successURL: URL, cancelURL: URL) {
        self.userID = userID
        self.planID = planID
        self.successURL = successURL
        self.cancelURL = cancelURL
    }
}

public struct CheckoutSession: Sendable, Equatable, Codable {
    public var id: String
    public var url: URL
    public init(id: String, url: URL) {
        self.id = id
        self.url = url
    }
}

public struct PaymentEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case paid, failed, cancelled, refunded, ignored }
    public var kind: Kind
    public var userID: String?
    public var planID: String?
    public var providerReference: String
    public init(kind: Kind, userID: String?, planID: String?, providerReference: String) {
        self.kind = kind
        self.userID = userID
        self.planID = planID
        self.providerReference = providerReference
    }
}
