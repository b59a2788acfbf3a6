import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Hummingbird

/// Admin-only: the music folders, scans (with live progress) and the plugins' states.
struct OperationsController {
    let libraries: LibraryManager
    let scans: ScanCoordinator
    let plugins: PluginRegistry

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("libraries", use: self.libraries)
        group.post("libraries", use: addLibrary)
        group.delete("libraries/:id", use: removeLibrary)
        group.get("scan", use: scanStatus)
        group.post("scan", use: startScan)
        group.get("scan/events", use: scanEvents)
        group.get("plugins", use: pluginList)
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
    }

    static func scanState(_ scans: ScanCoordinator) async -> ScanState {
        let progress = await scans.progress
        return ScanState(
            running: progress.running, filesSeen: progress.filesSeen, expectedFiles: progress.expectedFiles,
            startedAt: progress.startedAt, completedScans: await scans.completedScans, summary: progress.summary)
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
