public import CantoCore

/// A plugin that plays on devices of its own service (Spotify Connect speakers and apps), for a
/// listener who has linked their account: it lists their devices and takes commands. The host
/// shows these devices beside Canto's own players (the playback sessions).
public protocol PlaybackTargetPlugin: CantoPlugin {
    /// The listener's devices at the service, and what plays now (nil when nothing does).
    func devices(of user: UserID) async throws -> (devices: [PlaybackDevice], playing: PlaybackState?)
    /// Carries out `command` on `device` (nil: the active one). Throws ``PlaybackRefused`` with
    /// the service's reason in words when it refuses.
    func perform(_ command: PlaybackCommand, device: String?, for user: UserID) async throws
}

/// One of a listener's devices at a service.
public struct PlaybackDevice: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    /// "Computer", "Smartphone", "Speaker", …
    public var type: String
    public var isActive: Bool
    /// 0 to 100, nil when the device does not say.
    public var volume: Int?

    public init(id: String, name: String, type: String, isActive: Bool, volume: Int?) {
        self.id = id
        self.name = name
        self.type = type
        self.isActive = isActive
        self.volume = volume
    }
}

/// What plays on a service's device now.
public struct PlaybackState: Sendable, Equatable, Codable {
    public var deviceID: String?
    public var isPlaying: Bool
    public var progressMs: Int
    public var durationMs: Int?
    public var title: String?
    public var artist: String?

    public init(
        deviceID: String?, isPlaying: Bool, progressMs: Int, durationMs: Int?, title: String?, artist: String?
    ) {
        self.deviceID = deviceID
        self.isPlaying = isPlaying
        self.progressMs = progressMs
        self.durationMs = durationMs
        self.title = title
        self.artist = artist
    }
}

/// A command for a playback target.
public enum PlaybackCommand: Sendable, Equatable {
    /// Moves playback to the device (and plays there when `play`).
    case transfer(play: Bool)
    /// Plays a context (an album or playlist by the service's URI) or tracks (their URIs).
    case play(context: String?, items: [String])
    case pause
    case resume
    case next
    case previous
    case seek(positionMs: Int)
    case volume(percent: Int)
}

/// The service refused a playback command; `message` says why in plain words.
public struct PlaybackRefused: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service's own reason code (`PREMIUM_REQUIRED`, `NO_ACTIVE_DEVICE`, …), when it gave one.
    public var reason: String?
    public var message: String
    /// When the service asks to wait first (a rate limit), how long.
    public var retryAfter: Double?

    public init(reason: String?, message: String, retryAfter: Double? = nil) {
        self.reason = reason
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}
