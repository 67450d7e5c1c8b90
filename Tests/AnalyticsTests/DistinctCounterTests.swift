import PropertyBased
import Testing
@testable import Analytics

/// Seeded ids for the tests (SplitMix64, written out here so the tests need no other module).
private struct SeededIDs {
    var state: UInt64
    mutating func next() -> Int64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int64(bitPattern: z ^ (z >> 31))
    }
}

private func counter(of ids: some Sequence<Int64>, precision: Int = 14) -> DistinctCounter {
    var counter = DistinctCounter(precision: precision)
    for id in ids { counter.insert(hash: DistinctCounter.hash(id)) }
    return counter
}

private func encoded(_ counter: DistinctCounter) -> [UInt8] {
    var writer = BinaryWriter()
    counter.encode(into: &writer)
    return writer.bytes
}

private func decoded(_ bytes: [UInt8]) throws(SummaryDecodingError) -> DistinctCounter {
    var reader = BinaryReader(bytes)
    return try DistinctCounter(from: &reader)
}

/// A straightforward HyperLogLog: one byte per register, index = the top p bits, value =
/// 1 + the leading zeros of the remaining 64 − p bits (64 − p + 1 when they are all zero).
private func referenceRegisters(_ hashes: some Sequence<UInt64>, precision p: Int) -> [Int] {
    var registers = [Int](repeating: 0, count: 1 << p)
    for hash in hashes {
        let index = Int(hash >> UInt64(64 - p))
        var rank = 1
        var bit = 63 - p
        while bit >= 0 && (hash >> UInt64(bit)) & 1 == 0 {
            rank += 1
            bit -= 1
        }
        registers[index] = max(registers[index], rank)
    }
    return registers
}

@Suite struct DistinctCounterTests {
    // MARK: The hash

    @Test func hashIsTheSplitMix64StreamOfTheId() {
        // SplitMix64 seeded with 0 yields these first (published reference outputs).
        #expect(DistinctCounter.hash(1) == 0xE220_A839_7B1D_CDAF)
        #expect(DistinctCounter.hash(2) == 0x6E78_9E6A_A1B9_65F4)
        #expect(DistinctCounter.hash(-1) == 0x3365_03C6_B835_BEC0)
        #expect(DistinctCounter.hash(0) == 0)
    }

    // MARK: Exact range

    @Test(arguments: ["sequential", "random"])
    func exactThroughTheWholeSmallRange(ids kind: String) {
        let limit = DistinctCounter().exactLimit
        #expect(limit >= 1_000)
        // Every id arrives twice or more, as users come back.
        var random = SeededIDs(state: 7)
        let fresh = (0..<limit).map { kind == "sequential" ? Int64($0) : random.next() }
        var sketch = DistinctCounter()
        var truth = Set<Int64>()
        for (i, id) in fresh.enumerated() {
            for repeated in [id, fresh[i / 2], id] {
                sketch.insert(hash: DistinctCounter.hash(repeated))
                truth.insert(repeated)
                #expect(sketch.isExact && sketch.estimate == truth.count && sketch.relativeStandardError == 0, "\(kind) ids at \(truth.count)")
            }
        }
        #expect(sketch.estimate == limit)
        sketch.insert(hash: DistinctCounter.hash(-42))
        #expect(!sketch.isExact, "the next new user turns it dense")
        #expect(abs(sketch.relativeStandardError - 1.04 / 128) < 1e-12)
        #expect(abs(sketch.estimate - (limit + 1)) <= (limit + 1) / 50)
    }

    @Test func zeroHashIsCountedOnce() {
        var sketch = DistinctCounter()
        for _ in 0..<3 { sketch.insert(hash: 0) }
        sketch.insert(hash: 1)
        #expect(sketch.estimate == 2)
        #expect(sketch == DistinctCounter().merging(hashes: [1, 0]))
        #expect(sketch != DistinctCounter().merging(hashes: [1, 2]))
    }

    @Test func aFewUsersTakeFewBytes() {
        let dense = counter(of: 0..<Int64(2_000))
        #expect(counter(of: 0..<Int64(10)).memoryFootprint <= 256)
        var small = DistinctCounter()
        for id in 0..<Int64(DistinctCounter().exactLimit) {
            small.insert(hash: DistinctCounter.hash(id))
            #expect(small.memoryFootprint <= dense.memoryFootprint)
        }
        #expect(dense.memoryFootprint <= 12 * 1024 + 512)
    }

    // MARK: Dense range

    @Test(arguments: [14, 4, 18])
    func registersMatchAReferenceSketch(precision: Int) {
        var ids = SeededIDs(state: UInt64(precision))
        let hashes = (0..<60_000).map { _ in DistinctCounter.hash(ids.next()) } + [0, 1, .max]
        var counter = DistinctCounter(precision: precision)
        for hash in hashes { counter.insert(hash: hash) }
        #expect(!counter.isExact)
        let reference = referenceRegisters(hashes, precision: precision)
        #expect((0..<reference.count).allSatisfy { counter.register($0) == reference[$0] })
    }

    /// The spec's promise, on the dataset's kind of ids (sequential) and on random ones,
    /// checked along the stream at every 5 % step of the count from 1,000 to 1,000,000.
    @Test(arguments: ["sequential", "random"])
    func within2PercentFrom1kTo1M(ids kind: String) {
        var counter = DistinctCounter()
        var random = SeededIDs(state: 2026)
        var next = 1_000
        var worst = 0.0
        for n in 1...1_000_000 {
            counter.insert(hash: DistinctCounter.hash(kind == "sequential" ? Int64(n) : random.next()))
            guard n == next else { continue }
            let error = abs(Double(counter.estimate) / Double(n) - 1)
            worst = max(worst, error)
            #expect(error <= 0.02, "\(kind) ids: \(counter.estimate) for \(n)")
            next = next * 21 / 20
        }
        #expect(worst > 0, "the dense range was reached")
    }

    /// Across independent streams the error behaves as stated: no bias (also at n ≈ 2.5 m,
    /// where raw HyperLogLog has its hump), standard deviation ≈ 1.04/√m, and within 2 %
    /// about 98.6 % of the time.
    @Test(arguments: [3_000, 40_000])
    func errorMatchesTheStatedBound(n: Int) {
        let trials = 200
        var errors: [Double] = []
        for trial in 0..<trials {
            var ids = SeededIDs(state: UInt64(trial) &* 1_000_003 &+ UInt64(n))
            var counter = DistinctCounter()
            for _ in 0..<n { counter.insert(hash: DistinctCounter.hash(ids.next())) }
            errors.append(Double(counter.estimate) / Double(n) - 1)
        }
        let mean = errors.reduce(0, +) / Double(trials)
        let sd = (errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(trials - 1)).squareRoot()
        let stated = 1.04 / 128
        #expect(abs(mean) < 0.002, "bias \(mean)")
        #expect(sd < stated * 1.15, "sd \(sd) against \(stated)")
        #expect(errors.filter { abs($0) <= 0.02 }.count >= trials * 96 / 100)
    }

    // MARK: Merging

    /// Random streams with repeats, cut in three at random points; distinct counts run from
    /// 0 to ~4,000, so the parts and their unions fall on both sides of the switch at 1,152.
    @Test func mergeIsTheSketchOfTheUnionStream() async {
        await propertyCheck(
            input: Gen.int64(in: 0...4_000).array(of: 0...6_000), Gen.int(in: 0...6_000), Gen.int(in: 0...6_000)
        ) { stream, cut1, cut2 in
            let cuts = [min(cut1, cut2, stream.count), min(max(cut1, cut2), stream.count)]
            let a = counter(of: stream[..<cuts[0]])
            let b = counter(of: stream[cuts[0]..<cuts[1]])
            let c = counter(of: stream[cuts[1]...])
            let whole = counter(of: stream)
            #expect(a.merging(b) == b.merging(a))
            #expect(a.merging(b).merging(c) == a.merging(b.merging(c)))
            #expect(a.merging(b).merging(c) == whole)
            #expect(a.merging(b).merging(c).estimate == whole.estimate)
            #expect(encoded(c.merging(a).merging(b)) == encoded(whole))
            #expect(a.empty.merging(a) == a && a.merging(a.empty) == a)
            #expect(whole.merging(whole) == whole)
            #expect(whole.isExact == (Set(stream).count <= whole.exactLimit))
        }
    }

    @Test func equalityTellsCountersApart() {
        for n in [0, 10, DistinctCounter().exactLimit] {
            #expect(counter(of: 0..<Int64(n)) != counter(of: 0...Int64(n)), "exact, n = \(n)")
            #expect(counter(of: 1..<Int64(n + 1)) != counter(of: 2..<Int64(n + 2)) || n == 0, "exact, same count, n = \(n)")
        }
        // Dense: a new id is visible exactly when it raises a register (by the reference).
        let ids = Array(0..<Int64(5_000))
        let base = counter(of: ids)
        let registers = referenceRegisters(ids.map(DistinctCounter.hash), precision: 14)
        var raising = 0
        var hidden = 0
        for id in 5_000..<Int64(5_200) {
            let raises = referenceRegisters([DistinctCounter.hash(id)], precision: 14).enumerated().contains { $0.element > registers[$0.offset] }
            #expect((counter(of: ids + [id]) != base) == raises, "id \(id)")
            if raises { raising += 1 } else { hidden += 1 }
        }
        #expect(raising > 0 && hidden > 0, "both cases were checked")
        #expect(DistinctCounter(precision: 12) != DistinctCounter(precision: 14))
    }

    // MARK: Encoding

    @Test(arguments: [0, 1, 10, 1_000, 1_152, 1_153, 3_000, 100_000])
    func encodingRoundTrips(n: Int) throws {
        let original = counter(of: (0..<Int64(n)).map { $0 * 31 })
        let bytes = encoded(original)
        var reader = BinaryReader(bytes + [0xAB])
        let copy = try DistinctCounter(from: &reader)
        #expect(copy == original)
        #expect(copy.estimate == original.estimate && copy.isExact == original.isExact)
        #expect(encoded(copy) == bytes)
        #expect(try reader.readByte() == 0xAB, "the decoder stops where the counter ends")
        var grown = copy
        grown.insert(hash: DistinctCounter.hash(-7))
        var expected = original
        expected.insert(hash: DistinctCounter.hash(-7))
        #expect(grown == expected, "a decoded counter keeps counting")
    }

    @Test(arguments: [4, 18])
    func encodingRoundTripsAtEveryPrecision(precision: Int) throws {
        for n in [0, 3, 50_000] {
            let original = counter(of: 0..<Int64(n), precision: precision)
            #expect(try decoded(encoded(original)) == original)
        }
    }

    @Test func truncatedBytesThrow() {
        for n in [0, 10, 1_100, 2_000, 100_000] {
            let bytes = encoded(counter(of: 0..<Int64(n)))
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 400)) {
                #expect(throws: SummaryDecodingError.truncated) { try decoded(Array(bytes[..<length])) }
            }
            #expect(throws: SummaryDecodingError.truncated) { try decoded(Array(bytes.dropLast())) }
        }
    }

    @Test func impossibleBytesThrow() {
        func invalid(_ bytes: [UInt8], _ why: Comment) {
            #expect(throws: SummaryDecodingError.self, why) { try decoded(bytes) }
        }
        let hashes = [UInt64(5), 9].flatMap { hash in (0..<8).map { UInt8(truncatingIfNeeded: hash >> ($0 * 8)) } }
        invalid([2, 14, 0, 0], "unknown version")
        invalid([1, 3, 0, 0], "precision too low")
        invalid([1, 19, 0, 0], "precision too high")
        invalid([1, 14, 3, 0], "unknown form")
        invalid([1, 14, 0, 0x81, 0x09], "more hashes than the exact range holds")
        invalid([1, 14, 0, 2] + hashes.suffix(8) + hashes.prefix(8), "hashes out of order")
        invalid([1, 14, 0, 2] + hashes.prefix(8) + hashes.prefix(8), "a repeated hash")
        invalid([1, 14, 2, 1, 0, 52], "a register above 64 − 14 + 1")
        invalid([1, 14, 2, 1, 0, 0], "a zero listed as nonzero")
        invalid([1, 14, 2, 2, 0x80, 0x80, 0x01, 3, 0, 3], "a register index beyond m")
        invalid([1, 14, 2, 0x81, 0x80, 0x01], "more registers than m")
        invalid([1, 4, 1] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0, 1, 0, 0, 0], "padding bits set")
        invalid([1, 4, 1] + [UInt8](repeating: 0xFF, count: 12) + [0, 0, 0, 0], "six-bit registers of 63")
        #expect(throws: Never.self) { try decoded([1, 4, 1] + [UInt8](repeating: 0, count: 16)) }
    }

    /// Damage the checksum does not catch cannot crash: flipped bytes either throw or
    /// decode to a counter that encodes and decodes like any other.
    @Test func flippedBytesNeverTrap() async {
        let samples = [10, 1_500, 50_000].map { encoded(counter(of: 0..<Int64($0))) }
        await propertyCheck(input: Gen.int(in: 0...2), Gen.int(in: 0...100_000), Gen.uint8(in: 1...255)) { which, at, flip in
            var bytes = samples[which]
            bytes[at % bytes.count] ^= flip
            if let damaged = try? decoded(bytes) {
                #expect((try? decoded(encoded(damaged))) == damaged)
                #expect(damaged.estimate >= 0)
            }
        }
        let allAtMaximum = try? decoded([1, 4, 2, 16] + (0..<16).flatMap { _ in [UInt8(0), 61] })
        #expect(allAtMaximum.map { $0.estimate > 0 } == true, "registers all at their maximum still give a number")
    }
}

extension DistinctCounter {
    fileprivate func merging(hashes: [UInt64]) -> DistinctCounter {
        var result = self
        for hash in hashes { result.insert(hash: hash) }
        return result
    }
}
