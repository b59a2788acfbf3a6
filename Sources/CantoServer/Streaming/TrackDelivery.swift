import CantoCore
import CantoDomain
import Foundation
import Hummingbird

/// How a track is wanted: the original (a download or a share's player), or a stream the planner
/// shapes for a listener (their preferences, their limits, what the client asked).
enum DeliveryMode: Sendable {
    case original(download: Bool)
    case stream(StreamRequest, listener: User, estimateContentLength: Bool)
}

/// Sends a track's audio, the one service the stream, download and share routes use: finds the
/// track in the caller's view, asks its media source where it is, plans and streams.
struct TrackDelivery: Sendable {
    let resolver: MediaResolver
    let planner: StreamPlanner
    let streamer: MediaStreamer
    /// Listeners' streaming preferences.
    let preferences: any UserStore
    /// What each listener's plan lets them stream.
    let plans: PlanService
    /// The streams each listener has playing, for plans that limit them.
    let slots: StreamSlots

    /// The response, or nil when the view holds no such track.
    func response(
        _ id: TrackID, in view: CatalogView, as mode: DeliveryMode, request: Request, context: some RequestContext
    ) async throws -> Response? {
        guard let (track, location) = try await resolver.locate(id, in: view) else { return nil }
        var output = StreamOutput.raw
        var estimate = false
        var downloadName: String?
        switch mode {
        case .original(let download):
            if download { downloadName = (track.path as NSString).lastPathComponent }
        case .stream(let wanted, let listener, let estimateContentLength):
            let preferences = try await preferences.preferences(of: listener.id)
            let entitlements = try await plans.entitlements(of: listener)
            output = planner.plan(
                track, request: wanted, user: listener, preferences: preferences, entitlements: entitlements)
            estimate = estimateContentLength
            if let limit = entitlements.concurrentStreams {
                guard
                    await slots.take(
                        listener.id, track.id, limit: limit, seconds: Double(track.audio.durationMs) / 1_000)
                else {
                    let (plan, _) = try await plans.current(of: listener)
                    throw try await plans.refusal(
                        "More than \(limit) stream\(limit == 1 ? "" : "s") at once", plan: plan
                    ) {
                        $0.entitlements.concurrentStreams.map { $0 > limit } ?? true
                    }
                }
                var response: Response
                do {
                    response = try await streamer.response(
                        track: track, location: location, output: output, estimateContentLength: estimate,
                        downloadName: nil, request: request, context: context)
                } catch {
                    await slots.release(listener.id, track.id)
                    throw error
                }
                // The slot is free once the response has been sent.
                let body = response.body
                let (slots, user, id) = (slots, listener.id, track.id)
                response.body = ResponseBody(contentLength: body.contentLength) { writer in
                    do {
                        try await body.write(writer)
                        await slots.release(user, id)
                    } catch {
                        await slots.release(user, id)
                        throw error
                    }
                }
                return response
            }
        }
        return try await streamer.response(
            track: track, location: location, output: output, estimateContentLength: estimate,
            downloadName: downloadName, request: request, context: context)
    }
}
