import CantoCore
import CantoDomain
import Foundation

/// getIndexes and getMusicDirectory: the libraries' real directory trees.
struct SubsonicDirectories: Sendable {

    func register(in api: inout SubsonicAPI) {
        api.on("getIndexes") { call in try await indexes(call) }
        api.on("getMusicDirectory") { call in try await directory(call) }
    }

    private func indexes(_ call: SubsonicCall) async throws -> SubsonicPayload {
        var folders: [Folder] = []
        var files: [SubsonicElement] = []
        var lastModified = Date(timeIntervalSince1970: 0)
        let catalog = try await call.listing()
        for library in try await catalog.libraries() {
            let root = CatalogIDs.folder(library: library.id, relativePath: "")
            folders += try await catalog.subfolders(of: root)
            let tracks = try await catalog.tracks(inFolder: root)
            files += try await SubsonicModel.songs(tracks, for: call)
            lastModified = tracks.map(\.updatedAt).reduce(lastModified, max)
        }
        if let since = try call.parameters.int("ifModifiedSince"),
            Double(since) / 1000 >= lastModified.timeIntervalSince1970, lastModified.timeIntervalSince1970 > 0
        {
            return .element(
                "indexes", SubsonicElement([("lastModified", .int(since)), ("ignoredArticles", .string(""))]))
        }
        let grouped = Dictionary(grouping: folders) { SortKey.indexLetter(SortKey.sortName($0.name)) }
        let indexes = grouped.keys.sorted().map { letter in
            SubsonicElement([("name", .string(letter))]).with(
                "artist",
                list: grouped[letter, default: []].sorted { SortKey.sortName($0.name) < SortKey.sortName($1.name) }.map
                {
                    SubsonicElement([("id", .string($0.id.rawValue)), ("name", .string($0.name))])
                })
        }
        return .element(
            "indexes",
            SubsonicElement([
                ("ignoredArticles", .string(SubsonicBrowsing.ignoredArticles)),
                ("lastModified", .int(Int(lastModified.timeIntervalSince1970 * 1000))),
            ]).with("index", list: indexes).with("child", list: files))
    }

    private func directory(_ call: SubsonicCall) async throws -> SubsonicPayload {
        let id = FolderID(try call.parameters.required("id"))
        let catalog = call.catalog
        guard let folder = try await catalog.folder(id) else { throw SubsonicError.notFound("Directory") }
        var children: [SubsonicElement] = []
        for sub in try await catalog.subfolders(of: id) {
            children.append(
                SubsonicElement([
                    ("id", .string(sub.id.rawValue)), ("parent", .string(id.rawValue)), ("isDir", .bool(true)),
                    ("title", .string(sub.name)), ("artist", .string(folder.name)),
                ]))
        }
        children += try await SubsonicModel.songs(try await catalog.tracks(inFolder: id), for: call)
        return .element(
            "directory",
            SubsonicElement([
                ("id", .string(id.rawValue)), ("parent", folder.parentID.map { .string($0.rawValue) }),
                ("name", .string(folder.name)),
            ]).with("child", list: children))
    }
}
