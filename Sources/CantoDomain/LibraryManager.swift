public import CantoCore
import Foundation

/// The music folders: those of the configuration file, plus those an admin added in the web UI
/// (kept in the settings table). Changes reach the scanner at once; the next scan (requested
/// right away) reads a new folder or removes a dropped one's tracks.
public actor LibraryManager {
    struct Added: Codable, Sendable, Equatable {
        var path: String
        var name: String
    }

    static let settingKey = "libraries.added"
    private let configured: [Library]
    private var added: [Added]
    private let settings: any SettingsStore
    private let scans: ScanCoordinator
    private let audit: (any AuditStore)?

    public init(
        configured: [Library], settings: any SettingsStore, scans: ScanCoordinator, audit: (any AuditStore)? = nil
    ) async throws {
        self.audit = audit
        self.configured = configured
        self.settings = settings
        self.scans = scans
        added = try await Self.load(settings)
        await scans.setLibraries(all)
    }

    /// The folders added in the web UI, read from the settings.
    static func load(_ settings: any SettingsStore) async throws -> [Added] {
        guard let text = try await settings.setting(settingKey) else { return [] }
        return (try? JSONDecoder().decode([Added].self, from: Data(text.utf8))) ?? []
    }

    /// A music folder of the local library.
    public static func library(path: String, name: String?) -> Library {
        Library(
            id: CatalogIDs.library(path: path), name: name ?? (path as NSString).lastPathComponent, path: path)
    }

    public var all: [Library] { configured + added.map { Self.library(path: $0.path, name: $0.name) } }

    /// Whether the library comes from the configuration file (and can only be removed there).
    public func isConfigured(_ id: LibraryID) -> Bool { configured.contains { $0.id == id } }

    public enum Problem: Error, Equatable, DomainFailure {
        case notADirectory(String), duplicate(String), configured, unknown

        public var domainError: DomainError {
            switch self {
            case .notADirectory(let path):
                .invalid("path", "\(path) is not a folder on the server (give an absolute path).")
            case .duplicate(let path): .conflict("\(path) is already a library.")
            case .configured: .conflict("This folder is set in the configuration file; remove it there.")
            case .unknown: .notFound
            }
        }
    }

    /// Adds a music folder (an absolute path on the server) for `actor`, audited, and asks for a scan.
    public func add(path: String, name: String?, by actor: User, address: String?) async throws -> Library {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard path.hasPrefix("/"), FileManager.default.fileExists(atPath: standardized, isDirectory: &isDirectory),
            isDirectory.boolValue
        else { throw Problem.notADirectory(path) }
        let library = Self.library(path: standardized, name: name.flatMap { $0.isEmpty ? nil : $0 })
        guard !all.contains(where: { $0.id == library.id }) else { throw Problem.duplicate(standardized) }
        added.append(Added(path: library.path, name: library.name))
        try await persist(publishing: .libraryChanged(library: library.id, removed: false))
        try await audit?.record(.libraryAdded, actor: actor.id, subject: library.path, address: address, at: Date())
        return library
    }

    /// Removes a folder added at run time (the scan it asks for removes its tracks), audited.
    public func remove(_ id: LibraryID, by actor: User, address: String?) async throws {
        guard !isConfigured(id) else { throw Problem.configured }
        guard let index = added.firstIndex(where: { CatalogIDs.library(path: $0.path) == id }) else {
            throw Problem.unknown
        }
        added.remove(at: index)
        try await persist(publishing: .libraryChanged(library: id, removed: true))
        try await audit?.record(.libraryRemoved, actor: actor.id, subject: id.rawValue, address: address, at: Date())
    }

    /// Saves the added folders with the event that says so, in one transaction.
    private func persist(publishing event: DomainEvent) async throws {
        let data = try JSONEncoder().encode(added)
        try await settings.setSetting(
            Self.settingKey, to: String(decoding: data, as: UTF8.self), publishing: event, at: Date())
        await scans.setLibraries(all)
        await scans.requestScan()
    }
}
