import CantoCore
import Foundation

/// Turns the files read from one folder into catalog writes: fills missing tags from names,
/// decides album artists (compilations), and assigns album, artist and artwork IDs.
struct FolderResolver {
    var library: Library
    var folder: Folder
    /// Folder names from the library's root down to this folder.
    var folderNames: [String]
    var options: ScanOptions
    /// The folder's cover image, if one of the configured names is there.
    var folderCover: Artwork?

    static let unknownArtist = "[Unknown Artist]"
    static let unknownAlbum = "[Unknown Album]"

    /// `ids` gives the track ID for each file name (kept for known and moved files).
    func writes(for files: [ReadFile], ids: [String: TrackID], now: Date) -> [TrackWrite] {
        let filled = files.map(fillMissing)
        // Several track artists under one album title in one folder, with no album artist
        // tag, make a compilation.
        var artistsByAlbum: [String: Set<String>] = [:]
        for file in filled where file.tags.albumArtists.isEmpty {
            artistsByAlbum[SortKey.folded(file.tags.album ?? ""), default: []]
                .insert(SortKey.folded(file.tags.artists.first ?? ""))
        }
        return filled.map { file in
            let tags = file.tags
            let albumTitle = tags.album ?? Self.unknownAlbum
            let manyArtists = (artistsByAlbum[SortKey.folded(albumTitle)]?.count ?? 0) > 1
            var compilation = tags.compilation
            let albumArtists: [String]
            if !tags.albumArtists.isEmpty {
                albumArtists = tags.albumArtists
            } else if compilation || manyArtists {
                albumArtists = [options.variousArtists]
                compilation = true
            } else {
                albumArtists = [tags.artists.first ?? Self.unknownArtist]
            }
            let albumArtistName = albumArtists.joined(separator: " / ")
            let relativePath = folder.path.isEmpty ? file.name : folder.path + "/" + file.name
            let id = ids[file.name] ?? CatalogIDs.track(library: library.id, relativePath: relativePath)
            let artwork = embeddedArtwork(file: file, path: library.path + "/" + relativePath) ?? folderCover
            let track = Track(
                id: id, libraryID: library.id, folderID: folder.id,
                albumID: CatalogIDs.album(
                    albumArtist: albumArtistName, title: albumTitle, releaseMBID: tags.musicBrainz.releaseID),
                path: relativePath, suffix: FileName.suffix(file.name).lowercased(),
                size: file.status.size, modifiedAt: file.status.modifiedAt, contentHash: file.contentHash,
                title: tags.title ?? file.name, album: albumTitle,
                artistName: tags.artists.joined(separator: " / "), albumArtistName: albumArtistName,
                trackNumber: tags.trackNumber, trackTotal: tags.trackTotal, discNumber: tags.discNumber,
                discTotal: tags.discTotal, discSubtitle: tags.discSubtitle, date: tags.date,
                originalDate: tags.originalDate, year: tags.year, compilation: compilation, comment: tags.comment,
                bpm: tags.bpm, isrc: tags.isrc, musicBrainz: tags.musicBrainz, replayGain: tags.replayGain,
                audio: tags.audio, artworkID: artwork?.id, createdAt: now, updatedAt: now)
            var credits: [ArtistCredit] = []
            for (index, name) in tags.artists.enumerated() {
                credits.append(
                    ArtistCredit(name: name, musicBrainzID: tags.musicBrainz.artistIDs[safe: index], role: .artist))
            }
            for (index, name) in albumArtists.enumerated() {
                credits.append(
                    ArtistCredit(
                        name: name, musicBrainzID: tags.musicBrainz.albumArtistIDs[safe: index], role: .albumArtist))
            }
            for name in tags.composers { credits.append(ArtistCredit(name: name, role: .composer)) }
            return TrackWrite(
                track: track, credits: credits, genres: tags.genres, lyrics: tags.lyrics,
                syncedLyrics: tags.syncedLyrics, artwork: artwork)
        }
    }

    /// Title from the file name, artist and album from the folders, when the tags lack them.
    private func fillMissing(_ file: ReadFile) -> ReadFile {
        var file = file
        if file.tags.title == nil { file.tags.title = AudioFileReader.title(fromFileName: file.name) }
        if file.tags.artists.isEmpty {
            file.tags.artists = [folderNames.count >= 2 ? folderNames[folderNames.count - 2] : Self.unknownArtist]
        }
        if file.tags.album == nil, let last = folderNames.last {
            file.tags.album = AudioFileReader.album(fromFolderName: last)
        }
        return file
    }

    private func embeddedArtwork(file: ReadFile, path: String) -> Artwork? {
        guard let cover = file.tags.cover else { return nil }
        let id = ArtworkID(
            "a" + StableHash.hex128(data: cover.data.prefix(64 * 1024)) + String(cover.data.count, radix: 36))
        return Artwork(id: id, source: .embedded, path: path, mimeType: cover.mimeType, byteCount: cover.data.count)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
