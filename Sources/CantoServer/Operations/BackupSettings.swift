public import Foundation

/// `[backup]` in the configuration: when the server copies its database, where, and how many
/// copies it keeps.
public struct BackupSettings: Sendable, Equatable {
    /// Time between scheduled copies; nil turns the schedule off.
    public var interval: Duration?
    /// Copies kept in `folder`; the oldest beyond this are removed after each new one.
    public var keep: Int
    /// Where the copies go (by default `<data dir>/backups`).
    public var folder: URL
    /// A file holding the passphrase that seals the server's key into each copy; nil leaves the
    /// key out.
    public var passphraseFile: URL?

    /// Settings as given; `canto backup` and the tests build their own.
    public init(interval: Duration?, keep: Int, folder: URL, passphraseFile: URL? = nil) {
        self.interval = interval
        self.keep = keep
        self.folder = folder
        self.passphraseFile = passphraseFile
    }
}
