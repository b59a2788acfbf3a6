public import CantoCore

/// The artist index (artists with albums grouped under their index letter, letters in order,
/// artists by sort name within each) as a sequence of pages, each read from the database when
/// it is asked for: what a response streams instead of building a 300,000-artist list.
public struct ArtistIndex: AsyncSequence, Sendable {
    /// Artists of one letter; the next page may continue the same letter.
    public struct Page: Sendable, Equatable {
        public var letter: String
        public var artists: [Artist]
    }

    let queries: any CatalogQueries
    let scope: LibraryScope
    let pageSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(queries: queries, scope: scope, pageSize: Swift.max(1, pageSize))
    }

    public struct Iterator: AsyncIteratorProtocol {
        let queries: any CatalogQueries
        let scope: LibraryScope
        let pageSize: Int
        /// Each letter with the initials filed under it ("I" holds "i" and the dotless "ı"),
        /// read on the first page.
        var letters: [(letter: String, initials: [String])]?
        var letterIndex = 0
        var initialIndex = 0
        var last: Artist?

        init(queries: any CatalogQueries, scope: LibraryScope, pageSize: Int) {
            self.queries = queries
            self.scope = scope
            self.pageSize = pageSize
        }

        public mutating func next() async throws -> Page? {
            if letters == nil {
                let initials = try await queries.artistInitials()
                let grouped = Dictionary(grouping: initials, by: SortKey.indexLetter)
                letters = grouped.keys.sorted().map { ($0, grouped[$0, default: []]) }
            }
            guard let letters else { return nil }
            while letterIndex < letters.count {
                let (letter, initials) = letters[letterIndex]
                guard initialIndex < initials.count else {
                    letterIndex += 1
                    initialIndex = 0
                    continue
                }
                let artists = try await queries.artists(
                    initial: initials[initialIndex], after: last, limit: pageSize, scope: scope)
                if artists.count < pageSize {
                    initialIndex += 1
                    last = nil
                } else {
                    last = artists.last
                }
                if !artists.isEmpty { return Page(letter: letter, artists: artists) }
            }
            return nil
        }
    }
}
