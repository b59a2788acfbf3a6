public import CantoCore
import CantoPluginKit
import CoreMetrics
public import Foundation
import Synchronization

/// A plugin call that outlived its deadline; the call is cancelled and left behind.
public struct PluginTimedOut: Error, Sendable, Equatable, CustomStringConvertible {
    public var pluginID: String
    public var seconds: Double
    public var description: String { "plugin \(pluginID) did not answer within \(seconds) s" }
}

/// A plugin that is not running (it failed to start, or is stopping): what it should get waits.
public struct PluginNotRunning: Error, Sendable, Equatable {
    public var pluginID: String
}

/// Calls into plugins: each with a deadline the caller never waits past, even when the plugin
/// ignores cancellation (its task is cancelled and abandoned, not awaited).
public enum PluginCalls {
    public static func run<Value: Sendable>(
        _ pluginID: String, deadline: Duration, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let started = ContinuousClock.now
        do {
            let value = try await call(pluginID, deadline: deadline, operation)
            counted(pluginID, outcome: "ok", since: started)
            return value
        } catch {
            counted(pluginID, outcome: error is PluginTimedOut ? "timeout" : "error", since: started)
            throw error
        }
    }

    /// `canto_plugin_calls_total{plugin,outcome}` and `canto_plugin_call_duration_seconds{plugin}`.
    private static func counted(_ pluginID: String, outcome: String, since started: ContinuousClock.Instant) {
        Counter(label: "canto_plugin_calls_total", dimensions: [("plugin", pluginID), ("outcome", outcome)])
            .increment()
        let elapsed = ContinuousClock.now - started
        Timer(label: "canto_plugin_call_duration_seconds", dimensions: [("plugin", pluginID)])
            .recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    private static func call<Value: Sendable>(
        _ pluginID: String, deadline: Duration, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let once = Once()
        return try await withCheckedThrowingContinuation { continuation in
            let work = Task {
                let result = await Result(catching: operation)
                if once.claim() { continuation.resume(with: result) }
            }
            Task {
                try? await Task.sleep(for: deadline)
                if once.claim() {
                    work.cancel()
                    let (seconds, attoseconds) = deadline.components
                    continuation.resume(
                        throwing: PluginTimedOut(
                            pluginID: pluginID, seconds: Double(seconds) + Double(attoseconds) / 1e18))
                }
            }
        }
    }
}

/// True for the first caller only.
private final class Once: Sendable {
    private let flag = Atomic<Bool>(false)
    func claim() -> Bool { !flag.exchange(true, ordering: .acquiringAndReleasing) }
}

extension Result where Failure == any Error {
    /// The result of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// How each plugin's calls have gone lately: consecutive failures and the last error, for the
/// admin page (a plugin that keeps failing shows as failing while its work waits with backoff).
public actor PluginHealth {
    public struct State: Sendable, Equatable {
        public var consecutiveFailures = 0
        public var lastError: String?
        public var lastFailureAt: Date?
        public var lastSuccessAt: Date?
    }

    private var states: [String: State] = [:]

    public init() {}

    public func succeeded(_ pluginID: String, at date: Date = Date()) {
        states[pluginID, default: State()].consecutiveFailures = 0
        states[pluginID, default: State()].lastSuccessAt = date
    }

    public func failed(_ pluginID: String, _ error: any Error, at date: Date = Date()) {
        var state = states[pluginID, default: State()]
        state.consecutiveFailures += 1
        state.lastError = Self.describe(error)
        state.lastFailureAt = date
        states[pluginID] = state
    }

    public func state(of pluginID: String) -> State { states[pluginID] ?? State() }

    /// A short text for the admin page: the error's own words for the host's and kit's errors,
    /// the type's name for anything else (a plugin's error may carry what the admin need not see).
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PluginTimedOut: error.description
        case let error as PluginNotRunning: "plugin \(error.pluginID) is not running"
        case let error as PluginRetryLater: "asked to wait \(Int(error.seconds)) s (\(error.reason))"
        case let error as LinkedAccountRejected: "account refused: \(error.reason)"
        case let error as PluginPermissionDenied: error.description
        case let error as any CustomStringConvertible & Error: String(error.description.prefix(300))
        default: String(reflecting: type(of: error))
        }
    }
}
