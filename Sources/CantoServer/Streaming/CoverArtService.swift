import CantoCore
import CantoDomain
import CantoMedia
import Foundation

/// Cover images for albums, artists and tracks: the embedded or folder image, scaled to the
/// requested size (longer side, aspect kept) and re-encoded as JPEG (or WebP), cached on disk;
/// a placeholder disc when an item has none.
struct CoverArtService: Sendable {
    let catalog: any CatalogReader
    let cache: DiskCache
    /// The server's one pool for blocking media work (shared with transcoding).
    let pool: BlockingPool
    /// Where cache hits are counted for the admin page.
    var activity: ServerActivity?
    /// Pictures from the metadata plugins, for artists and for albums without art.
    var images: PluginImages?
    /// Requested sizes are clamped to this (a phone asks for 300-1200).
    static let maxSize = 2048

    /// An encoded image and its MIME type.
    struct Image: Sendable {
        var bytes: [UInt8]
        var mimeType: String
        /// Asked for by artwork ID and answered with that artwork: the ID names these bytes
        /// (a hash of the picture, or of its file's path, size and time), so they never change.
        var keyedByContent = false
    }

    /// The image behind a Subsonic cover ID (album "al…", artist "ar…", track "t…", or an
    /// artwork ID), at `size` pixels when given, else as stored.
    /// An item outside `view` answers as missing.
    func image(for id: String, size: Int?, format: ImageFormat = .jpeg, in view: CatalogView) async throws -> Image {
        let size = size.map { min(max($0, 16), Self.maxSize) }
        let artworkID = try await artworkID(for: id, in: view)
        // An artist's own picture, or an album without art: the metadata plugins' (kept on disk).
        if let images, id.hasPrefix("ar") || artworkID == nil,
            let (picture, key) = try await pluginPicture(for: id, in: view, images)
        {
            return try await scaled(picture, key: key, size: size, format: format)
        }
        guard let artworkID else { return try await placeholder(size: size, format: format) }
        guard let artwork = try await catalog.artwork(artworkID) else {
            // An artwork ID that names nothing is a missing item; an item without art gets the disc.
            if id.hasPrefix("al") || id.hasPrefix("ar") || id.hasPrefix("t") {
                return try await placeholder(size: size, format: format)
            }
            throw DomainError.notFound
        }
        // Asked for by the artwork's own ID (not an album's, artist's or track's): keyed by content.
        let keyed = id == artworkID.rawValue
        let name = DiskCache.name(
            for: "\(artwork.id.rawValue)|\(artwork.byteCount)|\(size ?? 0)|\(format.rawValue)", suffix: format.rawValue)
        if size != nil, let path = await cache.path(of: name), let data = FileManager.default.contents(atPath: path) {
            activity?.count("cache", "covers-hit")
            return Image(bytes: Array(data), mimeType: format.mimeType, keyedByContent: keyed)
        }
        let picture: Picture? = try await pool.run {
            switch artwork.source {
            case .file:
                FileManager.default.contents(atPath: artwork.path).map { Picture(data: $0, mimeType: artwork.mimeType) }
            case .embedded: try? TagReader().read(path: artwork.path, wantCover: true).cover
            }
        }
        guard let picture else {
            // The image is gone from disk since the scan: the plugins' if they have one.
            if let images, let (found, key) = try await pluginPicture(for: id, in: view, images) {
                return try await scaled(found, key: key, size: size, format: format)
            }
            return try await placeholder(size: size, format: format)
        }
        var image = try await scaled(
            picture, key: "\(artwork.id.rawValue)|\(artwork.byteCount)", size: size, format: format)
        image.keyedByContent = keyed
        return image
    }

    /// A metadata plugin's picture of the artist called `name` at `size` (nil when none has one).
    func pluginImage(ofArtist name: String, size: Int) async throws -> Image? {
        guard let images, let picture = await images.artist(named: name) else { return nil }
        return try await scaled(picture, key: "plugin-artist|\(name)", size: size, format: .jpeg)
    }

    /// `picture` at `size` (as it is without one), from the cache when scaled before.
    private func scaled(_ picture: Picture, key: String, size: Int?, format: ImageFormat) async throws -> Image {
        guard let size else { return Image(bytes: Array(picture.data), mimeType: picture.mimeType) }
        let name = DiskCache.name(for: "\(key)|\(size)|\(format.rawValue)", suffix: format.rawValue)
        if let path = await cache.path(of: name), let data = FileManager.default.contents(atPath: path) {
            activity?.count("cache", "covers-hit")
            return Image(bytes: Array(data), mimeType: format.mimeType)
        }
        activity?.count("cache", "covers-miss")
        do {
            let scaled = try await pool.run {
                try ImageScaler.scale(Array(picture.data), maxSize: size, format: format)
            }
            try? await cache.store(scaled.bytes, as: name)
            return Image(bytes: scaled.bytes, mimeType: format.mimeType)
        } catch {
            // An image FFmpeg cannot decode is sent as stored rather than not at all.
            return Image(bytes: Array(picture.data), mimeType: picture.mimeType)
        }
    }

    /// A metadata plugin's picture of an artist, or of the album of an album or track ID.
    private func pluginPicture(for id: String, in view: CatalogView, _ images: PluginImages) async throws
        -> (Picture, String)?
    {
        if id.hasPrefix("ar") {
            guard let artist = try await view.artist(ArtistID(id)),
                let picture = await images.artist(named: artist.name)
            else { return nil }
            return (picture, "plugin-artist|\(artist.name)")
        }
        var album: Album?
        if id.hasPrefix("al") {
            album = try await view.album(AlbumID(id))
        } else if id.hasPrefix("t"), let track = try await view.track(TrackID(id)) {
            album = try await view.album(track.albumID)
        }
        guard let album, let picture = await images.album(title: album.title, artist: album.albumArtistName) else {
            return nil
        }
        return (picture, "plugin-album|\(album.title)|\(album.albumArtistName)")
    }

    /// The artwork of an album, artist or track in `view` (nil when it has none); throws
    /// `DomainError.notFound` when there is no such item in view.
    private func artworkID(for id: String, in view: CatalogView) async throws -> ArtworkID? {
        if id.hasPrefix("al") {
            guard let album = try await view.album(AlbumID(id)) else { throw DomainError.notFound }
            return album.artworkID
        }
        if id.hasPrefix("ar") {
            guard try await view.artist(ArtistID(id)) != nil else { throw DomainError.notFound }
            return try await view.albums(byArtist: ArtistID(id)).lazy.compactMap(\.artworkID).first
        }
        if id.hasPrefix("t") {
            guard let track = try await view.track(TrackID(id)) else { throw DomainError.notFound }
            return track.artworkID
        }
        // A bare artwork ID: shown only when a track in view uses it.
        guard try await view.usesArtwork(ArtworkID(id)) else { throw DomainError.notFound }
        return ArtworkID(id)
    }

    private func placeholder(size: Int?, format: ImageFormat) async throws -> Image {
        guard let size, size < 300 else { return Image(bytes: Self.placeholderPNG, mimeType: "image/png") }
        let scaled = try await pool.run { try ImageScaler.scale(Self.placeholderPNG, maxSize: size, format: format) }
        return Image(bytes: scaled.bytes, mimeType: format.mimeType)
    }

    /// A grey disc, 300×300 PNG.
    static let placeholderPNG: [UInt8] = Array(
        Data(
            base64Encoded:
                "iVBORw0KGgoAAAANSUhEUgAAASwAAAEsCAAAAABcFtGpAAAACXBIWXMAAAABAAAAAQBPJcTWAAAD3ElEQVR4nO3dUW5bNxBA0SzM68x6ixhF8tO0vtKbIYOeuwBieL4MyeJ8+9CX+3Z6gD8pWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWCFYIVghWKGbsL7/c6fH+tUlWL9xukzsAqz/hLoG7DTWl6Vu8DqLFalOcx3EekHqsNcxrJepDnIdwnqL6hjXEay3qQ5xHcB6hOoI1z7WY1b7WttYD1Ltcy1jPWy1rLWL9bjVrtYm1gDVLtci1pDVotYe1pjVntYa1qDVmtYW1qjVltYS1rDVktYO1rjVjtYK1oLVitYG1orVhtYC1pLVgtY81prVvNY41qLVuNY01qrVtBas0DDWstWw1izWutWs1ijWAatRLVihSawjVpNag1iHrAa1YIXmsI5ZzWnBCo1hHbQa04IVmsI6ajWlBSs0hHXYakgLVghWaAbrNNX3GS1YoRGs01CfDdwLVghWaALrNNPfPX8xWCFYIVihAazTSD97/GawQrBCsEKwQs9jPXfH67Suwxo764Fuw5o87O0uwxo+7c3uwpo/7q2uwlo5741ghW7C2jrw5WCFYIVghWCFYIVghWCFYIVuwvIXPKx/643L+dThves9e9qbXYblk9LXL/jkWQ90Hdb/69sd3xuWThv97PGbwQrBCsEK+c+/EKwQrBCskF9YhGCFYIX83jAEK+Q30iFYIVghL4aEYIW8chSCFfIyWwhWyGuSIVghL+CGvK0cghXyHnzIpoGQHRYhWCF7d0I2OoXsCgvZQhey3zBkc2bITtaQbb8he6RDNpSH9rDmtNZusIg1pbV3gU2sEa7N8XexntdanX4Z62mt3eG3sR7l2h59H+s5rfXJD2A9xHVg7iNYF/6i90sdwrrsDYIvdgzrDa5jEx/E+njJ6+S4Z7Ey19lhT2N9BK/Tg96A9aP7oX50CdZnNzt9dhPW9cEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEKwQrBCsEK/QXaCepzOkSrfAAAAABJRU5ErkJggg=="
        ) ?? Data())
}
