import CantoCore
import CantoStore
import Foundation
import Testing

@Suite struct CatalogQueryTrackTests {
    typealias Fixture = CatalogQueryFixture

    @Test func randomTracksFilterByScopeGenreAndYears() async throws {
        let fixture = try await Fixture()
        let queries = fixture.queries
        let all = try await queries.randomTracks(scope: nil, limit: 100, genre: nil, fromYear: nil, toYear: nil)
        #expect(all.count == Fixture.songs.count && Set(all.map(\.id)).count == all.count)
        #expect(try await queries.randomTracks(scope: nil, limit: 4, genre: nil, fromYear: nil, toYear: nil).count == 4)
        #expect(try await queries.randomTracks(scope: nil, limit: 0, genre: nil, fromYear: nil, toYear: nil) == [])

        let electronic = try await queries.randomTracks(
            scope: [Fixture.music], limit: 100, genre: "ELECTRONIC", fromYear: nil, toYear: nil)
        #expect(
            Set(electronic.map(\.title)) == [
                "Jóga", "Bachelorette", "Hunter", "Merry Christmas Mr. Lawrence", "Forbidden Colours",
            ])
        let nineties = try await queries.randomTracks(scope: nil, limit: 100, genre: nil, fromYear: 1990, toYear: 2001)
        #expect(Set(nineties.map(\.year)) == [1990, 1997, 2001])
        #expect(nineties.count == 6)
        let reversed = try await queries.randomTracks(scope: nil, limit: 100, genre: nil, fromYear: 2001, toYear: 1990)
        #expect(Set(reversed.map(\.id)) == Set(nineties.map(\.id)))
        let since = try await queries.randomTracks(scope: nil, limit: 100, genre: "pop", fromYear: 1980, toYear: nil)
        #expect(since.map(\.title) == ["Moonlight"])
        let until = try await queries.randomTracks(scope: nil, limit: 100, genre: nil, fromYear: nil, toYear: 1967)
        #expect(Set(until.map(\.title)) == ["Love Me Do", "Coração Vagabundo", "Avarandado"])
    }

    @Test func tracksOfAGenreAreByTitleAndPaged() async throws {
        let fixture = try await Fixture()
        let queries = fixture.queries
        #expect(
            try await queries.tracks(genre: "electronic", scope: nil, offset: 0, limit: 50).map(\.title) == [
                "Bachelorette", "Forbidden Colours", "Hidden Place", "Hunter", "Jóga", "Merry Christmas Mr. Lawrence",
                "Pagan Poetry",
            ])
        #expect(
            try await queries.tracks(genre: "Electronic", scope: [Fixture.books], offset: 1, limit: 5).map(\.title)
                == ["Pagan Poetry"])
        #expect(
            try await queries.tracks(genre: "post-rock", scope: nil, offset: 1, limit: 1).map(\.title) == [
                "Hoppípolla"
            ])
        let jóga = try #require(try await fixture.catalog.track(Fixture.track("Jóga")))
        #expect(try await queries.tracks(genre: "Art Pop", scope: nil, offset: 1, limit: 1) == [jóga])
        #expect(try await queries.tracks(genre: "Polka", scope: nil, offset: 0, limit: 50) == [])
    }

    @Test func topTracksAreTheHouseholdsMostPlayed() async throws {
        let fixture = try await Fixture()
        try await fixture.listen()
        let queries = fixture.queries
        // Jóga: three plays (Ana and Bo); Hidden Place: one; Hunter: none recorded, but a play count.
        #expect(
            try await queries.topTracks(artist: Fixture.artist("Björk"), limit: 10).map(\.title) == [
                "Jóga", "Hidden Place", "Hunter", "Bachelorette", "Pagan Poetry",
            ])
        #expect(
            try await queries.topTracks(artist: Fixture.artist("Björk"), limit: 2).map(\.title) == [
                "Jóga", "Hidden Place",
            ])
        // Credited as a performer only on one track of someone else's album.
        #expect(
            try await queries.topTracks(artist: Fixture.artist("David Sylvian"), limit: 10).map(\.title) == [
                "Forbidden Colours"
            ])
        #expect(try await queries.topTracks(artist: ArtistID("ar-none"), limit: 10) == [])
    }

    @Test func similarTracksShareGenresOrArtistsMostFirst() async throws {
        let fixture = try await Fixture()
        let queries = fixture.queries
        let similar = try await queries.similarTracks(to: Fixture.track("Jóga"), limit: 50).map(\.title)
        // Hunter shares both genres and Björk; the other Björk tracks one genre and Björk;
        // the Sakamoto tracks Electronic only. Nothing shares Post-Rock, MPB or Pop.
        #expect(similar.first == "Hunter")
        #expect(Set(similar[1..<4]) == ["Bachelorette", "Hidden Place", "Pagan Poetry"])
        #expect(Set(similar[4...]) == ["Merry Christmas Mr. Lawrence", "Forbidden Colours"])
        #expect(!similar.contains("Jóga"))
        #expect(try await queries.similarTracks(to: Fixture.track("Jóga"), limit: 1).map(\.title) == ["Hunter"])
        #expect(
            Set(try await queries.similarTracks(to: Fixture.track("Forbidden Colours"), limit: 50).map(\.title))
                .isSuperset(
                    of: ["Merry Christmas Mr. Lawrence", "Jóga"]))
        #expect(
            try await queries.similarTracks(to: Fixture.track("Moonlight"), limit: 50).map(\.title) == ["Love Me Do"])
        #expect(try await queries.similarTracks(to: TrackID("t-none"), limit: 50) == [])
    }

    @Test func starredItemsAreTheUsersNewestFirst() async throws {
        let fixture = try await Fixture()
        try await fixture.listen()
        let queries = fixture.queries
        let ana = try await queries.starred(by: fixture.ana.id, scope: nil)
        #expect(ana.artists.map(\.name) == ["Sigur Rós", "Björk"])
        #expect(ana.albums.map(\.title) == ["Love Songs", "Vespertine", "Homogenic"])
        #expect(ana.tracks.map(\.title) == ["Hidden Place", "Jóga"])
        let björk = try #require(try await fixture.catalog.artist(Fixture.artist("Björk")))
        #expect(ana.artists.last == björk)

        let scoped = try await queries.starred(by: fixture.ana.id, scope: [Fixture.books])
        #expect(scoped.artists.map(\.name) == ["Björk"])
        #expect(scoped.albums.map(\.title) == ["Vespertine"])
        #expect(scoped.tracks.map(\.title) == ["Hidden Place"])

        let bo = try await queries.starred(by: fixture.bo.id, scope: nil)
        #expect(bo.artists == [] && bo.tracks == [])
        #expect(bo.albums.map(\.title) == ["Coração Vagabundo"])
    }

    @Test func anAnnotationIsTheUsersOwn() async throws {
        let fixture = try await Fixture()
        try await fixture.listen()
        let queries = fixture.queries
        let takk = Fixture.album("Takk...").rawValue
        #expect(
            try await queries.annotation(of: takk, user: fixture.ana.id)
                == Annotation(itemID: takk, kind: .album, starredAt: nil, rating: 5))
        let joga = Fixture.track("Jóga").rawValue
        #expect(
            try await queries.annotation(of: joga, user: fixture.ana.id)
                == Annotation(itemID: joga, kind: .track, starredAt: TestAccounts.date(1), rating: nil))
        #expect(try await queries.annotation(of: joga, user: fixture.bo.id) == nil)
        #expect(try await queries.annotation(of: Fixture.album("Please").rawValue, user: fixture.ana.id) == nil)
        #expect(try await queries.annotation(of: Fixture.album("Please").rawValue, user: fixture.bo.id)?.rating == 5)
    }
}
