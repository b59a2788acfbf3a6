import CantoCore
import CantoPluginKit
import CantoPluginKitTesting
import CantoRecommend
import CantoServer
import CantoTestSupport
import CoListeningPlugin
import Foundation
import SonicRecommenderPlugin

/// `canto-bench recommend`: the offline evaluation. A synthetic household (listeners with latent
/// tastes over a generated catalog of genres and artists, power-law popularity, listening
/// sessions, skips, repeat listening and a drift of taste over time) is split by time (each
/// listener's last 10 plays are the test), the recommenders learn from the past through the real
/// plugin host, and each is scored on recall@10, nDCG@10, catalog coverage and intra-list
/// diversity (the share of pairs by different artists), against random, popularity and ALS
/// (`implicit`, run from the benchmark's Python environment on the same split).
enum RecommendEval {
    struct Play {
        var user: Int
        var track: Int
        var time: Double
        var counted: Bool
    }

    struct Household {
        var tracks: [TestTrack]
        var genreOf: [Int]
        var features: [SonicFeatures]
        var users: Int
        var plays: [Play]
    }

    static func household(tracks count: Int, users: Int, sessions: Int, seed: UInt64) -> Household {
        var random = SplitMix64(seed: seed)
        let genres = 20
        let artistsPerGenre = max(2, count / genres / 10)
        // Each genre a sound (a centre in feature space); each track near its genre's sound.
        let centres = (0..<genres).map { _ in
            (0..<SonicFeatures.count).map { _ in Float.random(in: -1...1, using: &random) }
        }
        var tracks: [TestTrack] = []
        var genreOf: [Int] = []
        var features: [SonicFeatures] = []
        var popularity: [Double] = []
        for index in 0..<count {
            let genre = index % genres
            let artist = (index / genres) % artistsPerGenre
            tracks.append(
                TestTrack(
                    "Track \(index)", artist: "Artist \(genre)-\(artist)", album: "Album \(genre)-\(artist)",
                    seconds: 200, genre: "Genre \(genre)"))
            genreOf.append(genre)
            features.append(
                SonicFeatures(values: centres[genre].map { $0 + Float.random(in: -0.6...0.6, using: &random) }))
            // Zipf-like popularity: rank r within the catalog weighs 1 / r.
            popularity.append(1 / Double(1 + Int.random(in: 0..<count, using: &random)))
        }
        let byGenre = Dictionary(grouping: 0..<count, by: { genreOf[$0] })
        var plays: [Play] = []
        for user in 0..<users {
            // Two or three genres loved; a new one grows on the listener over time (drift).
            var loved = (0..<3).map { _ in Int.random(in: 0..<genres, using: &random) }
            let newcomer = Int.random(in: 0..<genres, using: &random)
            var favourites: [Int] = []
            var time = 1_600_000_000.0 + Double(user) * 3_600
            for session in 0..<sessions {
                if session == sessions / 2 { loved[2] = newcomer }
                let genre =
                    Double.random(in: 0..<1, using: &random) < 0.85
                    ? loved[Int.random(in: 0..<loved.count, using: &random)]
                    : Int.random(in: 0..<genres, using: &random)
                let pool = byGenre[genre] ?? [0]
                var previous: Int?
                for _ in 0..<Int.random(in: 5...14, using: &random) {
                    var track: Int
                    let roll = Double.random(in: 0..<1, using: &random)
                    if roll < 0.3, !favourites.isEmpty {
                        track = favourites[Int.random(in: 0..<favourites.count, using: &random)]  // repeat listening
                    } else if roll < 0.55, let previous, previous + genres < count {
                        track = previous + genres  // the next track by the same artist, as albums play
                    } else {
                        // Popular tracks of the genre come up more often.
                        let total = pool.reduce(0) { $0 + popularity[$1] }
                        var pick = Double.random(in: 0..<total, using: &random)
                        track = pool[0]
                        for candidate in pool {
                            pick -= popularity[candidate]
                            if pick <= 0 {
                                track = candidate
                                break
                            }
                        }
                    }
                    let outOfTaste = !loved.contains(genreOf[track])
                    let skipped = Double.random(in: 0..<1, using: &random) < (outOfTaste ? 0.4 : 0.08)
                    plays.append(Play(user: user, track: track, time: time, counted: !skipped))
                    if !skipped, favourites.count < 40, Double.random(in: 0..<1, using: &random) < 0.2 {
                        favourites.append(track)
                    }
                    if !skipped { previous = track }
                    time += skipped ? 20 : 210
                }
                time += Double.random(in: 4...30, using: &random) * 3_600
            }
        }
        plays.sort { $0.time < $1.time }
        return Household(tracks: tracks, genreOf: genreOf, features: features, users: users, plays: plays)
    }

    struct Scores {
        var recall = 0.0
        var ndcg = 0.0
        var covered: Set<Int> = []
        var diversity = 0.0
        var lists = 0
    }

    static func run(tracks count: Int, users: Int, sessions: Int, python: String) async throws {
        let house = household(tracks: count, users: users, sessions: sessions, seed: 42)
        // The split: each listener's last 10 counted plays are the test; what came before, the training.
        var test: [Int: Set<Int>] = [:]
        var testTimes: [Int: Double] = [:]
        for user in 0..<users {
            let counted = house.plays.filter { $0.user == user && $0.counted }
            let cut = counted.suffix(10).first?.time ?? .infinity
            testTimes[user] = cut
            test[user] = Set(counted.suffix(10).map(\.track))
        }
        let train = house.plays.filter { $0.time < testTimes[$0.user] ?? 0 }
        print(
            "household: \(count) tracks, \(users) listeners, \(house.plays.count) plays (\(train.count) to learn from)")

        var results: [(String, Scores)] = []
        func score(_ name: String, _ lists: [Int: [Int]]) {
            var scores = Scores()
            for (user, list) in lists {
                let relevant = test[user] ?? []
                let top = Array(list.prefix(10))
                let hits = top.filter(relevant.contains).count
                scores.recall += Double(hits) / Double(max(1, min(10, relevant.count)))
                var dcg = 0.0
                for (rank, track) in top.enumerated() where relevant.contains(track) {
                    dcg += 1 / log2(Double(rank + 2))
                }
                let ideal = (0..<min(10, relevant.count)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
                scores.ndcg += ideal > 0 ? dcg / ideal : 0
                scores.covered.formUnion(top)
                var pairs = 0.0
                var different = 0.0
                for i in top.indices {
                    for j in top.indices where j > i {
                        pairs += 1
                        if house.tracks[top[i]].artist != house.tracks[top[j]].artist { different += 1 }
                    }
                }
                scores.diversity += pairs > 0 ? different / pairs : 0
                scores.lists += 1
            }
            results.append((name, scores))
        }

        // Baselines.
        var random = SplitMix64(seed: 7)
        score(
            "random",
            Dictionary(
                uniqueKeysWithValues: (0..<users).map { user in
                    (user, (0..<10).map { _ in Int.random(in: 0..<count, using: &random) })
                }))
        var playCounts: [Int: Int] = [:]
        for play in train where play.counted { playCounts[play.track, default: 0] += 1 }
        let popular = playCounts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map(\.key)
        score("popularity", Dictionary(uniqueKeysWithValues: (0..<users).map { ($0, Array(popular.prefix(10))) }))
        // ALS gets the best of a grid (factors 8 to 64, confidence scaled by 1 to 40), chosen on the
        // test itself: generous to the baseline.
        var bestALS: (recall: Double, lists: [Int: [Int]], setting: String)?
        for factors in [8, 16, 32, 64] {
            for alpha in [1.0, 10, 40] {
                guard
                    let lists = try als(
                        train: train, users: users, tracks: count, python: python, factors: factors, alpha: alpha)
                else { continue }
                let recall = lists.reduce(0.0) { sum, entry in
                    let relevant = test[entry.key] ?? []
                    return sum + Double(entry.value.prefix(10).filter(relevant.contains).count)
                        / Double(max(1, min(10, relevant.count)))
                }
                if recall > bestALS?.recall ?? -1 {
                    bestALS = (recall, lists, "factors \(factors), alpha \(Int(alpha))")
                }
            }
        }
        if let bestALS {
            print("ALS: best of the grid: \(bestALS.setting)")
            score("ALS (implicit)", bestALS.lists)
        }

        // Canto's recommenders, learning through the real plugin host.
        let learned = try await PluginTestHost.run([], tracks: house.tracks) { host -> [String: [Int: [Int]]] in
            var listeners: [PluginTestHost.Listener] = []
            for user in 0..<users { listeners.append(try await host.addListener("listener\(user)")) }
            for (index, track) in host.tracks.enumerated() {
                try await host.services.recordSonicFeatures(house.features[index], for: track)
            }
            for (offset, play) in train.enumerated() {
                let track = host.tracks[play.track]
                try await host.publish(
                    .trackPlayed(
                        user: listeners[play.user].user.id, track: track.id, playID: Int64(offset),
                        startedAt: Date(timeIntervalSince1970: play.time), secondsPlayed: play.counted ? 200 : 10,
                        countsAsScrobble: play.counted, client: "eval"),
                    at: Date(timeIntervalSince1970: play.time))
                if offset % 500 == 499 { while try await host.services.deliverPendingEvents() > 0 {} }
            }
            while try await host.services.deliverPendingEvents() > 0 {}
            let position = Dictionary(uniqueKeysWithValues: host.tracks.enumerated().map { ($1.id, $0) })
            let artists = Dictionary(uniqueKeysWithValues: host.tracks.map { ($0.id, $0.artistName) })
            guard let sonic = host.plugin(SonicRecommenderPlugin.self),
                let together = host.plugin(CoListeningPlugin.self)
            else { throw EvalError.missingPlugin }
            var lists: [String: [Int: [Int]]] = [:]
            var weights = Blend.Weights()
            let knobs = (ProcessInfo.processInfo.environment["CANTO_BLEND"] ?? "").split(separator: ",").compactMap {
                Double($0)
            }
            if knobs.count == 5 {
                weights = Blend.Weights(
                    sources: ["sonic": knobs[2], "colisten": knobs[3]], taste: knobs[0], popularity: knobs[1],
                    diversity: knobs[4])
            }
            let blend = Blend(weights: weights)
            var counts: [TrackID: Double] = [:]
            for play in train where play.counted { counts[host.tracks[play.track].id, default: 0] += 1 }
            let most = counts.values.max() ?? 1
            let popularity = counts.mapValues { Foundation.log(1 + $0) / Foundation.log(1 + most) }
            for user in 0..<users {
                let history = train.filter { $0.user == user }.reversed()
                // The seeds: the listener's last three different tracks.
                var seeds: [TrackID] = []
                for play in history where play.counted && !seeds.contains(host.tracks[play.track].id) {
                    seeds.append(host.tracks[play.track].id)
                    if seeds.count == 3 { break }
                }
                let request = RecommendationRequest(seeds: seeds, limit: 100, perArtist: 0)
                let listener = Blend.Listener(
                    plays: history.map { (host.tracks[$0.track].id, $0.counted) })
                // The blend asks around the listener's favourites too (each of their loved sounds).
                let favourites = listener.taste.sorted { $0.value > $1.value }.prefix(5).map(\.key)
                var wide = request
                wide.seeds = seeds + favourites.filter { !seeds.contains($0) }
                let bySound = try await sonic.recommend(request)
                let byTogether = try await together.recommend(request)
                var bySoundWide: [Recommendation] = []
                for favourite in wide.seeds {
                    var one = request
                    one.seeds = [favourite]
                    one.limit = 40
                    bySoundWide += try await sonic.recommend(one)
                }
                let byTogetherWide = try await together.recommend(wide)
                let blended = blend.rank(
                    answers: [
                        "sonic": Dictionary(bySoundWide.map { ($0.track, $0.similarity) }, uniquingKeysWith: max),
                        "colisten": Dictionary(byTogetherWide.map { ($0.track, $0.similarity) }, uniquingKeysWith: max),
                    ], listener: listener, tasteCandidates: Set(listener.taste.keys), popularity: popularity,
                    artists: artists, limit: 10, perArtist: 2)
                func indices(_ list: [TrackID]) -> [Int] { list.compactMap { position[$0] } }
                lists["sonic", default: [:]][user] = indices(
                    SonicIndexCap.capped(bySound.map(\.track), artists: artists, perArtist: 2))
                lists["co-listening", default: [:]][user] = indices(byTogether.map(\.track))
                lists["blend", default: [:]][user] = indices(blended.map(\.track))
            }
            return lists
        }
        for name in ["sonic", "co-listening", "blend"] { score(name, learned[name] ?? [:]) }

        print("")
        print("| recommender | recall@10 | nDCG@10 | coverage | diversity |")
        print("|---|---:|---:|---:|---:|")
        for (name, scores) in results {
            let lists = Double(max(1, scores.lists))
            print(
                String(
                    format: "| %@ | %.3f | %.3f | %.1f %% | %.2f |", name, scores.recall / lists, scores.ndcg / lists,
                    100 * Double(scores.covered.count) / Double(count), scores.diversity / lists))
        }
    }

    enum EvalError: Error { case missingPlugin }

    /// ALS from `implicit` on the training plays (counted plays as confidence), through the
    /// benchmark's Python environment; nil (and a note) when it is not installed.
    static func als(train: [Play], users: Int, tracks: Int, python: String, factors: Int, alpha: Double) throws
        -> [Int: [Int]]?
    {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("ALS skipped: \(python) is missing (scripts/bench/recommend-eval.sh installs implicit)")
            return nil
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("canto-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var counts: [String: Int] = [:]
        for play in train where play.counted { counts["\(play.user) \(play.track)", default: 0] += 1 }
        let triples = counts.map { key, value -> [Int] in
            let parts = key.split(separator: " ").compactMap { Int($0) }
            return [parts[0], parts[1], value]
        }
        let input = work.appendingPathComponent("split.json")
        try JSONSerialization.data(withJSONObject: ["users": users, "items": tracks, "plays": triples]).write(to: input)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/bench/als.py")
        let process = try ChildProcess(
            python, [script.path, input.path, "\(factors)", "0.05", "\(alpha)"], errors: .inherit)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let answer = try JSONSerialization.jsonObject(with: process.output) as? [String: [Int]]
        else {
            print("ALS failed (exit \(process.terminationStatus))")
            return nil
        }
        return Dictionary(uniqueKeysWithValues: answer.compactMap { key, list in Int(key).map { ($0, list) } })
    }
}

/// The artist cap applied to a ranked list (the sonic recommender's own answer with the cap
/// lifted, as the blend asks it, capped again for its own row of the table).
enum SonicIndexCap {
    static func capped(_ list: [TrackID], artists: [TrackID: String], perArtist: Int) -> [TrackID] {
        var counts: [String: Int] = [:]
        return list.filter { track in
            let artist = artists[track] ?? ""
            counts[artist, default: 0] += 1
            return counts[artist, default: 0] <= perArtist
        }
    }
}
