import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// A Server-Sent Events stream read as a browser's EventSource would, for tests and benchmarks: the events as
/// they arrive, and a wait for one that matches.
public actor EventStreamReader {
    public struct Event: Sendable {
        public var name: String
        public var data: String
        public var json: Any? { try? JSONSerialization.jsonObject(with: Data(data.utf8)) }
        public var object: [String: Any] { json as? [String: Any] ?? [:] }
        public var list: [[String: Any]] { json as? [[String: Any]] ?? [] }
    }

    public private(set) var events: [Event] = []
    public private(set) var ended = false
    private var task: Task<Void, Never>?

    /// Opens `url` with `headers`; events collect until `close()`.
    public static func open(_ url: String, headers: [String: String]) async -> EventStreamReader {
        let reader = EventStreamReader()
        await reader.start(url, headers: headers)
        return reader
    }

    private func start(_ url: String, headers: [String: String]) {
        task = Task { [weak self] in
            var request = HTTPClientRequest(url: url)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.headers.add(name: "Accept", value: "text/event-stream")
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
                var pending = ""
                for try await chunk in response.body {
                    pending += String(buffer: chunk)
                    while let end = pending.range(of: "\n\n") {
                        let block = String(pending[..<end.lowerBound])
                        pending = String(pending[end.upperBound...])
                        var name = "message"
                        var data: [String] = []
                        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                            if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
                        }
                        if !data.isEmpty { await self?.append(Event(name: name, data: data.joined(separator: "\n"))) }
                    }
                }
            } catch {}
            await self?.finish()
        }
    }

    private func append(_ event: Event) { events.append(event) }
    private func finish() { ended = true }

    /// Closes the connection (as a tab closing would).
    public func close() {
        task?.cancel()
    }

    /// The first event named `name` that `matches` (or, with `count`, the `count`th such event), among those
    /// after the first `after`, waiting up to 60 s for it.
    public func next(
        _ name: String, after skipped: Int = 0, count: Int = 1, where matches: @Sendable (Event) -> Bool = { _ in true }
    ) async -> Event? {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let found = events.dropFirst(skipped).filter { $0.name == name && matches($0) }
            if found.count >= max(count, 1) { return found[max(count, 1) - 1] }
            if ended { return nil }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }
}
