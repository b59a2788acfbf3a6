public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program the tests and benchmarks run beside them (ffmpeg, curl, `canto` itself), started
/// with `posix_spawn` directly.
///
/// Foundation's `Process` is not used: on Linux its launch walks every open descriptor of the
/// parent to close it in the child, and registers each child with a run-loop thread of its own.
/// Launched from many threads at once (fixtures are built in parallel) it crashed inside
/// `Process.run()` and let one child inherit another's pipe. Here every pipe is close-on-exec,
/// the child closes everything above standard error before it starts, and one plain thread a
/// child waits for it.
public final class ChildProcess: Sendable {
    /// Where a child's standard output or error goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case discard
        /// Kept in ``output``; standard output and error collected together share one buffer.
        case collect
        /// The test runner's own.
        case inherit
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable {
        case exit
        case uncaughtSignal
    }

    /// Why a child could not be started.
    public struct LaunchError: Error, CustomStringConvertible {
        public let program: String
        public let code: Int32
        public var description: String { "could not start \(program): \(String(cString: strerror(code)))" }
    }

    /// The child's process ID.
    public let processIdentifier: Int32
    private let state = State()

    /// What the child's threads fill in: its wait status once reaped, and its output.
    private final class State: Sendable {
        let status = Mutex<Int32?>(nil)
        let collected = Mutex(Data())
        /// Left once the child has been reaped and its collected output has reached its end.
        let done = DispatchGroup()
    }

    /// Starts `program` (a path, or a name looked up on `PATH`) with `arguments`.
    /// - Parameters:
    ///   - environment: the child's whole environment; `nil` passes the runner's own.
    ///   - input: written to the child's standard input, which is then closed; `nil` reads `/dev/null`.
    public init(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil,
        output: Stream = .collect, errors: Stream = .collect
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (as Foundation does), no blocked signals, SIGPIPE back to its default.
        var none = sigset_t()
        sigemptyset(&none)
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &pipeSignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var inputPipe: (read: Int32, write: Int32)?
        var outputPipe: (read: Int32, write: Int32)?
        var opened: [Int32] = []
        defer { for descriptor in opened { close(descriptor) } }
        if input != nil {
            let made = try Self.makePipe(program)
            opened += [made.read]
            inputPipe = made
            posix_spawn_file_actions_adddup2(&actions, made.read, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        if output == .collect || errors == .collect {
            let made = try Self.makePipe(program)
            opened += [made.write]
            outputPipe = made
        }
        for (stream, target) in [(output, STDOUT_FILENO), (errors, STDERR_FILENO)] {
            switch stream {
            case .discard: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .collect: posix_spawn_file_actions_adddup2(&actions, outputPipe?.write ?? -1, target)
            case .inherit: break
            }
        }
        Self.closeFrom?(&actions, 3)

        var argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let passed = environment ?? ProcessInfo.processInfo.environment
        var envp = passed.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for entry in envp { free(entry) } }
        var pid = pid_t()
        let code =
            program.contains("/")
            ? posix_spawn(&pid, program, &actions, &attributes, &argv, &envp)
            : posix_spawnp(&pid, program, &actions, &attributes, &argv, &envp)
        guard code == 0 else {
            if let inputPipe { close(inputPipe.write) }
            if let outputPipe { close(outputPipe.read) }
            throw LaunchError(program: program, code: code)
        }
        let child = pid
        processIdentifier = child

        if let inputPipe, let input {
            Thread.detachNewThread {
                input.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(inputPipe.write, bytes.baseAddress! + offset, bytes.count - offset)
                        if written < 0 && errno == EINTR { continue }
                        guard written > 0 else { break }
                        offset += written
                    }
                }
                close(inputPipe.write)
            }
        }
        if let outputPipe {
            state.done.enter()
            let state = self.state
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(outputPipe.read, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break }
                    state.collected.withLock { $0.append(contentsOf: buffer[0..<count]) }
                }
                close(outputPipe.read)
                state.done.leave()
            }
        }
        state.done.enter()
        let state = self.state
        Thread.detachNewThread {
            var raw: Int32 = 0
            while waitpid(child, &raw, 0) < 0 && errno == EINTR {}
            state.status.withLock { $0 = raw }
            state.done.leave()
        }
    }

    /// Runs `program` to its end and returns its exit code (or signal) and what it printed.
    public static func run(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil,
        output: Stream = .collect, errors: Stream = .collect
    ) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            program, arguments, environment: environment, input: input, output: output, errors: errors)
        child.waitUntilExit()
        return (child.terminationStatus, child.text)
    }

    /// Whether the child has not yet been reaped.
    public var isRunning: Bool { state.status.withLock { $0 == nil } }

    /// The exit code, or the signal that ended it; -1 while it runs.
    public var terminationStatus: Int32 {
        guard let raw = state.status.withLock({ $0 }) else { return -1 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }

    /// Whether it exited or a signal ended it; `nil` while it runs.
    public var terminationReason: Termination? {
        guard let raw = state.status.withLock({ $0 }) else { return nil }
        return raw & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    /// Everything collected from its standard output and error so far.
    public var output: Data { state.collected.withLock { $0 } }
    public var text: String { String(decoding: output, as: UTF8.self) }

    /// Blocks until the child has ended and its collected output is complete.
    public func waitUntilExit() { state.done.wait() }

    /// Waits up to `timeout` for the child to end (and its output to be complete); `false` if it still runs.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while state.done.wait(timeout: .now()) == .timedOut {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Sends `number` to the child if it still runs.
    public func signal(_ number: Int32) {
        state.status.withLock { if $0 == nil { _ = kill(processIdentifier, number) } }
    }

    /// SIGTERM.
    public func terminate() { signal(SIGTERM) }

    deinit {
        if isRunning { kill(processIdentifier, SIGKILL) }
    }

    private static func makePipe(_ program: String) throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { throw LaunchError(program: program, code: errno) }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
    /// module does not declare: looked up once by name.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        {
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
            return unsafeBitCast(
                symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()
}
