import Testing
@testable import Analytics

/// Ids a sender could choose so that, under the tables' hash without `TableKey`, every one
/// would be seated from the same home slot — each probe then walking all of them. Keyed,
/// they spread like any ids: the longest run of occupied slots stays short.
@Suite struct HashFloodingTests {
    static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// Far above the longest run of random ids at these loads (about 30), far below the
    /// thousands of a flood.
    static let longestRandomRun = 200

    /// The inverse of an odd number modulo 2⁶⁴ (Newton's iteration doubles the correct bits).
    static func inverse(_ a: UInt64) -> UInt64 {
        var x = a
        for _ in 0..<6 { x = x &* (2 &- a &* x) }
        return x
    }

    /// MurmurHash3's fmix64 undone: `RepeatBuyers.hash` is a bijection anyone can invert.
    static func unmix(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= inverse(0xc4ce_b9fe_1a85_ec53)
        h ^= h >> 33
        h &*= inverse(0xff51_afd7_ed55_8ccd)
        h ^= h >> 33
        return h
    }

    /// Ids j × (2⁶⁴/φ)⁻¹: times 2⁶⁴/φ they give j, whose top bits — the unkeyed home — are 0.
    @Test func itemIDsChosenToShareAHomeSlotDoNot() {
        let inverse = Self.inverse(Self.golden)
        #expect(inverse &* Self.golden == 1)
        // 6,600 ids: the table holds them in 16,384 slots, 40 % full.
        let ids = (1...6_600).map { Int64(bitPattern: UInt64($0) &* inverse) }
        #expect(ids.allSatisfy { (UInt64(bitPattern: $0) &* Self.golden) >> 40 == 0 }, "the flood is not one")
        var items = FrequentItems(capacity: 16_384)
        for id in ids { items.add(id) }
        #expect(items.top(10_000).count == ids.count)
        #expect(items.longestRun < Self.longestRandomRun, "a run of \(items.longestRun) slots")
    }

    /// Users whose pair with one merchant has a tiny unkeyed pair hash, so Lemire's
    /// reduction would seat every pair from bucket 0.
    @Test func buyersChosenToShareABucketDoNot() {
        let merchant: Int64 = 7
        let users = (1...6_600).map { j -> Int64 in
            let userHash = Self.unmix(UInt64(j)) ^ (UInt64(bitPattern: merchant) &* Self.golden)
            return Int64(bitPattern: Self.unmix(userHash))
        }
        let unkeyedPairHashes = users.map { user in
            RepeatBuyers.hash(Int64(bitPattern: RepeatBuyers.hash(user) ^ (UInt64(bitPattern: merchant) &* Self.golden)))
        }
        #expect(unkeyedPairHashes == (1...6_600).map(UInt64.init), "the flood is not one")
        var buyers = RepeatBuyers()
        for user in users {
            buyers.addPurchase(user: user, merchant: merchant, dayIndex: 0)
            buyers.addPurchase(user: user, merchant: merchant, dayIndex: 1)
        }
        #expect(buyers.count == users.count)
        #expect(buyers.longestRun < Self.longestRandomRun, "a run of \(buyers.longestRun) buckets")
    }
}
