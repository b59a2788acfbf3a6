import ArgumentParser
import CantoServer
import Foundation

/// Where `canto backup` and `canto restore` read the passphrase that seals the server's key.
struct PassphraseOptions: ParsableArguments {
    @Option(help: "A file holding the passphrase for the server's key (else $CANTO_BACKUP_PASSPHRASE).")
    var passphraseFile: String?

    /// The passphrase from the file, else from the environment; nil when neither gives one.
    func passphrase() throws -> String? {
        if let passphraseFile {
            do {
                return try Backups.passphrase(inFile: URL(fileURLWithPath: passphraseFile))
            } catch {
                throw ValidationError("cannot read a passphrase from \(passphraseFile): \(error)")
            }
        }
        if let text = ProcessInfo.processInfo.environment["CANTO_BACKUP_PASSPHRASE"], !text.isEmpty { return text }
        return nil
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database (safe while the server runs) into the backups folder.",
        discussion: """
            The copy is named by the time it was taken (canto-20261205T200457.123Z.db) and printed. \
            With --include-key it also carries the server's key (secret.key), sealed with a passphrase; \
            without the key, sealed secrets (Subsonic app passwords, plugin tokens, webhook secrets) \
            cannot be opened after a restore into a new data folder.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var passphraseOptions: PassphraseOptions

    @Option(help: "The folder for the copy (default: [backup] folder, else <data dir>/backups).")
    var out: String?

    @Flag(help: "Include the server's key, sealed with the passphrase.")
    var includeKey = false

    func run() async throws {
        let configuration = try common.load()
        let folder = out.map { URL(fileURLWithPath: $0) } ?? configuration.backup.folder
        var passphrase: String?
        if includeKey {
            guard let given = try passphraseOptions.passphrase() else {
                throw ValidationError(
                    "--include-key needs a passphrase: --passphrase-file FILE or CANTO_BACKUP_PASSPHRASE")
            }
            passphrase = given
        }
        let file: BackupFile
        do {
            file = try Backups.write(
                dataDirectory: configuration.dataDirectory, folder: folder, passphrase: passphrase,
                busyTimeout: configuration.busyTimeout)
        } catch {
            FileHandle.standardError.write(Data("canto: backup failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if passphrase == nil {
            FileHandle.standardError.write(
                Data(
                    """
                    canto: the server's key (secret.key) is not in this backup. Without it, sealed secrets \
                    (Subsonic app passwords, plugin tokens, webhook secrets) are lost when the data folder is; \
                    use --include-key with a passphrase, or keep a copy of the key apart.

                    """.utf8))
        }
        print(file.url.path)
    }
}
