import CantoCore
import CantoMedia
import CantoRecommend
import CantoTestSupport
import Foundation
import Testing

/// The sonic features separate what they should: clips that differ in one respect only (tempo,
/// timbre or key), six of each kind, are each other's nearest neighbours in the sonic space.
///
/// Threshold: precision@5 of at least 0.8 in each family. With six clips of a kind, a perfect
/// answer is 1.0 (all five neighbours of the kind); chance is 5/17 ≈ 0.29. 0.8 allows one stray
/// neighbour in five, which a feature that really carries the difference never needs on clean
/// synthesised audio, while a feature that does not (a broken tempo, say) falls to chance.
@Suite("Sonic separation")
struct SonicSeparationTests {
    struct Clip {
        var family: String
        var kind: String
        var features: SonicFeatures
    }

    static func analyse(_ clip: SynthClip, in folder: URL, name: String) throws -> SonicFeatures {
        let url = folder.appendingPathComponent("\(name).wav")
        try clip.writeWAV(to: url)
        return try SonicAnalyzer().analyze(path: url.path).features
    }

    static func clips() throws -> [Clip] {
        let folder = try TemporaryDirectory(prefix: "canto-sonic")
        var random = SplitMix64(seed: 7)
        var clips: [Clip] = []
        // Tempo: clicks at 75, 110 and 160 BPM; each clip's click pitch, level and start differ.
        for bpm in [75.0, 110.0, 160.0] {
            for take in 0..<6 {
                let clip = SynthClip.clicks(
                    bpm: bpm, seconds: 16, pitch: Double.random(in: 990...1_010, using: &random),
                    amplitude: Double.random(in: 0.5...0.8, using: &random),
                    offset: Double.random(in: 0...0.3, using: &random))
                clips.append(
                    Clip(
                        family: "tempo", kind: "\(Int(bpm))",
                        features: try analyse(clip, in: folder.url, name: "tempo-\(Int(bpm))-\(take)")))
            }
        }
        // Timbre: the same notes on four waveforms; each clip plays them in another order.
        let pentatonic = [60, 62, 64, 67, 69, 72].map(SynthClip.frequency(midi:))
        for wave in SynthClip.Wave.allCases {
            for take in 0..<6 {
                let melody = (pentatonic + pentatonic).shuffled(using: &random)
                let clip = SynthClip.notes(melody, wave: wave, noteSeconds: 0.5, seconds: 16)
                clips.append(
                    Clip(
                        family: "timbre", kind: wave.rawValue,
                        features: try analyse(clip, in: folder.url, name: "timbre-\(wave)-\(take)")))
            }
        }
        // Key: random melodies in C major, F♯ major and A♭ minor, leaning on the tonic triad as
        // tunes do (the tonic three times as often as a passing note, the third and fifth twice).
        let major = [0, 0, 0, 2, 4, 4, 5, 7, 7, 9, 11], minor = [0, 0, 0, 2, 3, 3, 5, 7, 7, 8, 10]
        for (name, tonic, scale) in [("C", 60, major), ("F#", 66, major), ("Ab-minor", 56, minor)] {
            for take in 0..<6 {
                let notes = (0..<16).map { _ in tonic + scale[Int.random(in: 0..<scale.count, using: &random)] }
                let clip = SynthClip.notes(
                    notes.map(SynthClip.frequency(midi:)), wave: .sine, noteSeconds: 0.4, seconds: 16)
                clips.append(
                    Clip(
                        family: "key", kind: name,
                        features: try analyse(clip, in: folder.url, name: "key-\(name)-\(take)")))
            }
        }
        return clips
    }

    @Test func clipsOfAKindAreEachOthersNearestNeighbours() throws {
        let clips = try Self.clips()
        let space = SonicSpace(fitting: clips.map(\.features))
        for family in ["tempo", "timbre", "key"] {
            let members = clips.filter { $0.family == family }
            let points = members.map { space.point($0.features) }
            var hits = 0
            for (index, clip) in members.enumerated() {
                let neighbours = members.indices.filter { $0 != index }
                    .sorted {
                        SonicSpace.distance(points[index], points[$0]) < SonicSpace.distance(points[index], points[$1])
                    }
                    .prefix(5)
                hits += neighbours.filter { members[$0].kind == clip.kind }.count
            }
            let precision = Double(hits) / Double(members.count * 5)
            print("sonic separation: \(family) precision@5 \(precision)")
            #expect(precision >= 0.8, "\(family): precision@5 \(precision)")
        }
        // The measurements themselves: tempo within 3 % (or its double/half), the key named.
        for clip in clips where clip.family == "tempo" {
            let bpm = Double(clip.kind) ?? 0
            let measured = Double(clip.features.tempo)
            let ratio = [measured / bpm, measured * 2 / bpm, measured / 2 / bpm].min { abs($0 - 1) < abs($1 - 1) } ?? 0
            #expect(abs(ratio - 1) < 0.03, "\(clip.kind) BPM measured \(measured)")
        }
        // Keys named: at least four of six per key (profile matching's usual slips are to the relative
        // minor or the dominant, which share most of the notes).
        for (kind, name) in [("C", "C major"), ("F#", "F♯ major"), ("Ab-minor", "A♭ minor")] {
            let named = clips.filter { $0.family == "key" && $0.kind == kind }.map(\.features.keyName)
            #expect(named.filter { $0 == name }.count >= 4, "\(kind): \(named)")
        }
    }

    @Test func silenceAndNonAudioAreRefusedWithAReason() throws {
        let folder = try TemporaryDirectory(prefix: "canto-sonic-bad")
        let silent = folder.url.appendingPathComponent("silent.wav")
        try SynthClip(samples: [Float](repeating: 0, count: 22_050 * 10)).writeWAV(to: silent)
        #expect(throws: MediaError.unreadable(reason: "silent")) { try SonicAnalyzer().analyze(path: silent.path) }
        let text = folder.url.appendingPathComponent("notes.mp3")
        try Data("not audio at all".utf8).write(to: text)
        #expect(throws: MediaError.self) { try SonicAnalyzer().analyze(path: text.path) }
        let tone = folder.url.appendingPathComponent("tone.wav")
        try SynthClip.notes([440], wave: .sine, noteSeconds: 1, seconds: 5).writeWAV(to: tone)
        let features = try SonicAnalyzer().analyze(path: tone.path)
        #expect(features.features.values.count == SonicFeatures.count)
        #expect(features.features.values.allSatisfy { $0.isFinite })
        #expect(abs(features.secondsAnalyzed - 5) < 0.1)
        // Stored and read back bit for bit.
        #expect(SonicFeatures(blob: features.features.blob) == features.features)
        #expect(SonicFeatures(blob: Data([1, 2, 3])) == nil)
    }
}
