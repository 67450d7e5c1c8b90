import Alerting
import Analytics
import LiveValues
import Testing
import UserBehavior

/// The figures a rule reads from a projected snapshot, against counts taken straight from
/// the rows.
@Suite struct SnapshotReadingsTests {
    /// (user, action, province, late) rows: a small stream over three provinces.
    private let rows: [(user: Int64, action: Action, province: String, late: Bool)] = (0..<300).map { i in
        let provinces = ["浙江", "广东", "上海"]
        let actions: [Action] = [.click, .click, .click, .addToCart, .purchase, .favourite, .click]
        return (Int64(i % 37), actions[i % actions.count], provinces[(i / 7) % 3], i % 11 == 0)
    }

    private func snapshot(watching filters: [SegmentFilter]) throws -> LiveSnapshot {
        var state = AggregationState()
        for row in rows {
            let event = BehaviorEvent(userID: row.user, itemID: 1, catID: 1, merchantID: 1, brandID: nil, month: 11, day: 11,
                                      action: row.action, ageRange: AgeRange(rawValue: 0)!, gender: .male,
                                      province: Province(row.province)!)
            state.add(CountedEvent(event, dayIndex: 320, eventTimeMs: nil, latenessMs: row.late ? 1_000 : nil))
        }
        var query = AnalyticsQuery()
        query.watched = filters
        let config = AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "UTC"))
        var live = LiveSnapshot(aggregate: AggregateSnapshot(state: state, query: query, config: config, now: 0, figures: true))
        live.aggregate.watermark = 1_000_000
        return live
    }

    @Test func segmentCountsAndSharesAreTheRowsOwn() throws {
        let rules = try ["purchases[province=浙江] > 0", "late%[province=浙江] > 0", "share[province=浙江] > 0",
                         "conversion[province=浙江] > 0", "events > 0", "late > 0", "uv > 0", "buyers[province=浙江] > 0"]
            .map { try AlertRule.parse($0) }
        let filters = Array(Set(rules.flatMap(\.segments.values)))
        let readings = SnapshotReadings(try snapshot(watching: filters), nowMs: 1_060_000)
        func value(_ i: Int) -> Double? { readings.value(of: rules[i].figure) }

        let zhejiang = rows.filter { $0.province == "浙江" }
        #expect(value(0) == Double(zhejiang.filter { $0.action == .purchase }.count))
        #expect(value(1) == Double(zhejiang.filter(\.late).count) * 100 / Double(zhejiang.count))
        #expect(value(2) == Double(zhejiang.count) * 100 / Double(rows.count))
        let clickers = Set(zhejiang.filter { $0.action == .click }.map(\.user))
        let buyers = Set(zhejiang.filter { $0.action == .purchase }.map(\.user))
        #expect(value(3) == Double(buyers.count) * 100 / Double(clickers.count))
        #expect(value(4) == Double(rows.count))
        #expect(value(5) == Double(rows.filter(\.late).count))
        #expect(value(6) == Double(Set(rows.map(\.user)).count))
        #expect(value(7) == Double(buyers.count))
    }

    @Test func aSegmentWithoutEventsHasNoShareAndTimesAreFromTheClock() throws {
        let rules = try ["late%[province=西藏] > 1", "events[province=西藏] > 1", "watermark-delay > 1m",
                         "checkpoint-age > 1m", "uv[window=1h] > 1", "lag > 5"].map { try AlertRule.parse($0) }
        let filters = Array(Set(rules.flatMap(\.segments.values)))
        let live = try snapshot(watching: filters)
        let readings = SnapshotReadings(live, nowMs: 1_060_000, lastCheckpointMs: 1_000_000)
        #expect(readings.value(of: rules[0].figure) == nil)
        #expect(readings.value(of: rules[1].figure) == 0)
        #expect(readings.value(of: rules[2].figure) == 60)
        #expect(readings.value(of: rules[3].figure) == 60)
        #expect(readings.value(of: rules[4].figure) == nil)  // not a watched window
        #expect(readings.value(of: rules[5].figure) == nil)  // no end offsets known
        #expect(SnapshotReadings(live, nowMs: 0).value(of: rules[3].figure) == nil)  // without --state
    }

    /// Figures in an event-time window, and over the same span yesterday, against the rows
    /// counted by the test: 2,600 events over 26 hours (one every 36 s), 200 users.
    @Test func windowedFiguresAreTheRowsOfTheirSpan() throws {
        let calendar = try EventCalendar(year: 2026, timeZone: "UTC")
        let base: Int64 = 1_794_182_400_000  // 2026-11-10T00:00Z
        let rows: [(user: Int64, action: Action, province: String, ts: Int64)] = (0..<2_600).map { i in
            let actions: [Action] = [.click, .click, .purchase, .addToCart]
            return (Int64(i * 7 % 200), actions[i % 4], ["浙江", "广东"][i % 3 == 0 ? 0 : 1], base + Int64(i) * 36_000)
        }
        var state = AggregationState()
        for row in rows {
            let event = BehaviorEvent(userID: row.user, itemID: 1, catID: 1, merchantID: 1, brandID: nil, month: 0, day: 0,
                                      action: row.action, ageRange: AgeRange(rawValue: 0)!, gender: .male,
                                      province: Province(row.province)!, timestampMs: row.ts)
            state.add(CountedEvent(event, dayIndex: calendar.dayIndex(milliseconds: row.ts), eventTimeMs: row.ts, latenessMs: nil))
        }
        let watermark = rows.last!.ts
        state.globalWatermark = watermark
        let rules = try ["events[window=5m] > 0", "uv[window=1h] < 0.8 * uv[window=1h, yesterday]",
                         "purchases[window=1h, province=浙江] > 0", "conversion[window=1h] > 0", "events[window=all] > 0"]
            .map { try AlertRule.parse($0) }
        var query = AnalyticsQuery()
        query.watchedWindows = Array(Set(rules.flatMap(\.windows)))
        let config = AggregationConfig(calendar: calendar)
        let readings = SnapshotReadings(LiveSnapshot(aggregate: AggregateSnapshot(state: state, query: query, config: config, now: 0, figures: true)),
                                        nowMs: 0)

        let endOfMinute = (watermark / 60_000 + 1) * 60_000
        func inside(_ from: Int64, _ to: Int64) -> [(user: Int64, action: Action, province: String, ts: Int64)] {
            rows.filter { $0.ts >= from && $0.ts < to }
        }
        #expect(readings.value(of: rules[0].figure) == Double(inside(endOfMinute - 300_000, endOfMinute).count))
        let hour = inside(endOfMinute - 3_600_000, endOfMinute)
        #expect(readings.value(of: rules[1].figure) == Double(Set(hour.map(\.user)).count))
        // Yesterday: the span widened to ten-minute bins, 24 h earlier.
        let to = (endOfMinute + 599_999) / 600_000 * 600_000 - 86_400_000
        guard case .figure(let yesterday, _) = rules[1].threshold else { Issue.record("no figure threshold"); return }
        #expect(readings.value(of: yesterday) == Double(Set(inside(to - 3_600_000, to).map(\.user)).count))
        #expect(readings.value(of: rules[2].figure) == Double(hour.filter { $0.province == "浙江" && $0.action == .purchase }.count))
        #expect(readings.value(of: rules[3].figure) == nil, "conversion is not kept per window")
        #expect(readings.value(of: rules[4].figure) == Double(rows.count), "window=all is the stream's own figure")
    }
}
