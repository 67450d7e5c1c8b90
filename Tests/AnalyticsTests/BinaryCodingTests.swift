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
}
