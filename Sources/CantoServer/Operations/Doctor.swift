import CantoMedia
import CantoSecurity
import CantoStore
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One finding of `canto doctor`.
public struct DoctorCheck: Sendable, Equatable {
    /// How a check came out.
    public enum Status: String, Sendable, Comparable {
        /// Nothing to do.
        case ok
        /// Canto runs, but something should be looked at.
        case warn
        /// Canto will not run, or will lose data, until it is fixed.
        case fail

        private var rank: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }
        /// Ordered by gravity: ok, then warn, then fail.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    /// What was checked ("data folder", "database" …).
    public var name: String
    /// The outcome.
    public var status: Status
    /// What was found.
    public var detail: String
    /// What to do about it, for a warning or a failure.
    public var fix: String?

    /// A finding.
    public init(_ name: String, _ status: Status, _ detail: String, fix: String? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.fix = fix
    }
}

/// The checks of `canto doctor`: folders, database, key, disk space, backups, media libraries
/// and the clock, each with what to fix. It reads and never changes anything, but for a probe
/// file it creates and removes to learn whether a folder is writable.
public enum Doctor {
    /// Free space under which a folder is warned about: 1 GB, or 5 % of its file system.
    static let lowSpaceBytes: Int64 = 1_000_000_000
    static let lowSpaceShare = 0.05

    /// Runs every check over `configuration` (loaded without its file checks, which these make).
    public static func checks(_ configuration: CantoConfiguration, now: Date = Date()) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let data = configuration.dataDirectory
        checks.append(contentsOf: folderChecks(configuration))
        checks.append(contentsOf: databaseChecks(data))
        checks.append(keyCheck(data))
        if let check = spaceCheck(name: "data", folder: data) { checks.append(check) }
        let cache = configuration.cacheDirectory
        if let device = device(of: cache), device != self.device(of: data),
            let check = spaceCheck(name: "cache", folder: cache)
        {
            // A cache on its own file system ([cache] folder elsewhere) fills apart from the database.
            checks.append(check)
        }
        checks.append(backupCheck(configuration.backup, now: now))
        checks.append(DoctorCheck("ffmpeg", .ok, FFmpegProbe.version))
        checks.append(DoctorCheck("taglib", .ok, TagReader.version))
        checks.append(
            DoctorCheck(
                "sqlite", .ok,
                SQLiteProcess.version + (SQLiteProcess.heapUncounted ? ", heap not counted" : ", heap counted")))
        checks.append(clockCheck(now: now, data: data))
        return checks
    }

    static func folderChecks(_ configuration: CantoConfiguration) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let data = configuration.dataDirectory
        checks.append(
            writableFolder(
                "data folder", data, createdWhenMissing: true,
                fix: "create it and give it to the user Canto runs as (chown canto: \(data.path)), or set [data] dir"))
        let cache = configuration.cacheDirectory
        if FileManager.default.fileExists(atPath: cache.path) {
            checks.append(
                writableFolder(
                    "cache folder", cache, createdWhenMissing: true,
                    fix: "give \(cache.path) to the user Canto runs as"))
        }
        for folder in configuration.musicFolders {
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) || !isFolder.boolValue {
                checks.append(
                    DoctorCheck(
                        "music folder", .fail, "\(folder) does not exist or is not a folder",
                        fix: "create or mount it, or correct [library] music_folders"))
            } else if access(folder, R_OK | X_OK) != 0 || opendir(folder).map({ closedir($0) }) == nil {
                checks.append(
                    DoctorCheck(
                        "music folder", .fail, "\(folder) cannot be read",
                        fix: "let the user Canto runs as read it (chmod o+rx, or a group)"))
            } else {
                checks.append(DoctorCheck("music folder", .ok, "\(folder) is readable"))
            }
        }
        let web = configuration.webDirectory.appendingPathComponent("index.html")
        checks.append(
            FileManager.default.isReadableFile(atPath: web.path)
                ? DoctorCheck("web folder", .ok, configuration.webDirectory.path)
                : DoctorCheck(
                    "web folder", .warn, "\(web.path) is missing: the web UI will not be served",
                    fix: "set [server] web_dir to the web/ folder of the release"))
        if let tls = configuration.tls {
            for path in [tls.certificate, tls.key] where !FileManager.default.isReadableFile(atPath: path) {
                checks.append(
                    DoctorCheck(
                        "tls", .fail, "\(path) cannot be read", fix: "correct [server] tls_certificate and tls_key"))
            }
        }
        return checks
    }

    /// A folder Canto writes to: it must be a folder (or creatable) and a file must be creatable in it.
    static func writableFolder(_ name: String, _ folder: URL, createdWhenMissing: Bool, fix: String) -> DoctorCheck {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            let parent = folder.deletingLastPathComponent().path
            return access(parent, W_OK | X_OK) == 0
                ? DoctorCheck(name, .warn, "\(folder.path) does not exist yet; Canto creates it at start")
                : DoctorCheck(name, .fail, "\(folder.path) does not exist and \(parent) is not writable", fix: fix)
        }
        guard isFolder.boolValue else { return DoctorCheck(name, .fail, "\(folder.path) is not a folder", fix: fix) }
        // access(2) says yes to root everywhere: a real file tells the truth (read-only mounts too).
        let probe = folder.appendingPathComponent(".canto-doctor-\(UUID().uuidString)").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            return DoctorCheck(name, .fail, "\(folder.path) is not writable (\(reason))", fix: fix)
        }
        close(descriptor)
        unlink(probe)
        return DoctorCheck(name, .ok, "\(folder.path) is writable")
    }

    static func databaseChecks(_ data: URL) -> [DoctorCheck] {
        let path = data.appendingPathComponent(DatabaseCopy.fileName)
        guard FileManager.default.fileExists(atPath: path.path) else {
            return [DoctorCheck("database", .warn, "\(path.path) does not exist yet; Canto creates it at start")]
        }
        do {
            let status = try DatabaseCopy.status(of: path, quick: true)
            var checks: [DoctorCheck] = []
            checks.append(
                status.intact
                    ? DoctorCheck("database", .ok, "\(path.path) passes SQLite's quick check")
                    : DoctorCheck(
                        "database", .fail,
                        "\(path.path) is damaged: \(status.problems.prefix(3).joined(separator: "; "))",
                        fix: "stop Canto and restore the newest backup (canto restore FILE)"))
            if !status.unknown.isEmpty {
                checks.append(
                    DoctorCheck(
                        "schema", .fail,
                        "made by a newer Canto (migrations \(status.unknown.joined(separator: ", ")))",
                        fix: "run the Canto version that wrote it, or restore a backup made by this one"))
            } else if !status.pending.isEmpty {
                checks.append(
                    DoctorCheck(
                        "schema", .ok,
                        "\(status.applied.count) migrations; \(status.pending.count) more run at the next start"))
            } else {
                checks.append(DoctorCheck("schema", .ok, "up to date (\(status.applied.count) migrations)"))
            }
            return checks
        } catch {
            return [
                DoctorCheck(
                    "database", .fail, error.description,
                    fix: "check the file's owner and mode, or restore a backup (canto restore FILE)")
            ]
        }
    }

    static func keyCheck(_ data: URL) -> DoctorCheck {
        do {
            return try KeyEnvelope.keyFileExists(in: data)
                ? DoctorCheck("secret key", .ok, "present and private; back it up with canto backup --include-key")
                : DoctorCheck("secret key", .ok, "not made yet; Canto creates it at start")
        } catch {
            return DoctorCheck(
                "secret key", .fail, error.description,
                fix: "chmod 600 \(data.appendingPathComponent(SecretBox.keyFileName).path), owned by Canto's user")
        }
    }

    /// The file system a folder is on, nil when it does not exist.
    static func device(of folder: URL) -> UInt64? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder.path)
        return (attributes?[.systemNumber] as? NSNumber)?.uint64Value
    }

    static func spaceCheck(name: String, folder: URL) -> DoctorCheck? {
        var path = folder
        while !FileManager.default.fileExists(atPath: path.path), path.pathComponents.count > 1 {
            path = path.deletingLastPathComponent()
        }
        var stats = statvfs()
        guard statvfs(path.path, &stats) == 0 else { return nil }
        let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        let total = Int64(stats.f_blocks) * Int64(stats.f_frsize)
        let share = total > 0 ? Double(free) / Double(total) : 1
        let text = String(format: "%.1f GB free (%.0f %%) under %@", Double(free) / 1e9, share * 100, folder.path)
        if free < lowSpaceBytes || share < lowSpaceShare {
            return DoctorCheck(
                "\(name) disk space", .warn, text,
                fix: "free some space or lower [cache] transcode_mb; SQLite needs room to write and to back up")
        }
        return DoctorCheck("\(name) disk space", .ok, text)
    }

    static func backupCheck(_ settings: BackupSettings, now: Date) -> DoctorCheck {
        guard let newest = Backups.list(in: settings.folder).last else {
            return DoctorCheck(
                "backups", .warn, "none in \(settings.folder.path)",
                fix: "run canto backup --include-key (and keep [backup] every_hours on)")
        }
        let age = now.timeIntervalSince(newest.date)
        let hours = Int(age / 3600)
        if let interval = settings.interval, age > 2 * Double(interval.components.seconds) {
            return DoctorCheck(
                "backups", .warn, "the newest, \(newest.url.lastPathComponent), is \(hours) hours old",
                fix: "look for \"backup failed\" in the server's log")
        }
        return DoctorCheck("backups", .ok, "newest \(newest.url.lastPathComponent) (\(hours) hours old)")
    }

    static func clockCheck(now: Date, data: URL) -> DoctorCheck {
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        guard (2024...2200).contains(year) else {
            return DoctorCheck(
                "clock", .fail, "the system clock says the year is \(year)",
                fix: "set the clock (timedatectl set-ntp true): sessions, shares and statistics depend on it")
        }
        let database = data.appendingPathComponent(DatabaseCopy.fileName).path
        if let modified = try? FileManager.default.attributesOfItem(atPath: database)[.modificationDate] as? Date,
            modified.timeIntervalSince(now) > 86_400
        {
            return DoctorCheck(
                "clock", .warn, "the database was written after now (\(modified)): the clock went back",
                fix: "set the clock (timedatectl set-ntp true)")
        }
        return DoctorCheck("clock", .ok, "\(now)")
    }
}
