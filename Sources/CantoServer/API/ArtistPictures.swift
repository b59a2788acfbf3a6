import CantoCore
import CantoDomain
import CantoSecurity
import Foundation
import Hummingbird

/// Artist pictures from the metadata plugins at public addresses the server signs, for the image
/// URLs of `getArtistInfo(2)` (Subsonic apps load them without credentials):
/// `/images/artists/{id}?size=N&s=SIGNATURE`. Only an address the server handed out opens.
struct ArtistPictures: Sendable {
    let catalog: any CatalogReader
    let covers: CoverArtService
    let signer: SecretBox

    /// The sizes `getArtistInfo` names small, medium and large.
    static let sizes = [("smallImageUrl", 64), ("mediumImageUrl", 174), ("largeImageUrl", 300)]

    func signature(_ artist: ArtistID, size: Int) -> String {
        signer.signature(of: "artist|\(artist.rawValue)|\(size)")
    }

    /// The picture addresses for `artist` under `base` ("https://host"), when a plugin has a picture.
    func urls(for artist: Artist, base: String) async -> [(field: String, url: String)]? {
        guard let images = covers.images, await images.artist(named: artist.name) != nil else { return nil }
        return Self.sizes.map { field, size in
            (
                field,
                "\(base)/images/artists/\(artist.id.rawValue)?size=\(size)&s=\(signature(artist.id, size: size))"
            )
        }
    }

    func addPublicRoutes(to router: Router<CantoRequestContext>) {
        router.get("images/artists/:id") { request, context -> Response in
            let id = ArtistID(try context.parameters.require("id"))
            let query = request.uri.queryParameters
            guard let size = query["size"].flatMap({ Int(String($0)) }), Self.sizes.contains(where: { $0.1 == size }),
                let given = query["s"].map(String.init), signer.verify(given, of: "artist|\(id.rawValue)|\(size)"),
                let artist = try await catalog.artist(id),
                let image = try await covers.pluginImage(
                    ofArtist: artist.name, size: size)
            else { throw APIError.notFound }
            var headers = HTTPFields()
            headers[.contentType] = image.mimeType
            headers[.cacheControl] = "public, max-age=86400"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: image.bytes)))
        }
    }
}
