import CantoCore
import Foundation
import GRDB
import Testing

@testable import CantoStore

@Suite struct BoundListTests {
    @Test func listsAreBoundAsOneOfAFewLengths() {
        #expect(
            [0, 1, 7, 8, 9, 16, 17, 500, 999, 1_024].map(BoundList.length) == [
                8, 8, 8, 8, 16, 16, 32, 512, 1_024, 1_024,
            ])
        #expect(BoundList.padded([Int]()) == [])
        #expect(BoundList.padded([1, 2, 3]) == [1, 2, 3, 3, 3, 3, 3, 3])
        #expect(BoundList.padded(Array(1...9)[2...]) == Array(3...9) + [9])
        #expect(BoundList.marks(3) == databaseQuestionMarks(count: 8))
    }

    /// Reads of lists of every length from 1 to 40 answer as an unpadded read would, and leave
    /// a statement of each length the list is bound as in the reader's cache, not one a length.
    @Test func aListReadPreparesOneStatementALength() async throws {
        let catalog = try await TestCatalog()
        let writes = (0..<40).map { catalog.write(path: "A/\($0).m4a", title: "T\($0)", genres: ["G\($0 % 3)"]) }
        try await catalog.apply(writes)
        let prepared = try await catalog.database.pool.read { db -> Int in
            var before = 0
            for count in 1...40 {
                let ids = writes.prefix(count).map(\.track.id)
                let details = try CatalogRepository.details(db, of: Array(ids))
                #expect(details.count == count)
                #expect(details.values.allSatisfy { $0.genres.count == 1 && $0.credits.count == 3 })
                if count == 1 { before = try Self.cachedStatements(db) }
            }
            return try Self.cachedStatements(db) - before
        }
        // 16, 32 and 64 after 8: two statements each.
        #expect(prepared == 6)
    }

    /// The statements SQLite holds prepared on the connection (its `sqlite_stmt` table).
    static func cachedStatements(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_stmt") ?? 0
    }
}
