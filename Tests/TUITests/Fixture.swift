import Aggregation
import Analytics
import Foundation
import LiveValues
import TUI
import UserBehavior

/// A fixed dashboard state: data/sample.csv folded by the real aggregator, with fixed
/// pipeline figures and clock, so golden screens are the same on every machine.
enum Fixture {
    static let calendar = try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai")

    static let snapshot = folded(filter: "")
    /// The same data seen through a filter of two dimensions (so distinct users show `—`).
    static let filteredSnapshot = folded(filter: "province=浙江 gender=female")

    static func folded(filter: String) -> LiveSnapshot {
        var config = AggregationConfig(calendar: calendar)
        config.batchSize = 10
        let aggregator = Aggregator(config: config)
        let decoder = MessageDecoder()
        aggregator.query.filter = try! SegmentFilter.parse(filter)
        // The demo page's results too (page 7 asks for them while it is shown).
        aggregator.query.demoResults = true
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../data/sample.csv").standardized
        let lines = try! String(contentsOf: sample, encoding: .utf8).split(separator: "\n")
        var offset: Int64 = 0
        for line in lines {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { _ = aggregator.ingest(partition: Int32(offset % 3), offset: offset / 3, payload: UnsafeRawBufferPointer($0), decoder: decoder, now: 1_000 + offset / 10) }
            offset += 1
        }
        for garbage in ["{\"user_id\":", "not a message", "{\"user_id\":1}"] {
            Array(garbage.utf8).withUnsafeBytes { _ = aggregator.ingest(partition: 0, offset: 99_999 + offset, payload: $0, decoder: decoder, now: 3_000) }
            offset += 1
        }
        aggregator.setEndOffset(partition: 0, 7_010, now: 3_000)
        aggregator.setEndOffset(partition: 1, 6_900, now: 3_000)
        aggregator.setEndOffset(partition: 2, 6_700, now: 3_000)
        var aggregate = aggregator.snapshot(now: 3_000, figures: true)
        aggregate.eventsPerSecond = 2_310
        aggregate.rateHistory = (0..<60).map { 1_800 + ($0 * 37 % 23) * 40 }
        var pipeline = PipelineStats()
        pipeline.readerBlockedShare = 0.04
        pipeline.aggregatorBusyShare = 0.61
        pipeline.queueFill = 0.375
        pipeline.arrivalPerSecond = 2_325
        pipeline.lagHistory = [400, 380, 350, 300, 280, 250, 230, 220, 210, 200]
        return LiveSnapshot(aggregate: aggregate, pipeline: pipeline, status: .live)
    }

    /// 2026-11-11 20:11:11 UTC.
    static let clock: Int64 = 1_794_427_871_000

    /// Four alarm rules, one in each state (the Alerts page's golden, and the banner).
    static let alerts: [AlertStatus] = [
        AlertStatus(name: "late% > 1 for 1m", rule: "late% > 1 for 1m", state: .inactive, sinceMs: nil, value: 0.42, valueText: "0.42%"),
        AlertStatus(name: "orders", rule: "purchases/min < 50 for 2m", state: .firing, sinceMs: clock - 185_000, value: 12, valueText: "12/min"),
        AlertStatus(name: "women", rule: "conversion[gender=female] < 5% for 5m", state: .pending, sinceMs: clock - 40_000,
                    value: 3.1, valueText: "3.10%"),
        AlertStatus(name: "lag > 30s", rule: "lag > 30s", state: .resolved, sinceMs: clock - 600_000, value: nil, valueText: "—"),
    ]

    static func model(language: Labels.Language = .en, filtered: Bool = false) -> DashboardModel {
        var model = DashboardModel(snapshot: filtered ? filteredSnapshot : snapshot, topic: "user_behavior_logs",
                                   brokers: "127.0.0.1:39123", group: "tbdash", calendar: calendar)
        model.query.filter = model.snapshot.aggregate.filter
        model.language = language
        model.clock = clock
        // 0.4 s after the snapshot's newest event was read (at 3,000 ms).
        model.processingNow = 3_400
        return model
    }
}
