public import CantoCore
public import CantoDomain
public import Foundation
public import Hummingbird
import Logging
public import NIOCore
import Synchronization

/// How the caller proved who they are.
public enum AuthMethod: Sendable, Equatable {
    case sessionCookie
    case bearer
}

/// The request context of every Canto route: the signed-in user, how they signed in, and the
/// client's address (honouring X-Forwarded-For only from trusted proxies).
public struct CantoRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer.
    public let peerAddress: SocketAddress?
    /// The connection, for what must act on it (closing it after refusing a body too large).
    let channel: any Channel
    public var user: User? {
        didSet { if let user { noteSignedIn(user) } }
    }
    /// Who the request came from once known, for the request log line and the access log: one
    /// record shared by every copy of this context down the middleware chain.
    let requestRecord = RequestRecord()
    /// The catalog as the signed-in user may see it, made when the session is found.
    public var catalog: CatalogView?
    public var session: Session?
    public var authMethod: AuthMethod?
    /// The client's address as far as it can be trusted; set by `ClientAddressMiddleware`.
    public var clientAddress: String?
    /// Whether the client reached us over HTTPS (directly or through a trusted proxy).
    public var isSecure = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress
        channel = source.channel
    }

    /// JSON bodies are small; the avatar upload reads its body itself with its own cap.
    public var maxUploadSize: Int { 64 * 1024 }

    /// Hummingbird's JSON (ISO 8601 dates) with the keys in order: the same answer is the same
    /// bytes, so the `ETag` made from its hash (`EntityTags`) holds from one request to the next.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    /// Tags the lines logged for the rest of this request with the user's id, and records the user
    /// for the request log (Subsonic calls, which never set `user`, call this themselves).
    mutating func noteSignedIn(_ user: User) {
        logger[metadataKey: "user.id"] = "\(user.id)"
        requestRecord.signedIn(user)
    }

    /// The signed-in user, or 401.
    public func requireUser() throws -> User {
        guard let user else { throw APIError.unauthorized }
        return user
    }

    /// The signed-in user's view of the catalog, or 401: the native handlers' only way to it.
    public func requireCatalog() throws -> CatalogView {
        guard let catalog else { throw APIError.unauthorized }
        return catalog
    }
}

/// Who a request came from, filled in by whichever layer authenticates it.
final class RequestRecord: Sendable {
    private let state = Mutex<(id: String, username: String)?>(nil)

    func signedIn(_ user: User) {
        state.withLock { $0 = ("\(user.id)", user.username) }
    }

    /// The user's id and name, once known.
    var user: (id: String, username: String)? { state.withLock { $0 } }
}
