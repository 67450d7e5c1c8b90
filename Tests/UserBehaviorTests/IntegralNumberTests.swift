import Testing
import UserBehavior

@Suite struct IntegralNumberTests {
    private func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { IntegralNumber.parse(UnsafeRawBufferPointer($0)) }
    }

    @Test(arguments: [
        ("0", 0), ("42", 42), ("-7", -7), ("+3", 3), ("2661.0", 2661), ("2661.000", 2661),
        ("2.661e3", 2661), ("2661E0", 2661), ("26610e-1", 2661), ("1e18", 1_000_000_000_000_000_000),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min), ("007", 7),
        // More digits than Int64 holds, but the extra ones are zeros an exponent or the
        // decimal point cancels (found by fuzzing).
        ("-92233720850364775.00", -92_233_720_850_364_775), ("1234567890123456789.0", 1_234_567_890_123_456_789),
        ("100000000000000000000e-2", 1_000_000_000_000_000_000), ("0.000000000000000000000001e24", 1),
        ("-922337203685477580.8e1", Int64.min),
    ] as [(String, Int64)])
    func wholeNumbers(text: String, value: Int64) {
        #expect(parse(text) == value)
    }

    @Test(arguments: [
        "", "-", "+", ".", "2661.5", "0.1", "1e", "1e+", "12abc", "abc", " 1", "1 ", "1,0",
        "9223372036854775808", "-9223372036854775809", "1e19", "NaN", "0x10", "1.2.3",
        "10000000000000000000.0", "1.5e0", "15e-1",
    ])
    func notWholeNumbers(text: String) {
        #expect(parse(text) == nil)
    }

    /// Digits, a point and zeros (how pandas writes the brand column) are read on a short
    /// path up to 18 bytes and on the exact one beyond: both agree with `Int64(digits)`, and
    /// a non-zero digit after the point is a fraction on either.
    @Test func pointFollowedByZerosOnEitherSideOfTheShortPath() {
        let pattern = "918273645546372819"
        for digitCount in 1...pattern.count {
            let digits = String(pattern.prefix(digitCount))
            for zeroCount in 0...4 {
                let zeros = String(repeating: "0", count: zeroCount)
                #expect(parse("\(digits).\(zeros)") == Int64(digits), "\(digits).\(zeros)")
                #expect(parse("\(digits).\(zeros)1") == nil, "\(digits).\(zeros)1")
                #expect(parse("\(digits).\(zeros)x") == nil, "\(digits).\(zeros)x")
            }
        }
        #expect(parse(".0") == 0)
        #expect(parse("-5161.0") == -5161)
        #expect(parse("5161.0e1") == 51610)
    }

    @Test func exponentsAsLongAsTheDigits() {
        let zeros = String(repeating: "0", count: 2000)
        #expect(parse("1\(zeros)e-2000") == 1)
        #expect(parse("0.\(zeros)1e2001") == 1)
        #expect(parse("1\(zeros)1e-2000") == nil)
        #expect(parse("1e\(zeros)19") == nil)
    }

    @Test func nanInAnyCase() {
        func isNaN(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { IntegralNumber.isNaN(UnsafeRawBufferPointer($0)) }
        }
        #expect(isNaN("NaN") && isNaN("nan") && isNaN("NAN"))
        #expect(!isNaN("Nab") && !isNaN("NaNa"))
    }
}
