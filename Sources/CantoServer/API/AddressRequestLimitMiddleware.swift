import Hummingbird
import Synchronization

/// Caps how many requests one client address may have in progress at once, so that one
/// hostile or broken client (hundreds of parallel streams, a loop of retries) cannot take every
/// worker from everyone else. A request counts until its response body has been written: a
/// stream holds its place while it plays. Beyond the cap the answer is 429 with `Retry-After`
/// (its body a Subsonic error under `/rest`, the native API's error elsewhere).
struct AddressRequestLimitMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext
    let limiter: AddressRequestLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let address = context.clientAddress ?? context.peerAddress?.ipAddress else {
            return try await next(request, context)
        }
        guard let lease = limiter.acquire(address) else {
            let message = "Too many requests from your address at once; try again shortly."
            // A Subsonic app reads its own envelope, in the format it asked for; the status stays
            // 429 with `Retry-After` for the clients that back off on it.
            guard SubsonicAPI.serves(request.uri.path) else {
                throw APIError(.tooManyRequests, "too_many_requests", message, headers: [.retryAfter: "1"])
            }
            var refusal = SubsonicFormat(SubsonicParameters(query: request.uri.query, form: nil))
                .failure(SubsonicError(.generic, message))
            refusal.status = .tooManyRequests
            refusal.headers[.retryAfter] = "1"
            return refusal
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            lease.release()
            throw error
        }
        // The place is given back once the body is written, or when the response is dropped
        // unwritten (the connection went away first).
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer { lease.release() }
            let unwritten = body
            try await unwritten.write(writer)
        }
        return response
    }
}

/// The count of requests in progress for each client address.
final class AddressRequestLimiter: Sendable {
    /// Requests one address may have in progress; 0 means no limit.
    let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// A place for one more request from `address`, or nil when it already has `limit`.
    func acquire(_ address: String) -> Lease? {
        guard limit > 0 else { return Lease(limiter: nil, address: address) }
        let granted = counts.withLock { counts -> Bool in
            let current = counts[address, default: 0]
            guard current < limit else { return false }
            counts[address] = current + 1
            return true
        }
        return granted ? Lease(limiter: self, address: address) : nil
    }

    /// Requests from `address` in progress now.
    func inFlight(_ address: String) -> Int {
        counts.withLock { $0[address, default: 0] }
    }

    fileprivate func giveBack(_ address: String) {
        counts.withLock { counts in
            let remaining = counts[address, default: 1] - 1
            counts[address] = remaining > 0 ? remaining : nil
        }
    }

    /// One request's place: given back once, by `release()` or when the last reference goes.
    final class Lease: Sendable {
        private let limiter: AddressRequestLimiter?
        private let address: String
        private let released = Atomic<Bool>(false)

        fileprivate init(limiter: AddressRequestLimiter?, address: String) {
            self.limiter = limiter
            self.address = address
        }

        func release() {
            guard let limiter, !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            limiter.giveBack(address)
        }

        deinit { release() }
    }
}
