import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import Foundation
import Hummingbird

/// Admin-only: the music folders, scans (with live progress), and the plugins: their states,
/// enabling, disabling and configuring them at run time.
struct OperationsController {
    let libraries: LibraryManager
    let scans: ScanCoordinator
    let plugins: PluginRegistry
    /// What the admin page changed, kept in the database.
    let overrides: PluginOverrides
    /// The configuration file's and environment's plugin sections (they win where they set a key).
    let fileSections: [String: PluginConfiguration]
    let jobs: PluginJobScheduler
    /// The sonic analyser, for its progress.
    let sonic: SonicAnalysis

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("libraries", use: self.libraries)
        group.post("libraries", use: addLibrary)
        group.delete("libraries/:id", use: removeLibrary)
        group.get("scan", use: scanStatus)
        group.post("scan", use: startScan)
        group.get("scan/events", use: scanEvents)
        group.get("plugins", use: pluginList)
        group.put("plugins/:id", use: changePlugin)
        group.get("analysis", use: analysisStatus)
    }

    /// How far the sonic analysis is: tracks measured, failed (the latest with their reasons),
    /// pending; whether it runs or waits for streaming to end; its pace.
    @Sendable func analysisStatus(_ request: Request, context: CantoRequestContext) async throws
        -> SonicAnalysis.Status
    {
        try await sonic.status()
    }

    struct PluginChange: Decodable {
        var enabled: Bool?
        /// New values by key; null or "" goes back to the default.
        var values: [String: String?]?
    }

    /// Enables, disables or configures a plugin now, and keeps the change.
    @Sendable func changePlugin(_ request: Request, context: CantoRequestContext) async throws -> PluginStatus {
        let id = try context.parameters.require("id")
        guard let descriptor = await plugins.status().first(where: { $0.descriptor.id == id })?.descriptor else {
            throw APIError.notFound
        }
        let change = try await request.decode(as: PluginChange.self, context: context)
        let locked = plugins.lockedKeys(of: id)
        var entries = try await overrides.load()
        var entry = entries[id] ?? PluginOverrides.Entry()
        if let enabled = change.enabled {
            guard !locked.contains("enabled") else {
                throw APIError(.conflict, "locked", "enabled is set in the configuration file; change it there.")
            }
            entry.enabled = enabled
        }
        for (key, value) in change.values ?? [:] {
            guard descriptor.configurationKeys.contains(key) else {
                throw APIError.badRequest("\(descriptor.name) has no setting \(key).")
            }
            guard !locked.contains(key) else {
                throw APIError(.conflict, "locked", "\(key) is set in the configuration file; change it there.")
            }
            entry = try overrides.setting(
                key, to: value.flatMap { $0.isEmpty ? nil : $0 }, secret: descriptor.secretKeys.contains(key), in: entry
            )
        }
        let status: PluginStatus
        do {
            status = try await plugins.replace(
                id, with: overrides.merged(fileSections[id], entry, pluginID: id))
        } catch let error as PluginConfigurationError {
            throw APIError.badRequest(error.key.isEmpty ? error.message : "\(error.key) \(error.message).")
        }
        entries[id] = entry
        try await overrides.save(entries)
        await jobs.reschedule(id, plugins.instances[id] as? any ScheduledPlugin)
        return status
    }

    struct LibraryInfo: ResponseEncodable {
        var id: String
        var name: String
        var path: String
        /// Set in the configuration file (removable only there).
        var configured: Bool
    }

    struct NewLibrary: Decodable {
        var path: String
        var name: String?
    }

    @Sendable func libraries(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<LibraryInfo> {
        var infos: [LibraryInfo] = []
        for library in await libraries.all {
            infos.append(
                LibraryInfo(
                    id: library.id.rawValue, name: library.name, path: library.path,
                    configured: await libraries.isConfigured(library.id)))
        }
        return Wire.Page(all: infos)
    }

    /// Adds a music folder (an absolute path on the server) and starts a scan.
    @Sendable func addLibrary(_ request: Request, context: CantoRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewLibrary.self, context: context)
        let library = try await libraries.add(
            path: body.path, name: body.name, by: try context.requireUser(), address: context.clientAddress)
        var response = try context.responseEncoder.encode(
            LibraryInfo(id: library.id.rawValue, name: library.name, path: library.path, configured: false),
            from: request, context: context)
        response.status = .created
        return response
    }

    /// Removes a folder added here; the scan it starts removes its tracks from the catalog.
    @Sendable func removeLibrary(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let id = LibraryID(try context.parameters.require("id"))
        try await libraries.remove(id, by: try context.requireUser(), address: context.clientAddress)
        return .noContent
    }

    struct ScanState: ResponseEncodable, Encodable {
        var running: Bool
        var filesSeen: Int
        var expectedFiles: Int
        var startedAt: Date?
        var completedScans: Int
        var summary: ScanSummary
        /// Why the last scan stopped before its end (a full disk, say); absent once one completes.
        var lastError: String?
    }

    static func scanState(_ scans: ScanCoordinator) async -> ScanState {
        let progress = await scans.progress
        return ScanState(
            running: progress.running, filesSeen: progress.filesSeen, expectedFiles: progress.expectedFiles,
            startedAt: progress.startedAt, completedScans: await scans.completedScans, summary: progress.summary,
            lastError: await scans.lastFailure)
    }

    @Sendable func scanStatus(_ request: Request, context: CantoRequestContext) async throws -> ScanState {
        await Self.scanState(scans)
    }

    /// Server-Sent Events: `progress` on connect and every 250 ms while a scan runs, `done` when
    /// one finishes. The stream ends after an hour (EventSource reconnects by itself).
    @Sendable func scanEvents(_ request: Request, context: CantoRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let scans = scans
        let body = ResponseBody { writer in
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            func send(_ event: String, _ state: ScanState) async throws {
                let data = try encoder.encode(state)
                try await writer.write(
                    ByteBuffer(string: "event: \(event)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
            }
            var last = await Self.scanState(scans)
            try await send("progress", last)
            let end = ContinuousClock.now + .seconds(3600)
            var quiet = 0
            while ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(250))
                let state = await Self.scanState(scans)
                if state.completedScans != last.completedScans {
                    try await send("done", state)
                } else if state.running || last.running || state.filesSeen != last.filesSeen {
                    try await send("progress", state)
                } else {
                    quiet += 1
                    // A comment line now and then: proxies keep the connection, a gone client is noticed.
                    if quiet % 60 == 0 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                }
                last = state
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func startScan(_ request: Request, context: CantoRequestContext) async throws -> Response {
        await scans.requestScan()
        return Response(status: .accepted)
    }

    @Sendable func pluginList(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<PluginStatus>
    {
        Wire.Page(all: await plugins.status())
    }
}
