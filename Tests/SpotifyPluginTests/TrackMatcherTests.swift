import CantoCore
import SpotifyPlugin
import Testing

/// The matcher on a hand-built table of tricky cases: each Spotify track with the local track it
/// must match (and how), or none when matching would be wrong.
@Suite struct TrackMatcherTests {
    static let library: [TrackMatcher.Local] = [
        .init(
            id: TrackID("bjork"), title: "Jóga", artist: "Björk", album: "Homogenic", trackNumber: 2,
            durationMs: 305_000),
        .init(
            id: TrackID("sakamoto"), title: "Merry Christmas Mr. Lawrence", artist: "坂本龍一", album: "Coda",
            durationMs: 284_000),
        .init(
            id: TrackID("splin"), title: "Выхода нет", artist: "Сплин", album: "Гранатовый альбом", durationMs: 231_000),
        .init(
            id: TrackID("heroes-isrc"), title: "Heroes", artist: "David Bowie", album: "Heroes", durationMs: 371_000,
            isrc: "GB-AYE-77-00001"),
        .init(
            id: TrackID("daft"), title: "Get Lucky", artist: "Daft Punk feat. Pharrell Williams",
            album: "Random Access Memories", durationMs: 369_000),
        .init(
            id: TrackID("studio"), title: "Wonderwall", artist: "Oasis", album: "(What's the Story) Morning Glory?",
            trackNumber: 3, durationMs: 258_000),
        .init(
            id: TrackID("live"), title: "Wonderwall (Live)", artist: "Oasis", album: "Familiar to Millions",
            durationMs: 270_000),
        .init(
            id: TrackID("remaster"), title: "Here Comes the Sun - Remastered 2009", artist: "The Beatles",
            album: "Abbey Road", durationMs: 185_000),
        .init(
            id: TrackID("intro-a"), title: "Intro", artist: "The xx", album: "xx", trackNumber: 1, durationMs: 127_000),
        .init(
            id: TrackID("intro-b"), title: "Intro", artist: "M83", album: "Hurry Up, We're Dreaming", trackNumber: 1,
            durationMs: 322_000),
        .init(
            id: TrackID("radio-edit"), title: "Sandstorm", artist: "Darude", album: "Before the Storm",
            durationMs: 225_000),
        .init(
            id: TrackID("simon"), title: "The Boxer", artist: "Simon & Garfunkel", album: "Bridge over Troubled Water",
            durationMs: 308_000),
        .init(
            id: TrackID("remix-a"), title: "Midnight City (Eric Prydz Remix)", artist: "M83",
            album: "Midnight City Remixes", durationMs: 330_000),
        .init(
            id: TrackID("motorhead"), title: "Ace of Spades", artist: "Motörhead", album: "Ace of Spades",
            trackNumber: 1, durationMs: 169_000),
        .init(
            id: TrackID("motorhead-2"), title: "Ace of Spades", artist: "Motörhead", album: "No Sleep 'til Hammersmith",
            durationMs: 174_000),
        .init(
            id: TrackID("olafur"), title: "Saman", artist: "Ólafur Arnalds", album: "re:member", durationMs: 180_000),
        .init(
            id: TrackID("dont"), title: "Don't Stop Me Now", artist: "Queen", album: "Jazz", durationMs: 209_000),
    ]

    /// Spotify's side of each case, and the right answer (nil: must not match).
    static let cases: [(TrackMatcher.Remote, TrackID?, TrackMatcher.Method?)] = [
        (
            .init(id: "1", title: "Joga", artists: ["Bjork"], album: "Homogenic", durationMs: 305_400),
            TrackID("bjork"), .tags
        ),
        (
            .init(
                id: "2", title: "Merry Christmas Mr. Lawrence", artists: ["Ryuichi Sakamoto", "坂本龍一"],
                durationMs: 283_000), TrackID("sakamoto"), .tags
        ),
        (.init(id: "3", title: "Vykhoda net", artists: ["Splin"], durationMs: 232_000), nil, nil),
        (.init(id: "3b", title: "Выхода нет", artists: ["Сплин"], durationMs: 232_500), TrackID("splin"), .tags),
        // An ISRC beats a different title and a longer running time.
        (
            .init(
                id: "4", title: "\"Heroes\" - 2017 Remaster", artists: ["David Bowie"], durationMs: 369_000,
                isrc: "GBAYE7700001"), TrackID("heroes-isrc"), .isrc
        ),
        (
            .init(
                id: "5", title: "Get Lucky (feat. Pharrell Williams and Nile Rodgers)",
                artists: ["Daft Punk", "Pharrell Williams"], durationMs: 369_600), TrackID("daft"), .tags
        ),
        (
            .init(
                id: "6", title: "Wonderwall", artists: ["Oasis"],
                album: "(What's The Story) Morning Glory? (Remastered)", trackNumber: 3, durationMs: 258_800),
            TrackID("studio"), .tags
        ),
        (.init(id: "7", title: "Wonderwall - Live", artists: ["Oasis"], durationMs: 269_000), TrackID("live"), .tags),
        // A live version whose studio twin is all the library has: no match.
        (.init(id: "8", title: "Here Comes the Sun - Live", artists: ["The Beatles"], durationMs: 186_000), nil, nil),
        (
            .init(id: "9", title: "Here Comes The Sun", artists: ["The Beatles"], durationMs: 185_700),
            TrackID("remaster"), .tags
        ),
        (.init(id: "10", title: "Intro", artists: ["The xx"], durationMs: 127_900), TrackID("intro-a"), .tags),
        (.init(id: "11", title: "Intro", artists: ["Bon Iver"], durationMs: 127_000), nil, nil),
        // The radio edit is 40 s shorter: another recording.
        (.init(id: "12", title: "Sandstorm - Radio Edit", artists: ["Darude"], durationMs: 185_000), nil, nil),
        (
            .init(id: "13", title: "The Boxer", artists: ["Simon and Garfunkel"], durationMs: 308_200),
            TrackID("simon"), .tags
        ),
        (
            .init(
                id: "14", title: "Midnight City - Eric Prydz Remix", artists: ["M83", "Eric Prydz"], durationMs: 331_000
            ), TrackID("remix-a"), .tags
        ),
        (.init(id: "15", title: "Midnight City - Trentemøller Remix", artists: ["M83"], durationMs: 330_000), nil, nil),
        (.init(id: "16", title: "Midnight City", artists: ["M83"], durationMs: 243_000), nil, nil),
        // Two albums with the song: the album decides.
        (
            .init(
                id: "17", title: "Ace of Spades", artists: ["Motörhead"],
                album: "No Sleep 'Til Hammersmith (Deluxe Edition)", durationMs: 173_000), TrackID("motorhead-2"), .tags
        ),
        (
            .init(
                id: "18", title: "Ace Of Spades", artists: ["Motorhead"], album: "Ace Of Spades", trackNumber: 1,
                durationMs: 170_000), TrackID("motorhead"), .tags
        ),
        (.init(id: "19", title: "Saman", artists: ["Olafur Arnalds"], durationMs: 181_000), TrackID("olafur"), .tags),
        (.init(id: "20", title: "Dont Stop Me Now", artists: ["Queen"], durationMs: 209_300), TrackID("dont"), .tags),
        (.init(id: "21", title: "Don't Stop Me Now", artists: ["Queen"], durationMs: 215_000), nil, nil),
        (.init(id: "22", title: "Jóga", artists: ["Björk"], durationMs: nil), TrackID("bjork"), .tags),
    ]

    @Test func everyTrickyCaseMatchesWhatItShouldAndNothingElse() {
        let matcher = TrackMatcher(library: Self.library)
        var wrong: [String] = []
        for (remote, expected, method) in Self.cases {
            let found = matcher.match(remote)
            if found?.track != expected || found?.method != method {
                wrong.append(
                    "\(remote.id) \(remote.title): \(String(describing: found)) ≠ \(String(describing: expected))")
            }
            if let found, found.method == .tags { #expect(found.confidence >= 0.8 && found.confidence < 1) }
        }
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
    }

    @Test func aListenersCorrectionSticks() {
        let matcher = TrackMatcher(
            library: Self.library, corrections: ["9": TrackID("olafur"), "10": TrackID?.none, "x": TrackID("gone")])
        let corrected = TrackMatcher.Match(track: TrackID("olafur"), method: .manual, confidence: 1)
        #expect(matcher.match(Self.cases[9].0) == corrected)
        #expect(matcher.match(Self.cases[10].0) == nil, "corrected to no match")
        #expect(
            matcher.match(TrackMatcher.Remote(id: "x", title: "Jóga", artists: ["Björk"])) == nil,
            "a correction to a track since removed")
    }
}
