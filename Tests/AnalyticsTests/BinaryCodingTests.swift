import PropertyBased
import Testing
@testable import Analytics

@Suite struct BinaryCodingTests {
    @Test func integersAndVarintsRoundTrip() throws {
        let unsigned: [UInt64] = [0, 1, 127, 128, 300, 1 << 32, .max]
        let signed: [Int64] = [0, -1, 1, -64, 64, .min, .max]
        var writer = BinaryWriter()
        for v in unsigned { writer.write(varint: v) }
        for v in signed { writer.write(signedVarint: v) }
        writer.write(fixed: UInt32(0xdead_beef))
        writer.write(bytes: [1, 2, 3])
        var reader = BinaryReader(writer.bytes)
        for v in unsigned { #expect(try reader.readVarint() == v) }
        for v in signed { #expect(try reader.readSignedVarint() == v) }
        #expect(try reader.read(fixed: UInt32.self) == 0xdead_beef)
        #expect(Array(try reader.readBytes()) == [1, 2, 3])
        #expect(reader.isAtEnd)
    }

    @Test func smallVarintsTakeOneByte() {
        var writer = BinaryWriter()
        writer.write(varint: 127)
        writer.write(signedVarint: -1)
        #expect(writer.bytes.count == 2)
    }

    @Test func damagedBytesThrowInsteadOfTrapping() {
        var short = BinaryReader([0x80])
        #expect(throws: SummaryDecodingError.truncated) { try short.readVarint() }
        var long = BinaryReader([UInt8](repeating: 0xff, count: 11))
        #expect(throws: SummaryDecodingError.self) { try long.readVarint() }
        var huge = BinaryReader([0xff, 0xff, 0x03, 1])
        #expect(throws: SummaryDecodingError.self) { try huge.readBytes() }
        var fixed = BinaryReader([1, 2])
        #expect(throws: SummaryDecodingError.truncated) { try fixed.read(fixed: UInt32.self) }
    }

    /// The raw writer writes exactly what the appending writer does, and the unused
    /// reservation is given back.
    @Test func rawWritesEqualAppendedOnes() {
        let values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, 1 << 40, .max]
        var appended = BinaryWriter()
        appended.write(7)
        for v in values { appended.write(varint: v) }
        var raw = BinaryWriter()
        raw.write(atMost: 1 + values.count * 10 + 50) { out in
            out.write(7)
            for v in values { out.write(varint: v) }
        }
        #expect(raw.bytes == appended.bytes)
    }

    /// Against a plain comparison sort, on key sets that take every path: packed and radix
    /// sorted (small ranges, ties, one key, none) and compared (a range that leaves no room).
    @Test func ascendingOrderIsAStableSortByKey() {
        var random = Xoshiro(seed: 7)
        let sets: [[UInt64]] = [
            [], [42], [3, 1, 2, 1, 3, 0],
            (0..<5_000).map { _ in random.next() % 1_000 },
            (0..<20_000).map { _ in random.next() % (1 << 40) },
            (0..<3_000).map { _ in random.next() },
            [0, .max, 1, .max - 1, 1 << 63],
        ]
        for keys in sets {
            #expect(AscendingOrder.positions(of: keys) == keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) })
        }
        let signed: [Int64] = [.min, -1, 0, 1, .max, -5]
        #expect(AscendingOrder.positions(of: signed.map(AscendingOrder.key)) == signed.indices.sorted { signed[$0] < signed[$1] })
    }
}
