import Testing

@testable import CantoStore

/// The random album list's sampling: distinct positions in range, as many as asked, each
/// position as likely as any other.
@Suite struct AlbumSampleTests {
    @Test func distinctInRangeAndAsManyAsAsked() {
        for (wanted, count) in [(0, 0), (0, 5), (3, 5), (5, 5), (20, 1_745), (1, 1)] {
            let picked = CatalogQueryRepository.sample(wanted, of: count)
            #expect(picked.count == wanted)
            #expect(Set(picked).count == wanted)
            #expect(picked.allSatisfy { (0..<count).contains($0) })
        }
        #expect(Set(CatalogQueryRepository.sample(5, of: 5)) == Set(0..<5))
    }

    @Test func everyPositionIsEquallyLikelyInEveryPlace() {
        var counts = Array(repeating: 0, count: 10)
        var firsts = Array(repeating: 0, count: 10)
        let trials = 30_000
        for _ in 0..<trials {
            let picked = CatalogQueryRepository.sample(3, of: 10)
            for position in picked { counts[position] += 1 }
            firsts[picked[0]] += 1
        }
        // 9,000 and 3,000 expected; ±10% is more than six standard deviations.
        #expect(counts.allSatisfy { (8_100...9_900).contains($0) }, "\(counts)")
        #expect(firsts.allSatisfy { (2_700...3_300).contains($0) }, "\(firsts)")
    }
}
