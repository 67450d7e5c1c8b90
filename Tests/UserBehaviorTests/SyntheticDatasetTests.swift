@testable import Generator
import Testing

/// `tbdash gen` names items by a scattered id, not by popularity rank: the skew is the
/// same, the names are not 1, 2, 3, ….
@Suite struct SyntheticDatasetTests {
    /// The columns of each data row of a generated file.
    static func rows(_ dataset: SyntheticDataset) -> [[Substring]] {
        var bytes: [UInt8] = []
        dataset.generate { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    }

    static func countsByID(_ rows: [[Substring]], column: Int) -> [Substring: Int] {
        rows.reduce(into: [:]) { $0[$1[column], default: 0] += 1 }
    }

    @Test func theMostFrequentIDsAreNotOneTwoThreeAndTheSkewIsUnchanged() {
        let scattered = Self.rows(SyntheticDataset(rows: 20_000, seed: 3))
        var byRank = SyntheticDataset(rows: 20_000, seed: 3)
        byRank.namesItemsByRank = true
        let ranked = Self.rows(byRank)
        #expect(scattered.count == 20_000 && ranked.count == 20_000)

        let items = Self.countsByID(scattered, column: 1)
        let rankedItems = Self.countsByID(ranked, column: 1)
        // Before: the top of Trending read 1, 2, 3.
        let rankedTop = rankedItems.sorted { $0.value > $1.value }.prefix(3).map { String($0.key) }
        #expect(rankedTop == ["1", "2", "3"])
        for column in 1...4 {
            let top = Self.countsByID(scattered, column: column).filter { !$0.key.isEmpty }.sorted { $0.value > $1.value }.prefix(3)
                .map { Int($0.key.prefix { $0 != "." })! }
            #expect(Set(top).isDisjoint(with: [1, 2, 3]), "column \(column): top ids \(top)")
        }
        // The same number of items with the same counts: only their names moved.
        #expect(items.values.sorted() == rankedItems.values.sorted())
        #expect(items.values.max()! > 100, "the top item keeps its weight")
        // Row for row, everything but the item id is what it was.
        #expect(zip(scattered, ranked).allSatisfy { row, before in row[0] == before[0] && row[2...] == before[2...] })
        // And one item keeps one name: rows with the same ranked id have the same scattered id.
        var names: [Substring: Substring] = [:]
        for (row, before) in zip(scattered, ranked) {
            if let name = names[before[1]] { #expect(name == row[1]) } else { names[before[1]] = row[1] }
        }
    }

    @Test(arguments: [1, 2, 37, 1000, 4097])
    func scatteredIDsAreAPermutation(count: Int) {
        let ids = ScatteredIDs(count: Int64(count), key: 42)
        let images = (1...Int64(count)).map { ids.id(rank: $0) }
        #expect(Set(images) == Set(1...Int64(count)))
    }
}
