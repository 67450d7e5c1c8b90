import Generator
import Testing
@testable import UserBehavior

/// The word-at-a-time reads of `PlainBytes` against the rule they implement, read one byte
/// at a time here: at every offset of random inputs, so that runs meet the input's end,
/// other bytes, and 8 digits or more.
@Suite struct PlainBytesTests {
    /// Digits, the bytes around them in ASCII, and bytes of UTF-8 text.
    private static let alphabet: [UInt8] = Array("0123456789".utf8) + Array("0000,.-/:\"e ".utf8) + [0x00, 0x7F, 0x80, 0xB0, 0xB9, 0xE6, 0xFF]

    /// What `digits` must answer: up to 18 digits, only one if it is a 0 that JSON's rule
    /// forbids to lead; and how many bytes it must step over.
    private static func expected(_ bytes: ArraySlice<UInt8>, leadingZeros: Bool) -> (value: Int64, count: Int)? {
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let run = bytes.prefix(while: isDigit).prefix(18)
        guard let first = run.first else { return nil }
        if !leadingZeros && first == UInt8(ascii: "0") { return (0, 1) }
        return (run.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }, run.count)
    }

    @Test func digitsAtEveryOffsetAsByteByByte() {
        var rng = SplitMix64(seed: 41)
        for _ in 0..<3_000 {
            let bytes = (0..<Int.random(in: 0...30, using: &rng)).map { _ in
                // Long runs of digits half of the time.
                Bool.random(using: &rng) ? UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng)
                    : Self.alphabet.randomElement(using: &rng)!
            }
            for offset in 0...bytes.count {
                for leadingZeros in [false, true] {
                    bytes[offset...].withUnsafeBytes { input in
                        var cursor = PlainBytes(input)!
                        let value = cursor.digits(leadingZeros: leadingZeros)
                        let want = Self.expected(bytes[offset...], leadingZeros: leadingZeros)
                        #expect(value == want?.value, "\(bytes[offset...]) leadingZeros \(leadingZeros)")
                        #expect(input.count - cursor.rest.count == (want?.count ?? 0), "\(bytes[offset...])")
                    }
                }
            }
        }
    }

    @Test func digitRunKeepsTheBytesItWasReadFrom() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 1...24, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! }
            bytes.withUnsafeBytes { input in
                var cursor = PlainBytes(input)!
                guard let run = cursor.digitRun(leadingZeros: true) else { return }
                #expect(Array(UnsafeBufferPointer(start: run.start, count: run.count)) == Array(bytes.prefix(run.count)))
                var written = [UInt8](repeating: 0xAA, count: 20)
                let count = written.withUnsafeMutableBytes { run.write(into: $0.baseAddress!) }
                #expect(count == run.count)
                #expect(Array(written.prefix(count)) == Array(bytes.prefix(count)), "\(bytes)")
            }
        }
    }

    /// `plainText` reads eight bytes at a time: its answer and where it stops, at every
    /// offset, against the rule read one byte at a time (text up to a quote; nil at a
    /// backslash, a control character or the end).
    @Test func plainTextAtEveryOffsetAsByteByByte() {
        var rng = SplitMix64(seed: 44)
        let textBytes = Array("ab 09浙江}".utf8) + [0x1F, 0x20, 0x21, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF, 0x00, 0x0A, 0x22]
        for _ in 0..<3_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                // Mostly text, so that long runs reach a stop past the first eight bytes.
                Int.random(in: 0..<10, using: &rng) < 8 ? UInt8(ascii: "a") + UInt8.random(in: 0...25, using: &rng)
                    : textBytes.randomElement(using: &rng)!
            }
            for offset in 0...bytes.count {
                bytes[offset...].withUnsafeBytes { input in
                    var cursor = PlainBytes(input)!
                    let text = cursor.plainText().map { Array($0) }
                    let rest = bytes[offset...]
                    let stop = rest.firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }
                    let want = stop.flatMap { bytes[$0] == UInt8(ascii: "\"") ? Array(bytes[offset..<$0]) : nil }
                    #expect(text == want, "\(rest)")
                    if want != nil { #expect(input.count - cursor.rest.count == stop! - offset, "\(rest)") }
                }
            }
        }
    }

    @Test func wordValueOfEveryLength() {
        var rng = SplitMix64(seed: 43)
        for _ in 0..<5_000 {
            let count = Int.random(in: 1...8, using: &rng)
            let digits = (0..<count).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng) }
            let after = (count..<8).map { _ in Self.alphabet.randomElement(using: &rng)! }
            let word = (digits + after).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let value = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
            #expect(DigitWord.value(UInt64(littleEndian: word), count: count) == value, "\(digits)")
        }
    }

    @Test func literalMatchesOnlyItsExactBytes() {
        let text: StaticString = #","merchant_id":"#
        let literal = Array(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        for cut in 0...literal.count {
            // Shorter than the literal: no match, even where every byte there agrees.
            Array(literal.prefix(cut)).withUnsafeBytes { input in
                var cursor = PlainBytes(input)
                let matched = cursor?.literal(text) ?? false
                #expect(matched == (cut == literal.count))
            }
        }
        for position in literal.indices {
            var changed = literal + Array("1".utf8)
            changed[position] ^= 0x01
            changed.withUnsafeBytes { input in
                var cursor = PlainBytes(input)!
                let matched = cursor.literal(text)
                #expect(!matched, "byte \(position) changed")
                #expect(cursor.rest.count == input.count, "nothing stepped over")
            }
        }
        (literal + Array("123".utf8)).withUnsafeBytes { input in
            var cursor = PlainBytes(input)!
            let matched = cursor.literal(text)
            #expect(matched)
            let value = cursor.digits(leadingZeros: false)
            #expect(value == 123)
        }
    }

    @Test func everyProvinceNameIsWrittenExactlyWithNothingPastIt() {
        for province in Province.all {
            var buffer = [UInt8](repeating: 0xAA, count: 24)
            let count = buffer.withUnsafeMutableBytes { Province.writeUTF8Name(of: province, into: $0.baseAddress!) }
            #expect(Array(buffer.prefix(count)) == Array(province.name.utf8))
            #expect(buffer[count...].allSatisfy { $0 == 0xAA }, "\(province.name)")
        }
    }

    @Test func aNameOneByteOffIsNoCanonicalName() {
        for name in Province.names {
            let bytes = Array(name.utf8)
            for position in bytes.indices {
                var changed = bytes
                changed[position] &+= 1
                // Nil, or (where the edit spells another name) another province.
                let found = changed.withUnsafeBytes { Province(utf8: $0) }
                #expect(found == nil || found != Province(name), "\(name) byte \(position)")
            }
        }
    }
}
