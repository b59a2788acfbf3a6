import Foundation
import Hummingbird

/// Works out the client's address and scheme. `X-Forwarded-For` and `X-Forwarded-Proto` are
/// believed only when the TCP peer is a configured trusted proxy.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = CantoRequestContext
    let trustedProxies: Set<String>
    let tls: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let peer = context.peerAddress?.ipAddress
        context.clientAddress = peer
        context.isSecure = tls
        if let peer, trustedProxies.contains(peer) {
            if let forwarded = request.headers[.xForwardedFor] {
                // The right-most address not itself a trusted proxy is the client.
                let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                context.clientAddress = hops.reversed().first { !trustedProxies.contains($0) } ?? hops.first ?? peer
            }
            if let proto = request.headers[.xForwardedProto] {
                context.isSecure = proto.lowercased() == "https"
            }
        }
        return try await next(request, context)
    }
}
