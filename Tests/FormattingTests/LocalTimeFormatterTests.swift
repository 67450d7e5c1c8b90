import Formatting
import Foundation
import Testing

/// Wall-clock texts at an offset given by the caller: hand-written instants at the edges of
/// days, years and leap rules, then random instants against Foundation's Gregorian calendar.
@Suite struct LocalTimeFormatterTests {
    @Test(arguments: [
        (Int64(0), 0, "1970-01-01 00:00:00"),
        (-1, 0, "1969-12-31 23:59:59"),  // a millisecond before 1970 is still in 1969
        (999, 0, "1970-01-01 00:00:00"),  // milliseconds are dropped, not rounded
        (1_794_427_871_000, 0, "2026-11-11 20:11:11"),
        (1_794_427_871_000, 8 * 3600, "2026-11-12 04:11:11"),  // Asia/Shanghai: the next day
        (1_798_768_800_000, -5 * 3600, "2026-12-31 21:00:00"),  // 2027-01-01 02:00 UTC in New York
        (1_709_164_800_000, 0, "2024-02-29 00:00:00"),  // divisible by 4: a leap day
        (951_825_600_000, 0, "2000-02-29 12:00:00"),  // divisible by 400: a leap day
        (4_107_542_400_000, 0, "2100-03-01 00:00:00"),  // divisible by 100: no Feb 29 before it
        (1_735_689_599_000, 5 * 3600 + 45 * 60, "2025-01-01 05:44:59"),  // Nepal's quarter hour
    ])
    func instantsAtAnOffset(_ milliseconds: Int64, _ offset: Int, _ expected: String) {
        #expect(LocalTimeFormatter.string(milliseconds: milliseconds, utcOffsetSeconds: offset) == expected)
    }

    /// Any instant from 1900 to 9999 at any whole-minute offset within ±14 h reads as
    /// Foundation's calendar in a fixed-offset zone reads it.
    @Test func randomInstantsMatchFoundationsCalendar() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let milliseconds = Int64.random(in: -2_208_988_800_000...253_402_300_799_000, using: &random)
            let offset = Int.random(in: -14 * 60...14 * 60, using: &random) * 60
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(TimeZone(secondsFromGMT: offset))
            let date = Date(timeIntervalSince1970: (Double(milliseconds) / 1000).rounded(.down))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(format: "%04ld-%02ld-%02ld %02ld:%02ld:%02ld", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            #expect(LocalTimeFormatter.string(milliseconds: milliseconds, utcOffsetSeconds: offset) == expected,
                    "\(milliseconds) at \(offset) s")
        }
    }
}
