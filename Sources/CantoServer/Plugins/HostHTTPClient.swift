import AsyncHTTPClient
import CantoCore
import CantoPluginKit
import Foundation
import Metrics
import NIOCore
import NIOHTTP1

/// The outbound HTTP a plugin gets (``PluginHTTPClient``): AsyncHTTPClient, only to the hosts
/// its descriptor declares (and the hosts of its URL-valued configuration keys), with the
/// request's timeout, 429 and 503 turned into `PluginRetryLater`, and per-plugin metrics.
struct HostHTTPClient: PluginHTTPClient {
    let pluginID: String
    /// Lowercased `host` or `host:port` entries.
    let allowedHosts: Set<String>
    var client: HTTPClient = .shared
    /// The largest answer read.
    static let maxBodyBytes = 8 << 20

    /// The longest a request may take, whatever the plugin asks.
    static let longestTimeout: Duration = .seconds(300)

    /// The hosts `descriptor` may reach under `configuration`.
    static func allowedHosts(_ descriptor: PluginDescriptor, _ configuration: PluginConfiguration?) -> Set<String> {
        var hosts = Set(descriptor.permissions.networkHosts.map { $0.lowercased() })
        for key in descriptor.permissions.networkHostKeys {
            guard let text = try? configuration?.string(key), let url = URL(string: text), let host = url.host else {
                continue
            }
            hosts.insert(url.port.map { "\(host.lowercased()):\($0)" } ?? host.lowercased())
        }
        return hosts
    }

    /// Whether `url` is an http(s) address on a host the plugin may reach.
    func allows(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host?.lowercased()
        else { return false }
        return allowedHosts.contains(host) || allowedHosts.contains(url.port.map { "\(host):\($0)" } ?? host)
    }

    func send(_ request: PluginHTTPRequest) async throws -> PluginHTTPResponse {
        guard let host = request.url.host?.lowercased(), allows(request.url) else {
            Counter(
                label: "canto_plugin_http_requests_total", dimensions: [("plugin", pluginID), ("outcome", "denied")]
            )
            .increment()
            throw PluginPermissionDenied(
                pluginID: pluginID, permission: "network access to \(request.url.host ?? request.url.absoluteString)")
        }
        var outbound = HTTPClientRequest(url: request.url.absoluteString)
        outbound.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outbound.headers.add(name: name, value: value) }
        if let body = request.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        let started = ContinuousClock.now
        // Held to (0, 5 min] before converting: a plugin's `.seconds(.max)` must not overflow.
        let (seconds, attoseconds) = min(max(request.timeout, .milliseconds(1)), Self.longestTimeout).components
        let timeout = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(outbound, timeout: timeout)
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            let status = Int(response.status.code)
            record(outcome: status < 400 ? "ok" : "status_\(status / 100)xx", since: started)
            if status == 429 || status == 503 {
                throw PluginRetryLater(seconds: Self.retryAfter(headers) ?? 30, reason: "HTTP \(status) from \(host)")
            }
            return PluginHTTPResponse(status: status, headers: headers, body: Data(body.readableBytesView))
        } catch let error as PluginRetryLater {
            throw error
        } catch {
            record(outcome: "error", since: started)
            throw error
        }
    }

    private func record(outcome: String, since started: ContinuousClock.Instant) {
        Counter(label: "canto_plugin_http_requests_total", dimensions: [("plugin", pluginID), ("outcome", outcome)])
            .increment()
        Timer(label: "canto_plugin_http_duration_seconds", dimensions: [("plugin", pluginID)])
            .recordInterval(since: started)
    }

    /// Seconds to wait from `Retry-After` (seconds) or ListenBrainz's `X-RateLimit-Reset-In`.
    static func retryAfter(_ headers: [String: String]) -> Double? {
        for name in ["retry-after", "x-ratelimit-reset-in"] {
            if let text = headers[name], let seconds = Double(text.trimmingCharacters(in: .whitespaces)),
                seconds.isFinite, seconds >= 0
            {
                return min(seconds, 3600)
            }
        }
        return nil
    }
}

extension Timer {
    /// Records the time from `started` to now.
    fileprivate func recordInterval(since started: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension HostHTTPClient {
    /// The client for `descriptor`'s plugin under `configuration`: its declared hosts and those of
    /// its URL-valued keys.
    init(_ descriptor: PluginDescriptor, configuration: PluginConfiguration?) {
        self.init(pluginID: descriptor.id, allowedHosts: Self.allowedHosts(descriptor, configuration))
    }
}
