import PropertyBased
import Testing
@testable import Analytics

/// Against repeat buyers counted straight from the purchase list.
@Suite struct RepeatBuyersTests {
    struct Purchase {
        var user: Int64
        var merchant: Int64
        var day: Int
    }

    /// Users each buy from a few merchants on a few days, often twice on one day.
    static func purchases(count: Int, users: Int64, seed: UInt64) -> [Purchase] {
        var random = Xoshiro(seed: seed)
        var list: [Purchase] = []
        while list.count < count {
            let user = Int64.random(in: 0..<users, using: &random) * 7 - 1_000
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let merchant = Int64.random(in: 1...5_000, using: &random)
                let day = Int.random(in: 0..<RepeatBuyers.dayCount, using: &random)
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    // Another purchase the same day is not a repeat; another day is.
                    let again = Int.random(in: 0..<4, using: &random) == 0
                    list.append(Purchase(user: user, merchant: merchant, day: again ? Int.random(in: 0..<RepeatBuyers.dayCount, using: &random) : day))
                }
            }
        }
        list.shuffle(using: &random)
        return list
    }

    static func oracle(_ purchases: [Purchase]) -> (repeatUsers: Int, pairs: Int) {
        var days: [[Int64]: Set<Int>] = [:]
        for p in purchases { days[[p.user, p.merchant], default: []].insert(p.day) }
        return (Set(days.filter { $0.value.count >= 2 }.map { $0.key[0] }).count, days.count)
    }

    static func summarize(_ purchases: some Sequence<Purchase>, capacity: Int = RepeatBuyers.defaultCapacity) -> RepeatBuyers {
        var summary = RepeatBuyers(capacity: capacity)
        for p in purchases { summary.addPurchase(user: p.user, merchant: p.merchant, dayIndex: p.day) }
        return summary
    }

    /// A table sized at its bound from the start holds the same state, and its memory does
    /// not move while pairs arrive, up to and past the capacity (sampling).
    @Test func aFullTableFromTheStartKeepsTheSameStateInFlatMemory() {
        let purchases = Self.purchases(count: 30_000, users: 3_000, seed: 41)
        var grown = RepeatBuyers(capacity: 4_000)
        var reserved = RepeatBuyers(capacity: 4_000)
        reserved.reserveFullTable()
        let footprint = reserved.tableFootprint
        #expect(footprint > RepeatBuyers(capacity: 4_000).tableFootprint)
        for p in purchases {
            grown.addPurchase(user: p.user, merchant: p.merchant, dayIndex: p.day)
            reserved.addPurchase(user: p.user, merchant: p.merchant, dayIndex: p.day)
            #expect(reserved.tableFootprint == footprint)
        }
        #expect(!reserved.isExact)
        #expect(reserved == grown)
        var a = BinaryWriter(), b = BinaryWriter()
        reserved.encode(into: &a)
        grown.encode(into: &b)
        #expect(a.bytes == b.bytes)
    }

    @Test func sameDayPurchasesAreNotRepeats() {
        var summary = RepeatBuyers()
        summary.addPurchase(user: 1, merchant: 10, dayIndex: 5)
        summary.addPurchase(user: 1, merchant: 10, dayIndex: 5)
        summary.addPurchase(user: 1, merchant: 11, dayIndex: 6)  // another merchant
        summary.addPurchase(user: 2, merchant: 10, dayIndex: 7)
        #expect(summary.count == 0)
        summary.addPurchase(user: 2, merchant: 10, dayIndex: 3)
        summary.addPurchase(user: 2, merchant: 10, dayIndex: 9)
        #expect(summary.count == 1)
        #expect(summary.pairCount == 3)
        #expect(summary.isExact && summary.standardError == 0)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func exactAgainstTheOracle(seed: UInt64) {
        let list = Self.purchases(count: 30_000, users: 4_000, seed: seed)
        let summary = Self.summarize(list)
        let truth = Self.oracle(list)
        #expect(truth.repeatUsers > 500)
        #expect(summary.count == truth.repeatUsers)
        #expect(summary.pairCount == truth.pairs)
        #expect(summary.isExact)
    }

    @Test func mergesOfRandomSplitsEqualTheWhole() async {
        // Capacity 100,000: exact; 600: sampled (the level is still a function of the set).
        await propertyCheck(count: 20, input: Gen.uint64(in: 0 ... .max), Gen.int(in: 2...5), Gen.bool) { seed, parts, sampled in
            let list = Self.purchases(count: 4_000, users: 800, seed: seed)
            let capacity = sampled ? 600 : 100_000
            var random = Xoshiro(seed: ~seed)
            var splits = Array(repeating: [Purchase](), count: parts)
            for p in list { splits[Int.random(in: 0..<parts, using: &random)].append(p) }
            var summaries = splits.map { Self.summarize($0, capacity: capacity) }
            while summaries.count > 1 {
                var a = summaries.remove(at: Int.random(in: 0..<summaries.count, using: &random))
                var b = summaries.remove(at: Int.random(in: 0..<summaries.count, using: &random))
                let original = a
                a.merge(b)
                b.merge(original)
                #expect(a == b, "merge is not commutative")
                summaries.append(a)
            }
            let whole = Self.summarize(list, capacity: capacity)
            #expect(summaries[0] == whole)
            #expect(whole.isExact == !sampled)
            if !sampled { #expect(whole.count == Self.oracle(list).repeatUsers) }
        }
    }

    @Test func emptyIsTheIdentity() {
        let summary = Self.summarize(Self.purchases(count: 3_000, users: 500, seed: 4), capacity: 500)
        #expect(!summary.isExact)
        var left = RepeatBuyers(capacity: 500)
        left.merge(summary)
        var right = summary
        right.merge(RepeatBuyers(capacity: 500))
        #expect(left == summary)
        #expect(right == summary)
    }

    /// 40 streams of ~9,000 pairs in 1,000: each estimate within 3 standard errors, the 95 %
    /// interval holding about as often as it says, and the error not much smaller than stated
    /// either (within half a standard error about 38 % of the time).
    @Test func samplingStaysWithinTheStatedBound() {
        var inside95 = 0
        var insideHalf = 0
        let seeds = 40
        for seed in 0..<UInt64(seeds) {
            let list = Self.purchases(count: 20_000, users: 4_000, seed: 100 + seed)
            let summary = Self.summarize(list, capacity: 1_000)
            let truth = Self.oracle(list).repeatUsers
            #expect(summary.level >= 2)
            #expect(summary.pairCount <= 1_000)
            let error = abs(Double(summary.count - truth))
            #expect(error <= 3 * summary.standardError, "seed \(seed): \(summary.count) vs \(truth) ± \(summary.standardError)")
            if error <= 1.96 * summary.standardError { inside95 += 1 }
            if error <= 0.5 * summary.standardError { insideHalf += 1 }
        }
        #expect(inside95 >= seeds * 85 / 100, "\(inside95) of \(seeds) inside the 95 % interval")
        #expect(insideHalf <= seeds * 70 / 100, "\(insideHalf) of \(seeds) within half a standard error")
    }

    static func encoded(_ summary: RepeatBuyers) -> [UInt8] {
        var writer = BinaryWriter()
        summary.encode(into: &writer)
        return writer.bytes
    }

    @Test func encodingRoundTrips() throws {
        let list = Self.purchases(count: 5_000, users: 1_000, seed: 5)
        for summary in [RepeatBuyers(), Self.summarize(list), Self.summarize(list, capacity: 700)] {
            let bytes = Self.encoded(summary)
            var reader = BinaryReader(bytes)
            let decoded = try RepeatBuyers(from: &reader)
            #expect(reader.isAtEnd)
            #expect(decoded == summary)
            #expect(decoded.count == summary.count)
            #expect(Self.encoded(decoded) == bytes)
        }
    }

    /// Pairs are written sorted whichever way they are sorted: packed with their states and
    /// radix sorted when users and merchants span at most 48 bits, compared otherwise (ids
    /// across all of Int64). The decoder refuses pairs out of order, and insertion order
    /// must not change a byte.
    @Test(arguments: [Int64(1), 1 << 40])
    func encodingIsSortedForIdsOfAnyRange(spread: Int64) throws {
        let list = Self.purchases(count: 4_000, users: 1_000, seed: 9).map {
            Purchase(user: $0.user &* spread, merchant: $0.merchant % 2 == 0 ? $0.merchant : -$0.merchant &* spread, day: $0.day)
        }
        let summary = Self.summarize(list)
        let bytes = Self.encoded(summary)
        var reader = BinaryReader(bytes)
        #expect(try RepeatBuyers(from: &reader) == summary)
        #expect(Self.encoded(Self.summarize(list.reversed())) == bytes)
        #expect(summary.count == Self.oracle(list).repeatUsers)
    }

    @Test func damagedBytesThrow() throws {
        let summary = Self.summarize(Self.purchases(count: 1_000, users: 300, seed: 6), capacity: 200)
        let bytes = Self.encoded(summary)
        for length in 0..<bytes.count {
            var reader = BinaryReader(Array(bytes[..<length]))
            #expect(throws: SummaryDecodingError.self) { try RepeatBuyers(from: &reader) }
        }
        let unsampled = (0..<Int64(100)).first { RepeatBuyers.hash($0).leadingZeroBitCount == 0 }!
        func encoding(version: UInt8 = 1, capacity: UInt64 = 10, level: UInt8 = 0, pairs: [(user: Int64, merchant: UInt64, day: UInt64)]) -> [UInt8] {
            var writer = BinaryWriter()
            writer.write(version)
            writer.write(varint: capacity)
            writer.write(level)
            writer.write(varint: UInt64(pairs.count))
            for (index, pair) in pairs.enumerated() {
                if index == 0 { writer.write(signedVarint: pair.user) } else { writer.write(varint: UInt64(pair.user)) }
                writer.write(varint: pair.merchant)
                writer.write(varint: pair.day)
            }
            return writer.bytes
        }
        var valid = BinaryReader(encoding(pairs: [(3, 4, 20 << 1 | 1), (0, 1, 7 << 1)]))
        #expect(try RepeatBuyers(from: &valid).count == 1)
        let damaged: [String: [UInt8]] = [
            "unknown version": encoding(version: 9, pairs: []),
            "capacity 0": encoding(capacity: 0, pairs: []),
            "more pairs than the capacity": encoding(capacity: 1, pairs: [(3, 4, 0), (0, 1, 0)]),
            "pairs out of order": encoding(pairs: [(3, 4, 0), (0, 0, 0)]),
            "a day out of range": encoding(pairs: [(3, 4, 372 << 1)]),
            "a level above 65": encoding(level: 66, pairs: []),
            "a user outside the sample": encoding(level: 1, pairs: [(unsampled, 4, 0)]),
        ]
        for (why, bytes) in damaged {
            var reader = BinaryReader(bytes)
            #expect(throws: SummaryDecodingError.self, "\(why)") { try RepeatBuyers(from: &reader) }
        }
        var random = Xoshiro(seed: 9)
        for _ in 0..<2_000 {
            var garbage = bytes
            for _ in 0..<3 { garbage[Int.random(in: 0..<garbage.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            var reader = BinaryReader(garbage)
            if let decoded = try? RepeatBuyers(from: &reader) { #expect(decoded.pairCount <= decoded.capacity) }
        }
    }
}
