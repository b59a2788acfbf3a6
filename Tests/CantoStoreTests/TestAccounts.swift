import CantoCore
import CantoStore
import CantoTestSupport
import Foundation

/// A real database file in a temporary folder, with the account repositories over it and two
/// libraries in the catalog for users to be restricted to.
struct TestAccounts {
    let directory: TemporaryDirectory
    let database: CantoDatabase
    let catalog: CatalogRepository
    let accounts: AccountRepository
    let history: HistoryRepository
    let state: LibraryStateRepository
    let libraries = [
        Library(id: LibraryID("lib1"), name: "Music", path: "/music"),
        Library(id: LibraryID("lib2"), name: "Audiobooks", path: "/books"),
    ]

    init() async throws {
        directory = try TemporaryDirectory(prefix: "canto-accounts")
        database = try CantoDatabase(dataDirectory: directory.url)
        catalog = CatalogRepository(database: database)
        accounts = AccountRepository(database: database)
        history = HistoryRepository(database: database)
        state = LibraryStateRepository(database: database)
        try await catalog.syncLibraries(libraries, source: "local")
    }

    /// A whole-millisecond date `seconds` after a fixed instant: what SQLite stores exactly.
    static func date(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: (1_700_000_000_000 + (seconds * 1000).rounded()) / 1000)
    }

    /// Creates a user whose secrets are derived from the name, so tests can tell them apart.
    @discardableResult
    func addUser(_ username: String, role: Role = .user, libraryIDs: [LibraryID]? = nil) async throws -> User {
        let user = User(
            id: UserID("u-\(username)"), username: username, displayName: "\(username) display",
            email: "\(username)@example.org", role: role, maxBitrate: 192, libraryIDs: libraryIDs,
            canDownload: true, canShare: false, createdAt: Self.date(1), lastSeenAt: nil)
        try await accounts.createUser(
            user, passwordHash: Self.passwordHash(username), sealedAppPassword: Self.sealed(username))
        return user
    }

    static func passwordHash(_ username: String) -> String { "$2b$12$hash-of-\(username)" }
    static func sealed(_ username: String) -> Data { Data("sealed-\(username)".utf8) + Data([0, 255, 7]) }
}
