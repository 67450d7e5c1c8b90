import Foundation
import Testing
import UserBehavior

@Suite struct TimestampCellTests {
    func ms(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { EventTimestamp.milliseconds(text: UnsafeRawBufferPointer($0)) }
    }

    @Test func unixSecondsAndMilliseconds() {
        #expect(ms("1511544070") == 1_511_544_070_000)
        #expect(ms("1511544070.25") == 1_511_544_070_250)
        #expect(ms("1511544070123") == 1_511_544_070_123)
        #expect(ms("99999999999") == 99_999_999_999_000)  // below 10^11: seconds
        #expect(ms("100000000000") == 100_000_000_000)    // 10^11: milliseconds
        for bad in ["", "-1", "1e9", "12a", "1.", ".5", "1 2"] { #expect(ms(bad) == nil, "\(bad)") }
    }

    /// ISO-8601 against Foundation's formatter, over random instants and offsets.
    @Test func iso8601AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let millis = Int64.random(in: 0...4_102_444_800_000, using: &random)  // 1970…2100
            let offsetMinutes = [0, 480, -300, 330, 345, -570, 840][Int.random(in: 0..<7, using: &random)]
            formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
            let text = formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
            #expect(ms(text) == millis, "\(text)")
        }
        #expect(ms("2026-11-11T20:15:00+08:00") == 1_794_399_300_000)
        #expect(ms("2026-11-11 12:15:00Z") == 1_794_399_300_000)
        #expect(ms("2026-11-11T20:15:00+0800") == 1_794_399_300_000)
        for bad in ["2026-11-11T20:15:00", "2026-02-30T00:00:00Z", "2026-11-11T24:00:00Z", "2026-11-11T20:15:00Zx"] {
            #expect(ms(bad) == nil, "\(bad)")
        }
    }
}
