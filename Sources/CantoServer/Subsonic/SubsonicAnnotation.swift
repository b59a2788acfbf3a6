import CantoCore
import CantoDomain
import Foundation

/// star, unstar, setRating, scrobble, getNowPlaying.
struct SubsonicAnnotation: Sendable {
    /// Listeners' names and whether they show what they play.
    let accounts: AccountService
    let playback: PlaybackService
    let nowPlaying: NowPlaying
    /// Open players: what they play now answers getNowPlaying first.
    let sessions: PlaybackSessions
    /// A star on a recommended track is an outcome of the recommendation.
    let impressions: any ImpressionStore
    let clock: any WallClock

    func register(in api: inout SubsonicAPI) {
        api.on("star") { call in try await star(call, true) }
        api.on("unstar") { call in try await star(call, false) }
        api.on("setRating") { call in try await setRating(call) }
        api.on("scrobble") { call in try await scrobble(call) }
        api.on("getNowPlaying") { call in try await getNowPlaying(call) }
    }

    /// The kind of an item from its ID's prefix (see `CatalogIDs`).
    static func kind(of id: String) -> Annotation.ItemKind? {
        if id.hasPrefix("al") { return .album }
        if id.hasPrefix("ar") { return .artist }
        if id.hasPrefix("t") { return .track }
        return nil
    }

    private func star(_ call: SubsonicCall, _ starred: Bool) async throws -> SubsonicPayload {
        let p = call.parameters
        var items: [(String, Annotation.ItemKind)] = []
        for id in p.all("id") {
            guard let kind = Self.kind(of: id) else { throw SubsonicError.notFound("Item \(id)") }
            items.append((id, kind))
        }
        items += p.all("albumId").map { ($0, .album) } + p.all("artistId").map { ($0, .artist) }
        guard !items.isEmpty else { throw SubsonicError.missing("id") }
        for (id, kind) in items {
            guard try await call.catalog.contains(item: id, kind: kind) else {
                throw SubsonicError.notFound("Item \(id)")
            }
        }
        let now = clock.now
        for (id, kind) in items {
            try await call.state.setStarred(starred, item: id, kind: kind, user: call.user.id, at: now)
            if starred, kind == .track {
                try await impressions.noteFeedback(
                    user: call.user.id, track: TrackID(id), feedback: 0, starred: true, at: now)
            }
        }
        return .empty
    }

    private func setRating(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let id = try call.parameters.required("id")
        guard let rating = try call.parameters.int("rating") else { throw SubsonicError.missing("rating") }
        guard (0...5).contains(rating) else { throw SubsonicError.invalid("rating", "must be 0 to 5") }
        guard let kind = Self.kind(of: id), try await call.catalog.contains(item: id, kind: kind) else {
            throw SubsonicError.notFound("Item")
        }
        try await call.state.setRating(
            rating == 0 ? nil : rating, item: id, kind: kind, user: call.user.id)
        return .empty
    }

    private func scrobble(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let ids = call.parameters.all("id")
        guard !ids.isEmpty else { throw SubsonicError.missing("id") }
        // Every value is checked before anything is written: a bad time refuses the whole call.
        let times = try call.parameters.all("time").map { text throws(SubsonicError) in
            try SubsonicParameters.instant(text, name: "time")
        }
        let submission = call.parameters.bool("submission", default: true)
        let client = call.parameters.string("c")
        var tracks: [Track] = []
        for id in ids {
            guard let track = try await call.catalog.track(TrackID(id)) else { throw SubsonicError.notFound("Song") }
            tracks.append(track)
        }
        for (index, track) in tracks.enumerated() {
            let started = times.indices.contains(index) ? times[index] : Date()
            if submission {
                // A submitted scrobble is a finished play of the whole track.
                _ = try await playback.played(
                    track, in: call.catalog, startedAt: started,
                    secondsPlayed: Int(saturating: Double(track.audio.durationMs) / 1000), client: client)
            } else {
                try await playback.started(track, in: call.catalog, at: started, client: client)
            }
        }
        return .empty
    }

    /// What every open player plays (a web player or an app session), then what the players not
    /// seen as sessions started lately; each listener's only when they show what they play.
    private func getNowPlaying(_ call: SubsonicCall) async throws -> SubsonicPayload {
        var entries: [SubsonicElement] = []
        var covered = Set<String>()
        let playing = await sessions.all { _ in true }.filter { $0.state == .playing && $0.trackID != nil }
        for (number, session) in playing.enumerated() {
            guard let trackID = session.trackID, let user = try await accounts.user(session.userID) else { continue }
            if user.id != call.user.id, try await !accounts.preferences(of: user.id).listeningVisible { continue }
            guard let track = try await call.catalog.track(trackID) else { continue }
            covered.insert(user.id.rawValue + "/" + trackID.rawValue)
            var song = try await SubsonicModel.song(track, for: call)
            song.attributes += [
                ("username", .string(user.username)),
                ("minutesAgo", .int(max(0, Int(saturating: clock.now.timeIntervalSince(session.updatedAt) / 60)))),
                ("playerId", .int(number + 1)), ("playerName", .string(session.name)),
            ]
            entries.append(song)
        }
        for entry in await nowPlaying.current()
        where !covered.contains(entry.user.rawValue + "/" + entry.trackID.rawValue) {
            guard let user = try await accounts.user(entry.user) else { continue }
            if user.id != call.user.id, try await !accounts.preferences(of: user.id).listeningVisible {
                continue
            }
            guard let track = try await call.catalog.track(entry.trackID) else { continue }
            var song = try await SubsonicModel.song(track, for: call)
            song.attributes += [
                ("username", .string(user.username)),
                ("minutesAgo", .int(max(0, Int(saturating: Date().timeIntervalSince(entry.since) / 60)))),
                ("playerId", .int(0)),
            ]
            if let client = entry.client { song.attributes.append(("playerName", .string(client))) }
            entries.append(song)
        }
        return .element("nowPlaying", SubsonicElement().with("entry", list: entries))
    }
}
