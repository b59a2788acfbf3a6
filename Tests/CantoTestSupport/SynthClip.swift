public import Foundation

/// Audio synthesised in Swift and written as a 16-bit mono WAV, for tests and benchmarks that need
/// sounds of a known tempo, timbre or key (no encoder involved).
public struct SynthClip: Sendable {
    /// Waveforms of distinct timbre, band-limited (built from their harmonics up to 5 kHz, as an
    /// instrument's would be, so no aliasing muddies the spectrum).
    public enum Wave: String, Sendable, CaseIterable {
        case sine, square, sawtooth, triangle

        /// The amplitude of harmonic `n` (1 is the fundamental).
        func harmonic(_ n: Int) -> Double {
            switch self {
            case .sine: return n == 1 ? 1 : 0
            case .square: return n % 2 == 1 ? 1 / Double(n) : 0
            case .sawtooth: return (n % 2 == 1 ? 1 : -1) / Double(n)
            case .triangle: return n % 2 == 1 ? (n % 4 == 1 ? 1 : -1) / Double(n * n) : 0
            }
        }

        /// One period, `size` samples, of this wave at `frequency`, peaking at 1.
        func table(frequency: Double, size: Int = 2_048) -> [Double] {
            let harmonics = max(1, Int(5_000 / frequency))
            var table = [Double](repeating: 0, count: size)
            for n in 1...harmonics {
                let amplitude = harmonic(n)
                guard amplitude != 0 else { continue }
                for index in 0..<size { table[index] += amplitude * sin(2 * .pi * Double(n * index) / Double(size)) }
            }
            let peak = table.map(abs).max() ?? 1
            return table.map { $0 / max(peak, 1e-9) }
        }
    }

    public static let rate = 22_050
    public var samples: [Float]

    /// A clip of these samples (at `rate`, -1 to 1).
    public init(samples: [Float]) {
        self.samples = samples
    }

    /// Clicks (short decaying bursts of `pitch` Hz) at `bpm`, starting after `offset` seconds.
    public static func clicks(
        bpm: Double, seconds: Double, pitch: Double = 1_000, amplitude: Double = 0.7,
        offset: Double = 0
    ) -> SynthClip {
        let count = Int(seconds * Double(rate))
        var samples = [Float](repeating: 0, count: count)
        let interval = 60 / bpm
        var beat = offset
        while beat < seconds {
            let start = Int(beat * Double(rate))
            for index in 0..<Int(0.05 * Double(rate)) where start + index < count {
                let time = Double(index) / Double(rate)
                samples[start + index] += Float(amplitude * exp(-time * 80) * sin(2 * .pi * pitch * time))
            }
            beat += interval
        }
        return SynthClip(samples: samples)
    }

    /// Notes of `frequencies` in turn (each `noteSeconds` long, with a short attack and release)
    /// played with `wave`.
    public static func notes(
        _ frequencies: [Double], wave: Wave, noteSeconds: Double, seconds: Double,
        amplitude: Double = 0.5
    ) -> SynthClip {
        let count = Int(seconds * Double(rate))
        var samples = [Float](repeating: 0, count: count)
        let noteLength = max(1, Int(noteSeconds * Double(rate)))
        var tables: [Double: [Double]] = [:]
        for frequency in Set(frequencies) { tables[frequency] = wave.table(frequency: frequency) }
        var phase = 0.0
        for index in 0..<count {
            let note = index / noteLength
            let within = Double(index % noteLength) / Double(noteLength)
            let frequency = frequencies[note % frequencies.count]
            phase += frequency / Double(rate)
            phase -= phase.rounded(.down)
            let table = tables[frequency] ?? []
            let position = phase * Double(table.count)
            let lower = Int(position) % table.count, upper = (lower + 1) % table.count
            let fraction = position - position.rounded(.down)
            let value = table[lower] * (1 - fraction) + table[upper] * fraction
            let envelope = min(1, within * 20) * min(1, (1 - within) * 10)
            samples[index] = Float(amplitude * envelope * value)
        }
        return SynthClip(samples: samples)
    }

    /// The frequency of MIDI note `note` (69 is A 440 Hz).
    public static func frequency(midi note: Int) -> Double { 440 * pow(2, Double(note - 69) / 12) }

    /// Encodes the clip as a tagged MP3 (through a WAV and FFmpeg), for a library the scanner reads.
    public func encodeMP3(to url: URL, metadata: [String: String]) throws {
        let wav = url.deletingPathExtension().appendingPathExtension("source.wav")
        try writeWAV(to: wav)
        defer { try? FileManager.default.removeItem(at: wav) }
        var arguments = ["-i", wav.path, "-codec:a", "libmp3lame", "-b:a", "128k"]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { arguments += ["-metadata", "\(key)=\(value)"] }
        arguments.append(url.path)
        try FFmpegTool.run(arguments)
    }

    /// Writes the clip as a 16-bit PCM mono WAV at `rate`.
    public func writeWAV(to url: URL) throws {
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        }
        let bytes = samples.count * 2
        data.append(contentsOf: Array("RIFF".utf8))
        append(UInt32(36 + bytes))
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        append(UInt32(16))
        append(UInt16(1))
        append(UInt16(1))
        append(UInt32(Self.rate))
        append(UInt32(Self.rate * 2))
        append(UInt16(2))
        append(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        append(UInt32(bytes))
        for sample in samples { append(Int16(max(-1, min(1, sample)) * 32_767)) }
        try data.write(to: url)
    }
}
