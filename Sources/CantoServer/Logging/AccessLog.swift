import Foundation
import Logging
import ServiceLifecycle

/// One request as the access log writes it; made on the request path, formatted by the writer.
struct AccessLogEntry: Sendable {
    var host: String
    var user: String?
    var date: Date
    var method: String
    /// The path and query, with secrets masked (`RequestLogMiddleware.redacted`).
    var target: String
    var status: Int
    var bytes: Int?
    var referer: String?
    var userAgent: String?

    /// The Combined Log Format line:
    /// `host - user [date] "METHOD path HTTP/1.1" status bytes "referer" "user-agent"`.
    func line(dateFormatter: DateFormatter) -> String {
        let user = user.map(Self.token) ?? "-"
        let request = "\(method) \(target) HTTP/1.1"
        return "\(Self.token(host)) - \(user) [\(dateFormatter.string(from: date))] \"\(Self.quoted(request))\" "
            + "\(status) \(bytes.map(String.init) ?? "-") \"\(Self.quoted(referer ?? "-"))\" "
            + "\"\(Self.quoted(userAgent ?? "-"))\""
    }

    /// The date format of the Combined Log Format, in UTC: `10/Oct/2000:13:55:36 +0000`.
    static func dateFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter
    }

    /// A referer with its query's secrets masked like the request's own.
    static func referer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: "?", maxSplits: 1)
        guard parts.count == 2 else { return header }
        return RequestLogMiddleware.redacted(path: String(parts[0]), query: String(parts[1]))
    }

    /// A field without spaces (a space would shift the columns log tools read).
    private static func token(_ text: String) -> String {
        text.isEmpty ? "-" : String(text.map { $0 == " " || $0.isNewline ? "_" : $0 })
    }

    /// Text inside double quotes: quotes, backslashes and control characters escaped.
    private static func quoted(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\x" + String(scalar.value, radix: 16, uppercase: true)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// The access log: requests hand their entry over without waiting (a bounded buffer; under a
/// flood the oldest unwritten entries are dropped rather than the requests slowed), and one
/// task formats and writes them (`AccessLogService`).
final class AccessLog: Sendable {
    /// How many entries may wait for the writer.
    static let bufferSize = 10_000
    private let entries: AsyncStream<AccessLogEntry>
    private let continuation: AsyncStream<AccessLogEntry>.Continuation
    private let handle: FileHandle

    /// Opens (creating, appending to) `path`, or standard output for "-"; throws when it cannot.
    init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardOutput
        } else {
            // O_APPEND: each line lands at the end even after logrotate's `copytruncate`.
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            self.handle = handle
        }
        (entries, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(Self.bufferSize))
    }

    /// Queues one request's line; never waits.
    func record(_ entry: AccessLogEntry) {
        continuation.yield(entry)
    }

    /// Writes entries until `finish()`, then what is left.
    func write(logger: Logger) async {
        let formatter = AccessLogEntry.dateFormatter()
        for await entry in entries {
            do {
                try handle.write(contentsOf: Data((entry.line(dateFormatter: formatter) + "\n").utf8))
            } catch {
                logger.error("access log write failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Ends the writing once the queued entries are written.
    func finish() {
        continuation.finish()
    }
}

/// Writes the access log beside the server; at shutdown it writes what is queued and stops.
struct AccessLogService: Service {
    let log: AccessLog
    let logger: Logger

    func run() async throws {
        await withGracefulShutdownHandler {
            await log.write(logger: logger)
        } onGracefulShutdown: {
            log.finish()
        }
    }
}
