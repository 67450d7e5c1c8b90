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
    ] as [(String, Int64)])
    func wholeNumbers(text: String, value: Int64) {
        #expect(parse(text) == value)
    }

    @Test(arguments: [
        "", "-", "+", ".", "2661.5", "0.1", "1e", "1e+", "12abc", "abc", " 1", "1 ", "1,0",
        "9223372036854775808", "-9223372036854775809", "1e19", "NaN", "0x10", "1.2.3",
    ])
    func notWholeNumbers(text: String) {
        #expect(parse(text) == nil)
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
