import CantoCore
import CantoDomain
import CantoSecurity
import Foundation
import Hummingbird

/// getShares, createShare, updateShare, deleteShare, and internet radio stations.
struct SubsonicSharing: Sendable {
    let sharing: any SharingStore
    /// Whether the caller's plan includes public share links.
    let plans: PlanService

    func register(in api: inout SubsonicAPI) {
        api.on("getShares") { call in try await shares(call, only: nil) }
        api.on("createShare") { call in try await createShare(call) }
        api.on("updateShare") { call in
            guard call.user.canShare else { throw SubsonicError.notAuthorized }
            let p = call.parameters
            let id = ShareID(try p.required("id"))
            guard let share = try await sharing.share(id), share.ownerID == call.user.id else {
                throw SubsonicError.notFound("Share")
            }
            let expires = try Self.expiry(p)
            _ = try await sharing.updateShare(
                id, owner: call.user.id, description: p.string("description") ?? share.description,
                expiresAt: expires.given ? expires.date : share.expiresAt)
            return .empty
        }
        api.on("deleteShare") { call in
            guard try await sharing.deleteShare(ShareID(try call.parameters.required("id")), owner: call.user.id) else {
                throw SubsonicError.notFound("Share")
            }
            return .empty
        }
        api.on("getInternetRadioStations") { _ in
            let stations = try await sharing.radioStations().map { station in
                SubsonicElement([
                    ("id", .string(station.id.rawValue)), ("name", .string(station.name)),
                    ("streamUrl", .string(station.streamURL)),
                    ("homePageUrl", station.homepageURL.map(SubsonicValue.string)),
                ])
            }
            return .element(
                "internetRadioStations", SubsonicElement().with("internetRadioStation", list: stations))
        }
        api.on("createInternetRadioStation") { call in
            try SubsonicUsers.requireAdmin(call)
            try await saveStation(call, id: RadioStationID("r" + Tokens.identifier()))
            return .empty
        }
        api.on("updateInternetRadioStation") { call in
            try SubsonicUsers.requireAdmin(call)
            let id = RadioStationID(try call.parameters.required("id"))
            guard try await sharing.radioStations().contains(where: { $0.id == id }) else {
                throw SubsonicError.notFound("Station")
            }
            try await saveStation(call, id: id)
            return .empty
        }
        api.on("deleteInternetRadioStation") { call in
            try SubsonicUsers.requireAdmin(call)
            guard try await sharing.deleteRadioStation(RadioStationID(try call.parameters.required("id"))) else {
                throw SubsonicError.notFound("Station")
            }
            return .empty
        }
    }

    private func saveStation(_ call: SubsonicCall, id: RadioStationID) async throws {
        let p = call.parameters
        let stream = try p.required("streamUrl")
        guard let url = URL(string: stream), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
            throw SubsonicError.invalid("streamUrl", "must be an http or https URL")
        }
        try await sharing.saveRadioStation(
            RadioStation(id: id, name: try p.required("name"), streamURL: stream, homepageURL: p.string("homepageUrl")))
    }

    static func url(of share: Share, request: Request, secure: Bool) -> String {
        let host = request.head.authority ?? "localhost"
        return "\(secure ? "https" : "http")://\(host)/share/\(share.id.rawValue)"
    }

    /// `expires`: milliseconds since 1970, 0 (or less) for never; `given` tells whether it was sent.
    static func expiry(_ p: SubsonicParameters) throws(SubsonicError) -> (given: Bool, date: Date?) {
        guard let text = p.string("expires"), !text.isEmpty else { return (false, nil) }
        guard let milliseconds = Int64(text) else { throw .invalid("expires", "not a whole number") }
        if milliseconds <= 0 { return (true, nil) }
        return (true, try SubsonicParameters.instant(text, name: "expires"))
    }

    private func shares(_ call: SubsonicCall, only: ShareID?) async throws -> SubsonicPayload {
        var elements: [SubsonicElement] = []
        for share in try await sharing.shares(of: call.user.id) where only == nil || share.id == only {
            let tracks = try await call.catalog.tracks(share.trackIDs)
            let entries = try await SubsonicModel.songs(tracks, for: call)
            elements.append(
                SubsonicElement([
                    ("id", .string(share.id.rawValue)),
                    ("url", .string(Self.url(of: share, request: call.request, secure: call.context.isSecure))),
                    ("description", share.description.map(SubsonicValue.string)),
                    ("username", .string(call.user.username)), ("created", .date(share.createdAt)),
                    ("expires", share.expiresAt.map(SubsonicValue.date)),
                    ("lastVisited", share.lastVisitedAt.map(SubsonicValue.date)),
                    ("visitCount", .int(share.visitCount)),
                ]).with("entry", list: entries))
        }
        return .element("shares", SubsonicElement().with("share", list: elements))
    }

    private func createShare(_ call: SubsonicCall) async throws -> SubsonicPayload {
        guard call.user.canShare else { throw SubsonicError.notAuthorized }
        try await plans.require(.shares, for: call.user)
        let ids = call.parameters.all("id")
        guard !ids.isEmpty else { throw SubsonicError.missing("id") }
        var tracks: [TrackID] = []
        for id in ids {
            if id.hasPrefix("al") {
                let album = try await call.catalog.tracks(inAlbum: AlbumID(id))
                guard !album.isEmpty else { throw SubsonicError.notFound("Album") }
                tracks += album.map(\.id)
            } else if id.hasPrefix("p") {
                let listed = try await call.state.playlist(PlaylistID(id), viewer: call.user.id).trackIDs
                tracks += try await call.catalog.tracks(listed).map(\.id)
            } else {
                guard try await call.catalog.track(TrackID(id)) != nil else { throw SubsonicError.notFound("Song") }
                tracks.append(TrackID(id))
            }
        }
        let expires = try Self.expiry(call.parameters).date
        let share = Share(
            id: ShareID(Tokens.identifier()), ownerID: call.user.id, description: call.parameters.string("description"),
            trackIDs: tracks, createdAt: Date(), expiresAt: expires)
        try await sharing.createShare(share)
        return try await shares(call, only: share.id)
    }
}
