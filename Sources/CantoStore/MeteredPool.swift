import CantoCore
import CoreMetrics
import Dispatch
import GRDB

/// The database pool as one repository uses it: the same `read` and `write`, each timed on
/// `/metrics` by repository and access. `canto_db_wait_seconds` is the time from asking until
/// the work began (waiting for a reader connection, or for the one writer), `canto_db_query_seconds`
/// the time the work took on its connection.
struct MeteredPool: Sendable {
    /// The pool itself, for what needs GRDB's whole API.
    let raw: DatabasePool
    private let readTimers: Timers
    private let writeTimers: Timers

    private struct Timers: Sendable {
        let wait: CoreMetrics.Timer
        let query: CoreMetrics.Timer

        init(repository: String, access: String) {
            let dimensions = [("repository", repository), ("access", access)]
            wait = CoreMetrics.Timer(label: "canto_db_wait_seconds", dimensions: dimensions)
            query = CoreMetrics.Timer(label: "canto_db_query_seconds", dimensions: dimensions)
        }

        /// `body` on its connection, with the wait before it and its own time recorded.
        func timed<T>(asked: UInt64, _ body: (Database) throws -> T, _ db: Database) rethrows -> T {
            let began = DispatchTime.now().uptimeNanoseconds
            wait.recordNanoseconds(Int64(truncatingIfNeeded: began &- asked))
            defer { query.recordNanoseconds(Int64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds &- began)) }
            return try body(db)
        }
    }

    init(_ pool: DatabasePool, repository: String) {
        raw = pool
        readTimers = Timers(repository: repository, access: "read")
        writeTimers = Timers(repository: repository, access: "write")
    }

    func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        let asked = DispatchTime.now().uptimeNanoseconds
        let timers = readTimers
        return try await raw.read { db in try timers.timed(asked: asked, value, db) }
    }

    func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        let asked = DispatchTime.now().uptimeNanoseconds
        let timers = writeTimers
        return try await raw.write { db in try timers.timed(asked: asked, updates, db) }
    }

    /// A write on behalf of one user. When that user does not exist the foreign key fails, and
    /// the caller hears what it hears for any missing object: `NotFoundOrForbidden`.
    @discardableResult
    func writeOwned<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await write(updates)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw NotFoundOrForbidden()
        }
    }
}
