import Formatting
import Foundation
import Testing
import TestSupport

/// The option parsers on the values that trapped (issue 15, item 7) and on ordinary ones,
/// checked against numbers written out by hand; then every fuzz input kept under `Fuzz/`.
@Suite struct OptionValueTests {
    let tenYears: ClosedRange<Int64> = 0...(3650 * 86_400_000)

    @Test func durationsReadInTheirUnits() throws {
        #expect(try OptionValue.milliseconds("300", allowed: tenYears) == 300_000)
        #expect(try OptionValue.milliseconds("5m", allowed: tenYears) == 300_000)
        #expect(try OptionValue.milliseconds("1500ms", allowed: tenYears) == 1_500)
        #expect(try OptionValue.milliseconds("1.5s", allowed: tenYears) == 1_500)
        #expect(try OptionValue.milliseconds("2h", allowed: tenYears) == 7_200_000)
        #expect(try OptionValue.milliseconds("3650d", allowed: tenYears) == 315_360_000_000)
        #expect(OptionValue.durationText(milliseconds: 300_000) == "5m")
        #expect(OptionValue.durationText(milliseconds: 0) == "0s")
        #expect(OptionValue.durationText(milliseconds: 1_500) == "1500ms")
        #expect(OptionValue.durationText(milliseconds: 315_360_000_000) == "3650d")
    }

    @Test(arguments: ["999999999999d", "3651d", "9223372036854775807", "1e300s", "inf", "nan", "-5s", "", "s", "5 s", "5x"])
    func durationsOutOfRangeOrNotDurationsAreRefusedWithTheRange(_ text: String) {
        #expect(refusal { try OptionValue.milliseconds(text, allowed: tenYears) }
            == "expected a duration from 0s to 3650d, such as 300s, 5m, 1500ms or 30d")
    }

    @Test func ratesAndWholeNumbers() throws {
        #expect(try OptionValue.rate("2e6", allowed: 0.001...1e9) == 2_000_000)
        for text in ["1e-10", "1e-300", "0", "-1", "1e400", "nan", "inf", "1000000001"] {
            #expect(refusal { try OptionValue.rate(text, allowed: 0.001...1e9) } == "expected a number from 0.001 to 1000000000", "\(text)")
        }
        #expect(try OptionValue.wholeNumber("86400", allowed: 1...86_400) == 86_400)
        for text in ["99999999999999", "99999999999999999999", "0", "1.5", "ten"] {
            #expect(refusal { try OptionValue.wholeNumber(text, allowed: 1...86_400) } == "expected a whole number from 1 to 86400", "\(text)")
        }
    }

    /// What the parser said when it refused, or nil when it accepted.
    private func refusal<T>(_ parse: () throws -> T) -> String? {
        do {
            _ = try parse()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func savedFuzzInputsKeepTheProperties() throws {
        let files = try FuzzInputs.saved("options")
        #expect(files.contains { $0.path.contains("/Regressions/") })
        for file in files {
            #expect(OptionValueProperties.violation(ofInput: try [UInt8](Data(contentsOf: file))) == nil, "\(file.lastPathComponent)")
        }
    }
}
