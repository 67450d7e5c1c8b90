import Foundation
import UserBehavior
import Testing

@Suite struct EventCalendarTests {
    @Test func elevenElevenInShanghai() throws {
        let calendar = try EventCalendar(year: 2024, timeZone: "Asia/Shanghai")
        #expect(calendar.eventTime(month: 11, day: 11) == 1_731_254_400_000)
    }

    @Test func impossibleDatesHaveNoEventTime() throws {
        let calendar = try EventCalendar(year: 2026, timeZone: "Asia/Shanghai")
        #expect(calendar.eventTime(month: 13, day: 1) == nil)
        #expect(calendar.eventTime(month: 2, day: 30) == nil)
        #expect(calendar.eventTime(month: 2, day: 29) == nil)
        #expect(calendar.eventTime(month: 0, day: 1) == nil)
        #expect(calendar.eventTime(month: 4, day: 31) == nil)
        #expect(calendar.eventTime(month: 1, day: 0) == nil)
        #expect(try EventCalendar(year: 2024, timeZone: "UTC").eventTime(month: 2, day: 29) == 1_709_164_800_000)
    }

    @Test func theYearIsWhatWasPinnedNotToday() throws {
        let y2025 = try EventCalendar(year: 2025, timeZone: "UTC")
        let y2026 = try EventCalendar(year: 2026, timeZone: "UTC")
        #expect(y2025.eventTime(month: 1, day: 1) == 1_735_689_600_000)
        #expect(y2026.eventTime(month: 1, day: 1) == 1_767_225_600_000)
        #expect(y2025.dayKey(EventCalendar.dayIndex(month: 11, day: 11)!) == "2025-11-11")
    }

    /// The slot of an instant, checked against Foundation's own calendar arithmetic at
    /// every hour of two years, DST changes and the year's edges included.
    @Test(arguments: ["Asia/Shanghai", "America/Santiago", "UTC"])
    func dayOfAnInstantIsTheLocalDay(zone: String) throws {
        let calendar = try EventCalendar(year: 2024, timeZone: zone)
        var gregorian = Foundation.Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: zone)!
        let start = Int64(try #require(gregorian.date(from: DateComponents(year: 2023, month: 12, day: 31))).timeIntervalSince1970 * 1000)
        for hour in stride(from: Int64(0), to: 2 * 366 * 24, by: 1) {
            let ms = start + hour * 3_600_000 + 1_234
            let parts = gregorian.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(ms) / 1000))
            let expected = parts.year == 2024 ? EventCalendar.dayIndex(month: Int32(parts.month!), day: Int32(parts.day!)) : nil
            #expect(calendar.dayIndex(milliseconds: ms) == expected, "\(ms) in \(zone)")
        }
    }

    /// Calendars are kept once built (a viewer decodes a state per partition, each naming
    /// its year and zone): asked again and again, in turns, past the number kept, each is
    /// still its own year's and zone's, against Foundation's start of 1 January.
    @Test func aCalendarAskedForAgainIsStillItsOwnYearsAndZones() throws {
        let zones = ["Asia/Shanghai", "America/Santiago", "UTC", "Europe/Berlin"]
        var gregorian = Foundation.Calendar(identifier: .gregorian)
        for round in 0..<3 {
            for year in 2020...2029 {
                for zone in zones.shuffled() {
                    let calendar = try EventCalendar(year: year, timeZone: zone)
                    gregorian.timeZone = TimeZone(identifier: zone)!
                    let first = try #require(gregorian.date(from: DateComponents(year: year, month: 1, day: 1)))
                    #expect(calendar.year == year && calendar.timeZoneIdentifier == zone)
                    #expect(calendar.eventTime(month: 1, day: 1) == Int64(first.timeIntervalSince1970 * 1000), "\(year) \(zone), round \(round)")
                }
            }
        }
    }

    @Test func dayStartsWhereMidnightDoesNotExist() throws {
        // In 2024 Chile's DST began at 00:00 on 8 September: that day starts at 01:00.
        let calendar = try EventCalendar(year: 2024, timeZone: "America/Santiago")
        #expect(calendar.isoString(milliseconds: calendar.eventTime(month: 9, day: 8)!) == "2024-09-08T01:00:00-03:00")
        #expect(calendar.isoString(milliseconds: calendar.eventTime(month: 9, day: 6)!) == "2024-09-06T00:00:00-04:00")
    }

    @Test func watermarkIsWrittenWithTheZonesOffset() throws {
        let calendar = try EventCalendar(year: 2026, timeZone: "Asia/Shanghai")
        #expect(calendar.isoString(milliseconds: calendar.eventTime(month: 11, day: 11)!) == "2026-11-11T00:00:00+08:00")
        #expect(calendar.isoString(milliseconds: 1_731_254_400_000 - 300_000) == "2024-11-10T23:55:00+08:00")
    }

    @Test func badSettings() {
        #expect(throws: EventCalendar.Problem.unknownTimeZone("Mars/Olympus")) { try EventCalendar(year: 2026, timeZone: "Mars/Olympus") }
        #expect(throws: EventCalendar.Problem.yearOutOfRange(1900)) { try EventCalendar(year: 1900, timeZone: "UTC") }
        #expect(throws: EventCalendar.Problem.yearOutOfRange(10_000)) { try EventCalendar(year: 10_000, timeZone: "UTC") }
        #expect(EventCalendar.problem(timeZone: "Mars/Olympus") == .unknownTimeZone("Mars/Olympus"))
        #expect(EventCalendar.problem(timeZone: "Asia/Shanghai") == nil)
        #expect((try? EventCalendar(year: 1970, timeZone: "UTC")) != nil)
        #expect((try? EventCalendar(year: 9999, timeZone: "UTC")) != nil)
    }

    @Test func monthDayIsZeroPadded() {
        #expect(EventCalendar.monthDay(0) == "01-01")
        #expect(EventCalendar.monthDay(10 * 31 + 10) == "11-11")
        #expect(EventCalendar.monthDay(11 * 31 + 30) == "12-31")
    }
}
