import CantoTestSupport
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `canto` executable, run as a child process: what a user runs.
final class CantoProcess: Sendable {
    static let executable: URL = {
        // Tests/CantoServerTests/CantoProcess.swift → the package root → .build/debug/canto
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/canto")
    }()
    static var webDirectory: URL {
        executable.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("web")
    }

    let process: ChildProcess

    /// Starts `canto` with `arguments`; standard error and output are collected.
    /// `launcher` runs canto through another program (`setpriv` to drop root, `script` for a terminal).
    init(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = [], input: String? = nil)
        throws
    {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CANTO_") }
        env.merge(environment) { _, new in new }
        let program = launcher.first ?? Self.executable.path
        let all = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [Self.executable.path] + arguments
        process = try ChildProcess(program, all, environment: env, input: Data((input ?? "").utf8))
    }

    var text: String { process.text }

    /// Runs to the end and returns the exit code and everything printed.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], launcher: [String] = [], input: String? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> (status: Int32, output: String) {
        let child = try CantoProcess(arguments, environment: environment, launcher: launcher, input: input)
        try await child.waitForExit(timeout: timeout)
        return (child.process.terminationStatus, child.text)
    }

    /// Waits until the output matches `pattern`; returns the first capture.
    func waitFor(_ pattern: Regex<(Substring, Substring)>, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = text.firstMatch(of: pattern) { return String(match.1) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessError.timeout(output: text)
    }

    func waitForExit(timeout: Duration = .seconds(30)) async throws {
        guard await process.waitForExit(timeout: timeout) else {
            process.terminate()
            throw ProcessError.timeout(output: text)
        }
    }

    func signal(_ number: Int32) { process.signal(number) }

    deinit { process.terminate() }
}

enum ProcessError: Error, CustomStringConvertible {
    case timeout(output: String)
    var description: String {
        switch self {
        case .timeout(let output): "timed out; output so far:\n\(output)"
        }
    }
}

/// A small HTTP client for loopback requests. It keeps no cookies: tests send them explicitly.
enum HTTP {
    struct Result: Sendable {
        var status: Int
        var headers: [String: String]
        var data: Data
        var body: String { String(decoding: data, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
        /// The items of a list answer (every list is a page: `items`, `offset`, `limit`, `more`).
        var jsonArray: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpCookieStorage = nil
        return URLSession(configuration: configuration)
    }()

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Result {
        try await request("GET", url, headers: headers)
    }

    static func request(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil)
        async throws -> Result
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)".lowercased()] = "\(value)" }
        return Result(status: http.statusCode, headers: fields, data: data)
    }

    static func json(_ method: String, _ url: String, _ object: Any, headers: [String: String] = [:]) async throws
        -> Result
    {
        // Foundation refuses a GET with a body: reads carry none.
        guard !["GET", "HEAD"].contains(method) else { return try await request(method, url, headers: headers) }
        var headers = headers
        headers["Content-Type"] = "application/json"
        return try await request(
            method, url, headers: headers, body: try JSONSerialization.data(withJSONObject: object))
    }
}
