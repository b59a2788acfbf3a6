import CantoSecurity
import CantoStore
public import Foundation

/// One copy of the database in a backups folder.
public struct BackupFile: Sendable, Equatable {
    /// Where the copy is.
    public var url: URL
    /// When it was taken (from its name).
    public var date: Date
    /// Whether it carries the server's key, sealed with a passphrase; nil when not known (`list`
    /// does not open the copies).
    public var includesKey: Bool?
}

/// Copies of the database, made online (the server keeps serving and writing), named by the time
/// they were taken (`canto-20261205T200457.123Z.db`, so names sort as times), and the rule that
/// keeps the newest few.
public enum Backups {
    static let prefix = "canto-"
    static let suffix = ".db"
    /// The name of the item that carries the sealed key inside a copy.
    static let keyItem = "secret.key"

    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter
    }

    /// The file name of a copy taken at `date`.
    public static func fileName(for date: Date) -> String {
        prefix + formatter().string(from: date) + suffix
    }

    /// Copies the database of `dataDirectory` into `folder` (created with mode 0700 when
    /// missing; the copy gets mode 0600, as it holds password hashes; both belong to the data
    /// folder's owner when root runs this). With a passphrase, the
    /// server's key goes in too, sealed with it (`KeyEnvelope`). The copy appears under its final
    /// name only when complete.
    public static func write(
        dataDirectory: URL, folder: URL, passphrase: String?, busyTimeout: TimeInterval = 5, now: Date = Date()
    ) throws -> BackupFile {
        let created = !FileManager.default.fileExists(atPath: folder.path)
        if created {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let name = fileName(for: now)
        let destination = folder.appendingPathComponent(name)
        let building = folder.appendingPathComponent(".\(name).building")
        try? FileManager.default.removeItem(at: building)
        do {
            try DatabaseCopy.copy(
                from: dataDirectory.appendingPathComponent(DatabaseCopy.fileName), to: building,
                busyTimeout: busyTimeout)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: building.path)
            if let passphrase {
                let envelope = try KeyEnvelope.seal(
                    keyFile: dataDirectory.appendingPathComponent(SecretBox.keyFileName), passphrase: passphrase)
                try DatabaseCopy.attach(envelope, named: keyItem, to: building)
            }
            try FileManager.default.moveItem(at: building, to: destination)
            FileOwnership.handOver((created ? [folder] : []) + [destination], like: dataDirectory)
        } catch {
            try? FileManager.default.removeItem(at: building)
            throw error
        }
        return BackupFile(url: destination, date: now, includesKey: passphrase != nil)
    }

    /// The copies in `folder`, oldest first (only files named as `write` names them).
    public static func list(in folder: URL) -> [BackupFile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let formatter = formatter()
        return names.sorted().compactMap { name in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
            let stamp = String(name.dropFirst(prefix.count).dropLast(suffix.count))
            guard let date = formatter.date(from: stamp) else { return nil }
            return BackupFile(url: folder.appendingPathComponent(name), date: date, includesKey: nil)
        }
    }

    /// Removes the oldest copies in `folder` beyond the newest `keep`; returns what it removed.
    @discardableResult
    public static func prune(folder: URL, keep: Int) throws -> [URL] {
        let all = list(in: folder)
        let removed = all.dropLast(max(keep, 1)).map(\.url)
        for url in removed { try FileManager.default.removeItem(at: url) }
        return Array(removed)
    }

    /// The passphrase in `file`: its text without the trailing line break. Throws when the file
    /// cannot be read or holds nothing.
    public static func passphrase(inFile file: URL) throws -> String {
        let text = try String(contentsOf: file, encoding: .utf8)
        let passphrase =
            text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !passphrase.isEmpty else { throw KeyEnvelopeError.emptyPassphrase }
        return passphrase
    }
}
