import ArgumentParser
import CantoServer
import Foundation

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup in place of the data folder's database (the server must be stopped).",
        discussion: """
            The copy is checked first (SQLite's integrity check; made by this Canto or an older one). \
            The database it replaces is kept as canto.db.before-restore. The key is restored when the \
            backup carries it and the passphrase is given.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var passphraseOptions: PassphraseOptions

    @Argument(help: "The backup file.")
    var file: String

    func run() async throws {
        let configuration = try common.load()
        let passphrase = try passphraseOptions.passphrase()
        let result: RestoreResult
        do {
            result = try DatabaseRestore.restore(
                file: URL(fileURLWithPath: file), dataDirectory: configuration.dataDirectory, passphrase: passphrase)
        } catch let error as RestoreError {
            FileHandle.standardError.write(Data("canto: restore refused: \(error)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("canto: restore failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print("restored \(file) into \(configuration.dataDirectory.path)")
        if let previous = result.previous { print("the database it replaced is kept as \(previous.path)") }
        if result.keyRestored {
            print("the server's key was restored")
        } else if result.backupHadKey {
            print("the backup carries the server's key; give its passphrase (--passphrase-file) to restore it")
        } else {
            print(
                "the backup has no key: secrets sealed with another key (app passwords, plugin tokens) cannot be opened"
            )
        }
        if !result.pendingMigrations.isEmpty {
            print("\(result.pendingMigrations.count) migrations run at the next start")
        }
    }
}
