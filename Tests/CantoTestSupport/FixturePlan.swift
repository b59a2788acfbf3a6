import CantoMedia
import Foundation

/// The contents of the fixture library: which files to make and what a scan should find.
struct FixturePlan {
    var files: [FixtureLibrary.FileSpec] = []
    var tracks: [ExpectedTrack] = []
    var formatTracks: [FixtureFormat: String] = [:]
    let everyFieldTags = EveryFieldTags()
    let everyFieldTrack = "Every Field/Coração Completo/03 - Ærø.flac"
    let embeddedCoverTrack = "坂本龍一/音楽図鑑/01 - 羽の林で.mp3"
    let folderCoverImage = "Sigur Rós/Ágætis byrjun/cover.jpg"
    var folderCoverTracks: [String] = []
    var multiDiscTracks: [String] = []
    let untaggedTrack = "Artist Folder/Album Folder/01 - Untagged Song.mp3"
    let corruptFile = "Broken/corrupt.mp3"
    let zeroByteFile = "Broken/empty.flac"
    let textFile = "Broken/notes.txt"

    let taggedCompilation = ExpectedAlbum(
        title: "Summer Hits", albumArtist: "Various Artists", trackCount: 3, discCount: 1, compilation: true)
    let untaggedCompilation = ExpectedAlbum(
        title: "Road Trip", albumArtist: "Various Artists", trackCount: 3, discCount: 1, compilation: true)
    let multiDisc = ExpectedAlbum(
        title: "Finally We Are No One", albumArtist: "Múm", trackCount: 4, discCount: 2, compilation: false)

    init() {
        addFormats()
        addFolderCoverAlbum()
        addEmbeddedCover()
        addCompilations()
        addMultiDisc()
        addEveryField()
        add(
            untaggedTrack, .mp3, .untagged, title: "Untagged Song", artist: "Artist Folder", album: "Album Folder",
            albumArtist: "Artist Folder")
    }

    var albums: [ExpectedAlbum] {
        var albums: [ExpectedAlbum] = []
        for track in tracks where !albums.contains(where: { $0.title == track.album }) {
            let members = tracks.filter { $0.album == track.album }
            let special = [taggedCompilation, untaggedCompilation, multiDisc].first { $0.title == track.album }
            albums.append(
                special
                    ?? ExpectedAlbum(
                        title: track.album, albumArtist: track.albumArtist, trackCount: members.count, discCount: 1,
                        compilation: track.album == everyFieldTags.album))
        }
        return albums
    }

    func manifest(root: URL, embeddedCover: Data) -> FixtureManifest {
        FixtureManifest(
            root: root, tracks: tracks, albums: albums, formatTracks: formatTracks, everyFieldTrack: everyFieldTrack,
            everyFieldTags: everyFieldTags, embeddedCoverTrack: embeddedCoverTrack, embeddedCover: embeddedCover,
            folderCoverImage: folderCoverImage, folderCoverTracks: folderCoverTracks,
            taggedCompilation: taggedCompilation, untaggedCompilation: untaggedCompilation, multiDisc: multiDisc,
            multiDiscTracks: multiDiscTracks, untaggedTrack: untaggedTrack, corruptFile: corruptFile,
            zeroByteFile: zeroByteFile, textFile: textFile)
    }

    private mutating func add(
        _ path: String, _ format: FixtureFormat, _ content: FixtureLibrary.FileSpec.Content, title: String,
        artist: String, album: String, albumArtist: String
    ) {
        files.append(.init(path: path, format: format, content: content))
        tracks.append(
            ExpectedTrack(
                path: path, format: format, title: title, artist: artist, album: album, albumArtist: albumArtist))
    }

    /// Every format, tagged by FFmpeg, non-ASCII in folder, file and tag names.
    private mutating func addFormats() {
        let songs = [
            "Hunter", "Jóga", "Unravel", "Bachelorette", "All Néon Like", "5 Years", "Immature", "Alarm Call",
            "Plutó",
        ]
        for (index, format) in FixtureFormat.allCases.enumerated() {
            let number = index + 1
            let path = String(
                format: "Björk/Homogénique (1997)/%02d - %@.%@", number, songs[index], format.fileExtension)
            let metadata = [
                "title": songs[index], "artist": "Björk", "album": "Homogénique", "track": "\(number)", "date": "1997",
            ]
            add(
                path, format, .ffmpeg(metadata), title: songs[index], artist: "Björk", album: "Homogénique",
                albumArtist: "Björk")
            formatTracks[format] = path
        }
    }

    private mutating func addFolderCoverAlbum() {
        for (number, title) in ["Svefn-g-englar", "Starálfur"].enumerated() {
            let path = "Sigur Rós/Ágætis byrjun/0\(number + 1) - \(title).flac"
            let fields: TagFields = [
                "TITLE": [title], "ARTIST": ["Sigur Rós"], "ALBUM": ["Ágætis byrjun"],
                "TRACKNUMBER": ["\(number + 1)/2"], "DATE": ["1999"],
            ]
            add(
                path, .flac, .taglib(fields, cover: false), title: title, artist: "Sigur Rós", album: "Ágætis byrjun",
                albumArtist: "Sigur Rós")
            folderCoverTracks.append(path)
        }
    }

    private mutating func addEmbeddedCover() {
        let fields: TagFields = [
            "TITLE": ["羽の林で"], "ARTIST": ["坂本龍一"], "ALBUM": ["音楽図鑑"], "TRACKNUMBER": ["1"], "DATE": ["1984"],
        ]
        add(
            embeddedCoverTrack, .mp3, .taglib(fields, cover: true), title: "羽の林で", artist: "坂本龍一",
            album: "音楽図鑑", albumArtist: "坂本龍一")
        let coracao = "Caetano Veloso/Coração Vagabundo (1967)/01 - Coração Vagabundo.ogg"
        add(
            coracao, .ogg,
            .ffmpeg([
                "title": "Coração Vagabundo", "artist": "Caetano Veloso",
                "album": "Coração Vagabundo",
            ]),
            title: "Coração Vagabundo", artist: "Caetano Veloso", album: "Coração Vagabundo",
            albumArtist: "Caetano Veloso")
    }

    private mutating func addCompilations() {
        let tagged = [("Ça Plane Pour Moi", "Plastic Bertrand"), ("Sunchyme", "Dario G"), ("Kids", "MGMT")]
        for (index, (title, artist)) in tagged.enumerated() {
            let path = "Compilations/Summer Hits/0\(index + 1) - \(title).mp3"
            let fields: TagFields = [
                "TITLE": [title], "ARTIST": [artist], "ALBUM": [taggedCompilation.title],
                "ALBUMARTIST": ["Various Artists"], "COMPILATION": ["1"], "TRACKNUMBER": ["\(index + 1)"],
            ]
            add(
                path, .mp3, .taglib(fields, cover: false), title: title, artist: artist,
                album: taggedCompilation.title, albumArtist: "Various Artists")
        }
        let untagged = [("Highway", "Ana Moura"), ("Open Road", "Ólafur Arnalds"), ("Drive", "Étienne Daho")]
        for (index, (title, artist)) in untagged.enumerated() {
            let path = "Mixtape/Road Trip/0\(index + 1) - \(title).flac"
            let fields: TagFields = [
                "TITLE": [title], "ARTIST": [artist], "ALBUM": [untaggedCompilation.title],
                "TRACKNUMBER": ["\(index + 1)"],
            ]
            add(
                path, .flac, .taglib(fields, cover: false), title: title, artist: artist,
                album: untaggedCompilation.title, albumArtist: "Various Artists")
        }
    }

    private mutating func addMultiDisc() {
        for disc in 1...2 {
            for number in 1...2 {
                let title = "Disc \(disc) Song \(number)"
                let path = "Múm/Finally We Are No One/CD \(disc)/0\(number) - \(title).flac"
                let fields: TagFields = [
                    "TITLE": [title], "ARTIST": ["Múm"], "ALBUM": [multiDisc.title], "TRACKNUMBER": ["\(number)/2"],
                    "DISCNUMBER": ["\(disc)/2"], "DATE": ["2002"],
                ]
                add(
                    path, .flac, .taglib(fields, cover: false), title: title, artist: "Múm", album: multiDisc.title,
                    albumArtist: "Múm")
                multiDiscTracks.append(path)
            }
        }
    }

    private mutating func addEveryField() {
        let tags = everyFieldTags
        add(
            everyFieldTrack, .flac, .taglib(tags.fields, cover: false), title: tags.title,
            artist: tags.artists.joined(separator: " / "), album: tags.album, albumArtist: tags.albumArtist)
    }
}
