import PropertyBased
import Testing
@testable import Analytics

/// Against a dictionary of the true counts of the whole stream.
@Suite struct FrequentItemsTests {
    typealias Oracle = [Int64: Int64]

    /// Adds `events` to a fresh summary and to the oracle.
    static func summarize(_ events: [(id: Int64, weight: Int64)], capacity: Int, into oracle: inout Oracle) -> FrequentItems {
        var summary = FrequentItems(capacity: capacity)
        for (id, weight) in events {
            summary.add(id, weight: weight)
            oracle[id, default: 0] += weight
        }
        return summary
    }

    static func zipfEvents(count: Int, distinct: Int, maxWeight: Int64 = 1, seed: UInt64) -> [(id: Int64, weight: Int64)] {
        var random = Xoshiro(seed: seed)
        return (0..<count).map { _ in (random.zipf(distinct: distinct), Int64.random(in: 1...maxWeight, using: &random)) }
    }

    /// The oracle's ranking: count descending, then id ascending.
    static func ranking(_ oracle: Oracle) -> [FrequentItems.Entry] {
        oracle.map { FrequentItems.Entry(id: $0.key, count: $0.value, bound: 0) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
    }

    /// The documented guarantees, checked id by id against the true counts.
    static func expectGuarantees(_ summary: FrequentItems, _ oracle: Oracle, sourceLocation: SourceLocation = #_sourceLocation) {
        let n = oracle.values.reduce(0, +)
        let k = Int64(summary.capacity)
        #expect(summary.total == n, sourceLocation: sourceLocation)
        #expect(summary.entries.count <= summary.capacity + summary.capacity / 4 + 1, sourceLocation: sourceLocation)
        #expect(summary.floor * k <= n, "floor \(summary.floor) above N/k", sourceLocation: sourceLocation)
        let excess = summary.entries.reduce(0) { $0 + $1.count - summary.floor }
        #expect(k * summary.floor + excess <= n, sourceLocation: sourceLocation)
        let topIDs = Set(summary.top(summary.capacity).map(\.id))
        var violations: [String] = []
        for (id, truth) in oracle {
            let estimate = summary.estimate(id)
            if !(estimate.count - estimate.bound...estimate.count).contains(truth) || estimate.bound > summary.floor {
                violations.append("id \(id): truth \(truth), estimate \(estimate), floor \(summary.floor)")
            }
            if truth * k > n && !topIDs.contains(id) { violations.append("heavy id \(id) (\(truth) of \(n)) not in top(k)") }
        }
        for entry in summary.entries where oracle[entry.id] == nil && entry.count - entry.bound > 0 {
            violations.append("never-seen id \(entry.id) has a positive lower bound")
        }
        #expect(violations.isEmpty, "\(violations.prefix(5))", sourceLocation: sourceLocation)
    }

    @Test func exactWhileDistinctIdsFitTheCapacity() {
        var random = Xoshiro(seed: 1)
        let ids = (0..<100).map { _ in Int64.random(in: -1_000_000...1_000_000, using: &random) }
        let events = (0..<5_000).map { _ in (ids.randomElement(using: &random)!, Int64.random(in: 1...5, using: &random)) }
        var oracle: Oracle = [:]
        let summary = Self.summarize(events, capacity: Set(ids).count, into: &oracle)
        #expect(summary.floor == 0)
        #expect(summary.entries.count == oracle.count)
        for (id, truth) in oracle { #expect(summary.estimate(id) == .init(count: truth, bound: 0)) }
        #expect(summary.estimate(2_000_000) == .init(count: 0, bound: 0))
        let expected = Self.ranking(oracle)
        #expect(summary.top(10) == Array(expected.prefix(10)))
        #expect(summary.top(1_000) == expected)
        #expect(summary.top(0) == [])
    }

    @Test func topBreaksTiesByAscendingID() {
        var summary = FrequentItems(capacity: 8)
        for id: Int64 in [9, 3, 7, 5] { summary.add(id, weight: 2) }
        summary.add(1)
        #expect(summary.top(3).map(\.id) == [3, 5, 7])
        #expect(summary.top(5).map(\.id) == [3, 5, 7, 9, 1])
    }

    @Test(arguments: [(maxWeight: Int64(1), seed: UInt64(2)), (maxWeight: 40, seed: 3)])
    func zipfStreamFarBeyondTheCapacityStaysWithinItsBounds(maxWeight: Int64, seed: UInt64) {
        let events = Self.zipfEvents(count: 200_000, distinct: 100_000, maxWeight: maxWeight, seed: seed)
        var oracle: Oracle = [:]
        let summary = Self.summarize(events, capacity: 256, into: &oracle)
        #expect(oracle.count > 20 * summary.capacity)
        #expect(summary.floor > 0)
        Self.expectGuarantees(summary, oracle)
        // Space-Saving finds the head of a Zipf stream: the true top 10, in order.
        #expect(summary.top(10).map(\.id) == Self.ranking(oracle).prefix(10).map(\.id))
    }

    @Test func theFloorIsZeroUntilAPurge() {
        var summary = FrequentItems(capacity: 3)
        for id: Int64 in [1, 2, 3, 1, 2, 3, 1, 4] { summary.add(id) }
        // Four ids fit in the slack above k = 3: still exact.
        #expect(summary.storageLimit == 4)
        #expect(summary.floor == 0)
        #expect(summary.estimate(4) == .init(count: 1, bound: 0))
        summary.add(5)
        // The purge: the 4th largest count (4's 1) is the floor, 4 goes, 5 starts at floor + 1.
        #expect(summary.floor == 1)
        #expect(summary.estimate(5) == .init(count: 2, bound: 1))
        #expect(summary.estimate(4) == .init(count: 1, bound: 1))
        #expect(summary.estimate(1) == .init(count: 3, bound: 0))
        #expect(summary.estimate(2) == .init(count: 2, bound: 0))
        #expect(summary.entries.count == 4)
    }

    @Test func mergeRaisesTheFloorToTheLargestDroppedCount() {
        var a = FrequentItems(capacity: 2)
        a.add(1, weight: 10)
        a.add(2, weight: 7)
        var b = FrequentItems(capacity: 2)
        b.add(3, weight: 9)
        b.add(1, weight: 1)
        a.merge(b)
        // Union 1: 11, 3: 9, 2: 7 (all exact); 2 is dropped, so the floor becomes 7.
        #expect(a.top(2) == [.init(id: 1, count: 11, bound: 0), .init(id: 3, count: 9, bound: 0)])
        #expect(a.floor == 7)
        #expect(a.estimate(2) == .init(count: 7, bound: 7))
        #expect(a.total == 27)
    }

    @Test func mergedRandomSplitsKeepTheGuaranteesOfTheWholeStream() async {
        await propertyCheck(count: 25, input: Gen.uint64(in: 0 ... .max), Gen.int(in: 2...6)) { seed, parts in
            let events = Self.zipfEvents(count: 8_000, distinct: 5_000, maxWeight: 4, seed: seed)
            var random = Xoshiro(seed: seed ^ 0xabc)
            var splits = Array(repeating: [(id: Int64, weight: Int64)](), count: parts)
            for event in events { splits[Int.random(in: 0..<parts, using: &random)].append(event) }
            var unused: Oracle = [:]
            var summaries = splits.map { Self.summarize($0, capacity: 64, into: &unused) }
            // Merge in a random tree: any two, until one is left.
            while summaries.count > 1 {
                let a = summaries.remove(at: Int.random(in: 0..<summaries.count, using: &random))
                var b = summaries.remove(at: Int.random(in: 0..<summaries.count, using: &random))
                var ab = a
                ab.merge(b)
                b.merge(a)
                #expect(ab == b, "merge is not commutative")
                summaries.append(ab)
            }
            var oracle: Oracle = [:]
            for (id, weight) in events { oracle[id, default: 0] += weight }
            Self.expectGuarantees(summaries[0], oracle)
        }
    }

    @Test func mergesStayExactWhileTheUnionFits() async {
        await propertyCheck(count: 25, input: Gen.uint64(in: 0 ... .max)) { seed in
            var random = Xoshiro(seed: seed)
            let ids = (0..<50).map { _ in Int64.random(in: 0...10_000, using: &random) }
            let capacity = Set(ids).count
            let events = (0..<3_000).map { _ in (ids.randomElement(using: &random)!, Int64.random(in: 1...3, using: &random)) }
            var oracle: Oracle = [:]
            let whole = Self.summarize(events, capacity: capacity, into: &oracle)
            let cuts = [Int.random(in: 0...1_000, using: &random), Int.random(in: 1_000...3_000, using: &random)]
            var unused: Oracle = [:]
            let a = Self.summarize(Array(events[..<cuts[0]]), capacity: capacity, into: &unused)
            let b = Self.summarize(Array(events[cuts[0]..<cuts[1]]), capacity: capacity, into: &unused)
            let c = Self.summarize(Array(events[cuts[1]...]), capacity: capacity, into: &unused)
            var left = a
            left.merge(b)
            left.merge(c)
            var right = b
            right.merge(c)
            var bc = a
            bc.merge(right)
            #expect(left == whole)
            #expect(bc == whole)
            #expect(left.floor == 0 && left.entries.allSatisfy { $0.bound == 0 && $0.count == oracle[$0.id] })
        }
    }

    /// Sides that purged (floors above 0) but keep few ids, so their union fits: the merge
    /// is Agarwal et al.'s rule with nothing purged — each id either side tracks gets the
    /// sum of its two estimates (an untracked side's floor), the floors and totals add up —
    /// and the merged stream's guarantees hold.
    @Test func mergesOfPurgedSidesWhoseUnionFitsAddTheEstimates() async {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0 ... .max)) { seed in
            var random = Xoshiro(seed: seed)
            let capacity = Int.random(in: 8...32, using: &random)
            // Singletons that force purges — a multiple of the storage limit plus one, so the
            // last purge leaves one tracked — then a few heavy ids, shared or not.
            let singletons = Int64(3 * (capacity + max(1, capacity / 4)))
            func stream(from start: Int64) -> [(id: Int64, weight: Int64)] {
                var events = (start...start + singletons).map { (id: $0, weight: Int64(1)) }.shuffled(using: &random)
                for _ in 0..<Int.random(in: 1...(capacity / 3), using: &random) {
                    events.append((Int64.random(in: 1...6, using: &random), Int64.random(in: 3...40, using: &random)))
                }
                return events
            }
            let first = stream(from: 1_000)
            let second = stream(from: 5_000)
            var unused: Oracle = [:]
            let a = Self.summarize(first, capacity: capacity, into: &unused)
            let b = Self.summarize(second, capacity: capacity, into: &unused)
            let ids = Set(a.entries.map(\.id)).union(b.entries.map(\.id))
            #expect(ids.count <= capacity && a.floor > 0 && b.floor > 0)
            var merged = a
            merged.merge(b)
            #expect(merged.floor == a.floor + b.floor && merged.total == a.total + b.total)
            #expect(merged.entries.count == ids.count)
            for id in ids {
                let (x, y) = (a.estimate(id), b.estimate(id))
                #expect(merged.estimate(id) == .init(count: x.count + y.count, bound: x.bound + y.bound), "id \(id)")
            }
            var oracle: Oracle = [:]
            for (id, weight) in first + second { oracle[id, default: 0] += weight }
            Self.expectGuarantees(merged, oracle)
        }
    }

    @Test func emptyIsTheIdentity() {
        var unused: Oracle = [:]
        let full = Self.summarize(Self.zipfEvents(count: 5_000, distinct: 2_000, seed: 4), capacity: 32, into: &unused)
        #expect(full.floor > 0)
        var left = FrequentItems(capacity: 32)
        left.merge(full)
        var right = full
        right.merge(FrequentItems(capacity: 32))
        #expect(left == full)
        #expect(right == full)
    }

    @Test func mergingDifferentCapacitiesKeepsTheSmaller() {
        var unused: Oracle = [:]
        var oracle: Oracle = [:]
        let events = Self.zipfEvents(count: 6_000, distinct: 3_000, seed: 5)
        var small = Self.summarize(Array(events[..<3_000]), capacity: 16, into: &unused)
        small.merge(Self.summarize(Array(events[3_000...]), capacity: 64, into: &unused))
        for (id, weight) in events { oracle[id, default: 0] += weight }
        #expect(small.capacity == 16)
        Self.expectGuarantees(small, oracle)
    }

    static func roundTrip(_ summary: FrequentItems) throws -> (FrequentItems, [UInt8]) {
        var writer = BinaryWriter()
        summary.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        let decoded = try FrequentItems(from: &reader)
        #expect(reader.isAtEnd)
        return (decoded, writer.bytes)
    }

    @Test func encodingRoundTrips() throws {
        var unused: Oracle = [:]
        let samples = [
            FrequentItems(capacity: 16_384),
            Self.summarize([(-5, 1), (Int64.min, 2), (Int64.max, 3), (0, 4)], capacity: 8, into: &unused),
            Self.summarize(Self.zipfEvents(count: 20_000, distinct: 10_000, maxWeight: 9, seed: 6), capacity: 128, into: &unused),
        ]
        for summary in samples {
            let (decoded, bytes) = try Self.roundTrip(summary)
            #expect(decoded == summary)
            #expect(try Self.roundTrip(decoded).1 == bytes, "equal values must encode to equal bytes")
        }
    }

    @Test func damagedBytesThrow() throws {
        var unused: Oracle = [:]
        let summary = Self.summarize(Self.zipfEvents(count: 2_000, distinct: 500, seed: 7), capacity: 32, into: &unused)
        let bytes = try Self.roundTrip(summary).1
        for length in 0..<bytes.count {
            var reader = BinaryReader(Array(bytes[..<length]))
            #expect(throws: SummaryDecodingError.self) { try FrequentItems(from: &reader) }
        }
        func encoding(version: UInt8 = 1, capacity: UInt64 = 4, total: UInt64 = 10, floor: UInt64 = 1,
                      entries: [(idDelta: UInt64, excess: UInt64, bound: UInt64)]) -> [UInt8] {
            var writer = BinaryWriter()
            writer.write(version)
            for value in [capacity, total, floor, UInt64(entries.count)] { writer.write(varint: value) }
            // The first id is zigzag-encoded: 2 is id 1.
            for entry in entries { for value in [entry.idDelta, entry.excess, entry.bound] { writer.write(varint: value) } }
            return writer.bytes
        }
        var valid = BinaryReader(encoding(entries: [(2, 3, 1), (1, 2, 0)]))
        #expect(try FrequentItems(from: &valid).estimate(1) == .init(count: 4, bound: 1))
        let damaged: [String: [UInt8]] = [
            "unknown version": encoding(version: 2, entries: []),
            "capacity 0": encoding(capacity: 0, entries: []),
            "more entries than the storage limit": encoding(capacity: 1, total: 30, entries: [(2, 1, 0), (1, 1, 0), (1, 1, 0)]),
            "ids out of order": encoding(entries: [(2, 3, 1), (0, 1, 0)]),
            "a count at the floor": encoding(entries: [(2, 3, 1), (1, 0, 0)]),
            "a bound above the floor": encoding(entries: [(2, 3, 2)]),
            "a floor above N/k": encoding(floor: 3, entries: []),
            "counts above the total": encoding(entries: [(2, 8, 0)]),
            "a total above 2⁶³": encoding(total: .max, entries: []),
            "an id overflowing": encoding(entries: [(UInt64.max - 3, 1, 0), (5, 1, 0)]),  // Int64.max − 1, then + 5
        ]
        for (why, bytes) in damaged {
            var reader = BinaryReader(bytes)
            #expect(throws: SummaryDecodingError.self, "\(why)") { try FrequentItems(from: &reader) }
        }
        // Random garbage: an error or a value, never a trap.
        var random = Xoshiro(seed: 8)
        for _ in 0..<2_000 {
            var garbage = bytes
            for _ in 0..<3 { garbage[Int.random(in: 0..<garbage.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            var reader = BinaryReader(garbage)
            if let decoded = try? FrequentItems(from: &reader) { #expect(decoded.entries.count <= decoded.storageLimit) }
        }
    }
}
