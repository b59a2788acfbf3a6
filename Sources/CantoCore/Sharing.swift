public import Foundation

public enum ShareKind {}
public enum RadioKind {}
public typealias ShareID = Identifier<ShareKind>
public typealias RadioStationID = Identifier<RadioKind>

/// Tracks shared by a user through a public link, until it expires.
public struct Share: Sendable, Equatable, Codable {
    public var id: ShareID
    public var ownerID: UserID
    public var description: String?
    /// The shared tracks, in order (a shared album or playlist is stored as its tracks).
    public var trackIDs: [TrackID]
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastVisitedAt: Date?
    public var visitCount: Int

    public init(
        id: ShareID, ownerID: UserID, description: String?, trackIDs: [TrackID], createdAt: Date, expiresAt: Date?,
        lastVisitedAt: Date? = nil, visitCount: Int = 0
    ) {
        self.id = id
        self.ownerID = ownerID
        self.description = description
        self.trackIDs = trackIDs
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastVisitedAt = lastVisitedAt
        self.visitCount = visitCount
    }

    public func isExpired(now: Date = Date()) -> Bool { expiresAt.map { $0 <= now } ?? false }
}

/// An internet radio station, shared by the household.
public struct RadioStation: Sendable, Equatable, Codable {
    public var id: RadioStationID
    public var name: String
    public var streamURL: String
    public var homepageURL: String?
    public init(id: RadioStationID, name: String, streamURL: String, homepageURL: String?) {
        self.id = id
        self.name = name
        self.streamURL = streamURL
        self.homepageURL = homepageURL
    }
}

/// Shares (owner-checked) and radio stations.
public protocol SharingStore: Sendable {
    func createShare(_ share: Share) async throws
    /// Any share by its ID, for the public link (the caller checks expiry).
    func share(_ id: ShareID) async throws -> Share?
    func shares(of user: UserID) async throws -> [Share]
    /// Changes description and expiry when `owner` owns the share; false otherwise.
    func updateShare(_ id: ShareID, owner: UserID, description: String?, expiresAt: Date?) async throws -> Bool
    func deleteShare(_ id: ShareID, owner: UserID) async throws -> Bool
    func recordVisit(_ id: ShareID, at date: Date) async throws
    func radioStations() async throws -> [RadioStation]
    func saveRadioStation(_ station: RadioStation) async throws
    func deleteRadioStation(_ id: RadioStationID) async throws -> Bool
}
