import Formatting
import Testing

/// The number texts people read, against values written out by hand.
@Suite struct FormatTests {
    @Test func zeroPaddingFillsToTheWidthAndNeverCuts() {
        #expect(Format.zeroPadded(7, width: 2) == "07")
        #expect(Format.zeroPadded(11, width: 2) == "11")
        #expect(Format.zeroPadded(123, width: 2) == "123")
        #expect(Format.zeroPadded(0, width: 3) == "000")
        #expect(Format.zeroPadded(UInt32(0x1f), width: 8, radix: 16) == "0000001f")
        #expect(Format.zeroPadded(UInt32.max, width: 8, radix: 16) == "ffffffff")
        #expect(Format.zeroPadded(UInt8(0x0a), width: 2, radix: 16, uppercase: true) == "0A")
        #expect(Format.zeroPadded(UInt32(0x1b), width: 4, radix: 16) == "001b")
    }

    @Test func decimalsKeepTheirLeadingZeros() {
        #expect(Format.decimals(3.05, 2) == "3.05")
        #expect(Format.decimals(3.5, 2) == "3.50")
        #expect(Format.decimals(12.0, 1) == "12.0")
        #expect(Format.decimals(2.4, 0) == "2")
        #expect(Format.percent(0.071) == "7.1%")
    }
}
