import Aggregation
import Analytics
import Foundation
import LiveValues
import Testing
import UserBehavior

/// Windows in zones whose days do not start on a UTC ten-minute edge, and on streams whose
/// event times are days only, against oracles computed from the events by the test.
@Suite struct LocalDayWindowTests {
    static let day: Int64 = 86_400_000

    /// `WindowTests`' two days and three hours of millisecond events, moved to start at
    /// 2026-11-10 00:00 in `zone`.
    static func rows(in calendar: EventCalendar) -> [WindowTests.Row] {
        let shift = calendar.startOfDay(dayIndex: 10 * 31 + 9)! - WindowTests.start
        return WindowTests.rowsOfTwoDays.map { row in
            var row = row
            row.timeMs += shift
            row.event.timestampMs = row.timeMs
            return row
        }
    }

    static func fold(_ rows: [WindowTests.Row], calendar: EventCalendar, window: EventWindow, filter: String = "",
                     holdBins: Int = WindowBins.defaultHoldBins) -> (Aggregator, AggregateSnapshot) {
        WindowTests.fold(rows, window: window, filter: filter, calendar: calendar, holdBins: holdBins)
    }

    /// Nepal (+05:45), Eucla (+08:45) and Chatham (+13:45 in November): their days start
    /// five minutes past a UTC ten-minute edge. `today` is complete and exact, and so is every
    /// ten-minute step of the cumulative users, each ending on a local ten-minute edge.
    @Test(arguments: ["Asia/Kathmandu", "Australia/Eucla", "Pacific/Chatham"])
    func todayAndCumulativeUsersAreExactWhereDaysStartOffTheUTCTenMinutes(_ zone: String) throws {
        let calendar = try EventCalendar(year: 2026, timeZone: zone)
        let rows = Self.rows(in: calendar)
        let (aggregator, snapshot) = Self.fold(rows, calendar: calendar, window: .today)
        let w = WindowTests.watermark(rows)
        #expect(snapshot.watermark == w)
        let dayStart = calendar.startOfDay(dayIndex: calendar.dayIndex(milliseconds: w)!)!
        #expect(dayStart % 600_000 != 0, "the zone's day starts on a UTC ten-minute edge")
        // The end of the local ten minutes holding the watermark.
        let end = dayStart + ((w - dayStart) / 600_000 + 1) * 600_000
        #expect(w - dayStart > 3 * 3_600_000 - 2 * WindowTests.bound, "the day's start has left the minute ring")
        let inside = rows.filter { $0.timeMs >= dayStart && $0.timeMs < end }
        #expect(snapshot.window.fromMs == dayStart && snapshot.window.toMs == end)
        #expect(snapshot.window.complete)
        #expect(snapshot.counts.events == inside.count)
        for action in 0..<4 { #expect(snapshot.counts.action[action] == inside.filter { $0.event.action.rawValue == action }.count) }
        #expect(snapshot.figures?.users == Set(inside.map(\.event.userID)).count)

        let demo = try #require(snapshot.figures?.demo)
        let heldFrom = aggregator.state.windows.heldFromMs!
        #expect(demo.cumulativeUsers.count > 250)
        for row in demo.cumulativeUsers {
            let start = calendar.startOfDay(dayIndex: row.dayIndex)!
            #expect(row.minuteOfDay % 10 == 0 && (10...1440).contains(row.minuteOfDay), "\(row)")
            let end = start + Int64(row.minuteOfDay) * 60_000
            let users = Set(rows.filter { $0.timeMs >= max(start, heldFrom) && $0.timeMs < end }.map(\.event.userID)).count
            #expect(row.users == users && row.bound == 0, "\(calendar.dayKey(row.dayIndex)) \(row.minuteOfDay)")
            #expect(row.complete == (start >= heldFrom))
        }
        // Hours held whole are local hours, each with exactly its events.
        for point in snapshot.curves.hours where point.startMs >= heldFrom {
            #expect((point.startMs - dayStart) % 3_600_000 == 0)
            #expect(point.events == Int64(rows.filter { $0.timeMs >= point.startMs && $0.timeMs < point.startMs + 3_600_000 }.count))
        }
    }

    /// Rings of another phase (a state counted before phases) merge each ten-minute bin
    /// whole into the bin holding its first minute: every event both rings hold is kept.
    @Test func ringsOfAnotherPhaseMergeEveryEventBothHold() throws {
        let calendar = try EventCalendar(year: 2026, timeZone: "Asia/Kathmandu")
        let rows = Self.rows(in: calendar)
        let (aggregator, _) = Self.fold(rows, calendar: calendar, window: .all)
        #expect(aggregator.state.windows.phaseMinutes == 5)
        var unphased = WindowBins()
        unphased.merge(aggregator.state.windows)
        let heldFrom = aggregator.state.windows.heldFromMs!
        let unphasedFrom = unphased.heldFromMs!
        #expect(unphasedFrom % 600_000 == 0 && heldFrom % 600_000 == 300_000)
        // An event's bin in Kathmandu's rings starts at the local ten minutes holding it.
        let kept = rows.filter { row in
            let binStart = (row.timeMs - 300_000) / 600_000 * 600_000 + 300_000
            return row.timeMs >= heldFrom && binStart >= unphasedFrom
        }
        var total: Int64 = 0
        unphased.forEachBin(fromMs: .min, toMs: .max) { _, _, bin in total += bin.events }
        #expect(total == Int64(kept.count) && kept.count > 25_000)
    }

    /// (month, day) events: every event at its day's start. A minute window has nothing to
    /// answer from and says so (no counts, no comparison, nothing missing); `today` and
    /// `all` answer as before.
    @Test(arguments: [EventWindow.fiveMinutes, .hour, .today, .all])
    func minuteWindowsOnDayResolutionDataSaySo(_ window: EventWindow) throws {
        let calendar = WindowTests.calendar
        var rows: [WindowTests.Row] = []
        for (i, row) in WindowTests.rowsOfTwoDays.prefix(3_000).enumerated() {
            var row = row
            let day = 10 * 31 + 1 + i % 9
            row.event.month = 11
            row.event.day = Int32(2 + i % 9)
            row.event.timestampMs = nil
            row.timeMs = calendar.startOfDay(dayIndex: day)!
            rows.append(row)
        }
        let (_, snapshot) = Self.fold(rows, calendar: calendar, window: window)
        let info = snapshot.window
        #expect(!snapshot.curves.hasSubDayResolution)
        let json = SnapshotJSON.encode(snapshot, calendar: calendar, now: 0)
        if window.isByTheMinute {
            #expect(info.dayResolution && !info.answered && info.complete)
            #expect(snapshot.counts.events == 0 && snapshot.vsYesterday == nil && snapshot.figures?.users == nil)
            #expect(snapshot.vsYesterdayAbsence == .dayResolution && json.contains(#""vs_yesterday_absent": "day_resolution""#))
            #expect(json.contains(#""answered": false"#) && json.contains(#""day_resolution": true"#), "\(json)")
        } else {
            #expect(!info.dayResolution && info.answered)
            let w = snapshot.watermark!
            let (from, to) = window == .all ? (Int64.min, Int64.max)
                : (calendar.startOfDay(dayIndex: calendar.dayIndex(milliseconds: w)!)!, (w / 600_000 + 1) * 600_000)
            #expect(snapshot.counts.events == rows.filter { $0.timeMs >= from && $0.timeMs < to }.count)
            #expect(snapshot.counts.events > 0)
            #expect(json.contains(#""day_resolution": false"#) || window == .all)
        }
    }

    /// Two days of millisecond events: `vs_yesterday` is there exactly when the rings hold
    /// yesterday's span and the window answers; otherwise the JSON says why it is null.
    @Test func whyThereIsNoComparisonIsSaid() throws {
        let calendar = WindowTests.calendar
        let rows = WindowTests.rowsOfTwoDays
        func absence(_ window: EventWindow, filter: String = "", holdBins: Int = WindowBins.defaultHoldBins) -> (AggregateSnapshot, String) {
            let (_, snapshot) = Self.fold(rows, calendar: calendar, window: window, filter: filter, holdBins: holdBins)
            return (snapshot, SnapshotJSON.encode(snapshot, calendar: calendar, now: 0))
        }
        for window in [EventWindow.fiveMinutes, .hour] {
            // The default two days hold yesterday's span: a comparison, its events the oracle's.
            let (held, heldJSON) = absence(window)
            let comparison = try #require(held.vsYesterday)
            #expect(held.vsYesterdayAbsence == nil && heldJSON.contains(#""vs_yesterday_absent": null"#))
            let yesterday = rows.filter { $0.timeMs >= comparison.fromMs - Self.day && $0.timeMs < comparison.toMs - Self.day }
            #expect(comparison.yesterday.events == yesterday.count && yesterday.count > 0)
            // A day of hold cannot hold a day and the window's span.
            let (short, shortJSON) = absence(window, holdBins: WindowBins.tenMinuteBinsPerDay)
            #expect(short.vsYesterday == nil && short.vsYesterdayAbsence == .notHeld)
            #expect(shortJSON.contains(#""vs_yesterday": null"#) && shortJSON.contains(#""vs_yesterday_absent": "not_held""#))
            let (twoDimensions, _) = absence(window, filter: "gender=female age=25-29")
            #expect(twoDimensions.vsYesterday == nil && twoDimensions.vsYesterdayAbsence == .unanswered)
        }
        let (all, allJSON) = absence(.all)
        #expect(all.vsYesterday == nil && all.vsYesterdayAbsence == .wholeStream && allJSON.contains(#""vs_yesterday_absent": "all""#))
        let (_, nothing) = Self.fold([], calendar: calendar, window: .hour)
        #expect(nothing.vsYesterdayAbsence == .noWatermark)
    }

    /// Live, the watermark is inside a ten-minute bin still filling: the comparison leaves it
    /// out on both days, so a steady stream compares whole ten minutes with whole ten
    /// minutes (before, 4 minutes of today against 10 of yesterday read as a −60 % fall).
    @Test func todayAgainstYesterdayComparesOnlyBinsTheWatermarkHasPassed() throws {
        let calendar = WindowTests.calendar
        let cut = WindowTests.start + 2 * Self.day + 2 * 3_600_000 + 54 * 60_000
        let rows = WindowTests.rowsOfTwoDays.filter { $0.timeMs < cut }
        let w = WindowTests.watermark(rows)
        for (window, width) in [(EventWindow.fiveMinutes, Int64(600_000)), (.hour, 3_600_000)] {
            let (_, snapshot) = Self.fold(rows, calendar: calendar, window: window)
            let comparison = try #require(snapshot.vsYesterday)
            let to = (w + 1) / 600_000 * 600_000
            #expect(comparison.toMs == to && comparison.fromMs == to - width && to <= w + 1)
            for (side, shift) in [(comparison.today, Int64(0)), (comparison.yesterday, Self.day)] {
                let inside = rows.filter { $0.timeMs >= to - width - shift && $0.timeMs < to - shift }
                #expect(side.events == inside.count && side.users == Set(inside.map(\.event.userID)).count)
            }
            // Evenly spread events: whole spans on both days differ by noise, not by a fall.
            let change = try #require(KPIComparison.change(comparison.today.events, comparison.yesterday.events))
            #expect(abs(change) < 0.2, "\(window): \(change)")
        }
    }

    /// One timestamped event in the first hour of a day is enough: the minute windows answer.
    @Test func aSubDayTimestampInTheFirstHourCountsAsSubDay() throws {
        let calendar = WindowTests.calendar
        var row = WindowTests.rowsOfTwoDays[0]
        row.timeMs = WindowTests.start + 20 * 60_000
        row.event.timestampMs = row.timeMs
        let (_, snapshot) = Self.fold([row], calendar: calendar, window: .hour)
        #expect(snapshot.curves.hasSubDayResolution && !snapshot.window.dayResolution && snapshot.window.answered)
    }
}
