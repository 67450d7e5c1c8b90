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
        #expect(readings.value(of: rules[4].figure) == nil)  // no windows yet
        #expect(readings.value(of: rules[5].figure) == nil)  // no end offsets known
        #expect(SnapshotReadings(live, nowMs: 0).value(of: rules[3].figure) == nil)  // without --state
        let windowed = SnapshotReadings(live, nowMs: 0) { reference, _ in reference.window == "1h" ? 42 : nil }
        #expect(windowed.value(of: rules[4].figure) == 42)
    }
}
