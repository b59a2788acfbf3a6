import Foundation

import Glibc

/// A plain TCP connection to the test server, for what an HTTP client library will not do:
/// stay idle, send half a request, send headers too large, read a body slowly.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32
    private var isClosed = false

    /// Connects to `127.0.0.1:port`; `receiveBuffer` shrinks the kernel's buffer (a slow reader).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawConnectionError.socket(errno) }
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            _ = Glibc.close(descriptor)
            throw RawConnectionError.connect(error)
        }
    }

    /// The port of a server's base address (`http://127.0.0.1:PORT`).
    static func port(of base: String) throws -> Int {
        guard let port = URL(string: base)?.port else { throw RawConnectionError.address(base) }
        return port
    }

    /// Sends all of `bytes`; false when the peer has gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    enum Read: Equatable {
        case bytes([UInt8])
        /// The peer closed (or reset) the connection.
        case closed
        /// Nothing arrived within the time given.
        case nothing
    }

    /// Reads up to `count` bytes, waiting at most `timeout`.
    func read(upTo count: Int, timeout: Duration) -> Read {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) > 0 else { return .nothing }
        var buffer = [UInt8](repeating: 0, count: count)
        let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, count, 0) }
        if received > 0 { return .bytes(Array(buffer[0..<received])) }
        if received == 0 { return .closed }
        return errno == EAGAIN || errno == EINTR ? .nothing : .closed
    }

    /// Reads until a response head is complete, the peer closes or `deadline` passes; returns
    /// the head's text (empty when none came) and whether the connection was closed.
    func readHead(before deadline: ContinuousClock.Instant) -> (head: String, closed: Bool) {
        var received: [UInt8] = []
        while ContinuousClock.now < deadline {
            switch read(upTo: 64 * 1024, timeout: .milliseconds(100)) {
            case .bytes(let bytes):
                received += bytes
                let text = String(decoding: received, as: UTF8.self)
                if let end = text.range(of: "\r\n\r\n") { return (String(text[..<end.lowerBound]), false) }
            case .closed: return (String(decoding: received, as: UTF8.self), true)
            case .nothing: continue
            }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Reads and drops whatever comes until the peer closes; true if it did before `deadline`.
    func waitForClose(before deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline {
            if read(upTo: 64 * 1024, timeout: .milliseconds(100)) == .closed { return true }
        }
        return false
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = Glibc.close(descriptor)
    }

    deinit { close() }
}

enum RawConnectionError: Error {
    case socket(Int32)
    case connect(Int32)
    case address(String)
}
