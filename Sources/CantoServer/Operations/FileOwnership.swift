import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files a command run as root (`sudo canto backup`, `sudo canto restore`) makes in a data
/// folder: left as root's, the server, running as its own user, could not write them.
enum FileOwnership {
    /// Gives `files` to `folder`'s owner and group when this process runs as root; otherwise
    /// (or for a file that is not there) does nothing.
    static func handOver(_ files: [URL], like folder: URL) {
        guard geteuid() == 0, let owner = try? FileManager.default.attributesOfItem(atPath: folder.path) else { return }
        guard let user = owner[.ownerAccountID] as? NSNumber, let group = owner[.groupOwnerAccountID] as? NSNumber
        else { return }
        for file in files where FileManager.default.fileExists(atPath: file.path) {
            _ = chown(file.path, uid_t(user.uint32Value), gid_t(group.uint32Value))
        }
    }
}
