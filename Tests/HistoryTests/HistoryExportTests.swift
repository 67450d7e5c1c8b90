import History
import LiveValues
import Testing

/// Export formatting: times with offsets, grouping into calendar periods, typed instants.
@Suite struct HistoryExportTests {
    let export = try! HistoryExport(timeZone: "Asia/Shanghai")

    func interval(_ startMs: Int64, events: Int64, total: Int64) -> HistoryArchive.Interval {
        var totals = HistoryTotals()
        totals.values[HistoryTotals.Key("events")] = total
        return HistoryArchive.Interval(startMs: startMs, lengthMs: 60_000, delta: [HistoryTotals.Key("events"): events], totals: totals)
    }

    @Test func instantsTakeDatesTimesAndOffsets() {
        #expect(export.instant("2026-12-01T10:00") == 1_796_090_400_000)
        #expect(export.instant("2026-12-01 10:00") == 1_796_090_400_000)
        #expect(export.instant("2026-12-01T10:00:00+08:00") == 1_796_090_400_000)
        #expect(export.instant("2026-12-01") == 1_796_054_400_000)
        #expect(export.instant("2026-12-01T10:00:30-05:00") == 1_796_137_230_000)
        #expect(export.instant("2026-12-01T10:00Z") == 1_796_119_200_000)
        for bad in ["", "yesterday", "2026-13-01", "2026-02-30", "2026-12-01T25:00", "2026-12-01T10", "2026-12-01T10:00+8"] {
            #expect(export.instant(bad) == nil, "\(bad)")
        }
    }

    @Test func timesCarryTheOffsetAndMilliseconds() throws {
        #expect(export.iso(1_796_090_400_000) == "2026-12-01T10:00:00+08:00")
        #expect(export.iso(1_796_090_400_250) == "2026-12-01T10:00:00.250+08:00")
        #expect(try HistoryExport(timeZone: "UTC").iso(1_796_090_400_005) == "2026-12-01T02:00:00.005+00:00")
    }

    /// What `iso` writes parses back to the same instant, milliseconds included (they were
    /// refused: "expected a date or time"); 1 to 3 decimals, nothing else after the dot.
    @Test func instantsTakeBackWhatIsoWrites() throws {
        let utc = try HistoryExport(timeZone: "UTC")
        for ms: Int64 in [1_796_090_400_000, 1_796_090_400_250, 1_796_090_400_005, 1_796_090_459_999, 1_796_090_400_400] {
            #expect(export.instant(export.iso(ms)) == ms, "\(export.iso(ms))")
            #expect(utc.instant(utc.iso(ms)) == ms, "\(utc.iso(ms))")
        }
        #expect(export.instant("2026-12-01T10:00:00.4") == 1_796_090_400_400)
        #expect(export.instant("2026-12-01T10:00:00.40Z") == 1_796_119_200_400)
        for bad in ["2026-12-01T10:00:00.", "2026-12-01T10:00:00.4000", "2026-12-01T10:00.5", "2026-12-01T10:00:00.-1", "2026-12-01T10:00:00.4a"] {
            #expect(export.instant(bad) == nil, "\(bad)")
        }
    }

    @Test func groupingAddsDeltasAndKeepsTheLastTotals() {
        let base: Int64 = 1_796_090_400_000  // 10:00 in Shanghai
        let intervals = [interval(base, events: 5, total: 5), interval(base + 60_000, events: 7, total: 12),
                         interval(base + 3_600_000, events: 1, total: 13)]
        let hours = export.rows(intervals, by: .hour)
        #expect(hours.map(\.startMs) == [base, base + 3_600_000])
        #expect(hours.map { $0.delta[HistoryTotals.Key("events")] } == [12, 1])
        #expect(hours.map { $0.totals[HistoryTotals.Key("events")] } == [12, 13])
        // Days start at midnight in the zone, not in UTC.
        #expect(export.rows(intervals, by: .day).map(\.startMs) == [1_796_054_400_000])
        #expect(export.rows(intervals, by: .interval).count == 3)
        #expect(export.csvLine(hours[0]) == "2026-12-01T10:00:00+08:00,2026-12-01T11:00:00+08:00,12,0,0,0,0,0,0,0,0,12,0")
    }
}
