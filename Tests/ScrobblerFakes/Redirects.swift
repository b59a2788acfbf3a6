public import Foundation

#if canImport(FoundationNetworking)
    public import FoundationNetworking
#endif

/// A browser's first step of an OAuth link, without the browser: GETs the service's authorization
/// page and reads where it sends the listener back, without following it.
public enum Redirects {
    /// The `Location` that `url` answers with (nil when it does not redirect).
    public static func location(of url: URL) async throws -> String? {
        final class Stop: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
            func urlSession(
                _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
            ) { completionHandler(nil) }
        }
        let session = URLSession(configuration: .ephemeral, delegate: Stop(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: url) { _, response, error in
                if let error { return continuation.resume(throwing: error) }
                continuation.resume(returning: (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Location"))
            }.resume()
        }
    }

    /// The query of the `Location` that `url` answers with (`code` and `state`, or `error`).
    public static func answer(of url: URL) async throws -> [String: String] {
        try await location(of: url).map(parameters(of:)) ?? [:]
    }

    /// The query parameters of an address.
    public static func parameters(of address: String) -> [String: String] {
        var values: [String: String] = [:]
        for item in URLComponents(string: address)?.queryItems ?? [] { values[item.name] = item.value ?? "" }
        return values
    }
}
