import Aggregation
import Analytics
import Foundation
import LiveValues
@testable import Metrics
import TestSupport
import Testing
import UserBehavior

/// The exposition against counts taken straight from the CSV lines fed in.
@Suite struct MetricsExpositionTests {
    static let calendar = try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai")

    /// The first `n` data lines of data/sample.csv, folded by a real aggregator showing
    /// the `filter` segment.
    static func snapshot(lines n: Int, filter: String) throws -> (LiveSnapshot, [[Substring]]) {
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let lines = try String(contentsOf: sample, encoding: .utf8).split(separator: "\n").dropFirst().prefix(n)
        let aggregator = Aggregator(config: AggregationConfig(calendar: calendar))
        let decoder = MessageDecoder()
        var query = AnalyticsQuery()
        query.filter = try SegmentFilter.parse(filter)
        aggregator.query = query
        for (offset, line) in lines.enumerated() {
            Array(line.utf8).withUnsafeBytes { _ = aggregator.ingest(partition: 0, offset: Int64(offset), payload: $0, decoder: decoder, now: 1_000) }
        }
        Array("hello".utf8).withUnsafeBytes { _ = aggregator.ingest(partition: 0, offset: Int64(n), payload: $0, decoder: decoder, now: 1_000) }
        aggregator.setEndOffset(partition: 0, Int64(n + 10), now: 1_000)
        aggregator.flush(now: 2_000)
        let aggregate = aggregator.snapshot(now: 2_000, figures: true)
        return (LiveSnapshot(aggregate: aggregate, status: .live), lines.map { $0.split(separator: ",", omittingEmptySubsequences: false) })
    }

    /// `name{labels} value` lines as (name, labels, value).
    static func samples(_ text: String) -> [(name: String, labels: [String: String], value: Double)] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let space = line.lastIndex(of: " ")!
            let series = line[..<space]
            let value = Double(line[line.index(after: space)...])!
            guard let brace = series.firstIndex(of: "{") else { return (String(series), [:], value) }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            return (String(series[..<brace]), labels, value)
        }
    }

    @Test func countsAreTheWholeStreamsWhateverTheFilter() throws {
        let (snapshot, rows) = try Self.snapshot(lines: 500, filter: "province=浙江")
        #expect(snapshot.aggregate.counts.events < 500, "the dashboard's view is filtered")
        let text = MetricsExposition.render(snapshot, context: .init(version: "9.9.9", librdkafka: "2.0.2", nowMs: 0))
        let samples = Self.samples(text)
        func sum(_ name: String) -> Double { samples.filter { $0.name == name }.reduce(0) { $0 + $1.value } }
        func value(_ name: String, _ label: String, _ key: String) -> Double? {
            samples.first { $0.name == name && $0.labels[label] == key }?.value
        }
        #expect(sum("tbdash_events_total") == 500)
        #expect(sum("tbdash_events_by_age_range_total") == 500)
        #expect(sum("tbdash_events_by_gender_total") == 500)
        #expect(sum("tbdash_events_by_province_total") == 500)
        let names = ["click", "cart", "purchase", "favourite"]
        for code in 0..<4 {
            #expect(value("tbdash_events_total", "action", names[code]) == Double(rows.filter { $0[7] == "\(code)" }.count))
        }
        #expect(value("tbdash_events_by_province_total", "province", "浙江") == Double(rows.filter { $0[10] == "浙江" }.count))
        #expect(value("tbdash_events_by_gender_total", "gender", "male") == Double(rows.filter { $0[9] == "1" }.count))
        #expect(value("tbdash_rejected_records_total", "reason", "unrecognized") == 1)
        #expect(Double(Set(rows.map { $0[0] }).count) == samples.first { $0.name == "tbdash_unique_visitors" }?.value)
        #expect(value("tbdash_consumer_lag_records", "partition", "0") == 9)
        #expect(value("tbdash_build_info", "version", "9.9.9") == 1)
        #expect(!samples.contains { $0.name == "tbdash_checkpoint_age_seconds" }, "no --state, no checkpoint age")
    }

    @Test func labelsAreBoundedAndNeverIDs() throws {
        let (snapshot, _) = try Self.snapshot(lines: 2_000, filter: "")
        let text = MetricsExposition.render(snapshot, context: .init(version: "1", librdkafka: "2", lastCheckpointMs: 1_000, nowMs: 3_500))
        let samples = Self.samples(text)
        let labelNames = Set(samples.flatMap { $0.labels.keys })
        #expect(labelNames == ["action", "age_range", "gender", "province", "reason", "partition", "version", "librdkafka"])
        // Bounded by the schema: whatever the data, never more series than this.
        #expect(samples.count <= 4 + 9 + 3 + 34 + RejectionReason.count + 4 + 20 + 1 /* partition */ + 20)
        #expect(samples.first { $0.name == "tbdash_checkpoint_age_seconds" }?.value == 2.5)
        // Every family is announced before its samples, with one TYPE.
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(types.count == Set(types).count)
        #expect(Set(samples.map { Substring($0.name) }).isSubset(of: Set(types)))
    }

    @Test func labelValuesAreEscaped() {
        let text = MetricsExposition.render(LiveSnapshot(), context: .init(version: "a\"b\\c\nd", librdkafka: "x", nowMs: 0))
        #expect(text.contains(#"tbdash_build_info{version="a\"b\\c\nd",librdkafka="x"} 1"#))
    }

    @Test func freshnessIsTheAgeOfTheNewestCountedEvent() {
        var snapshot = LiveSnapshot()
        let context = MetricsExposition.Context(version: "1", librdkafka: "2", nowMs: 0, processingNowMs: 12_250)
        #expect(!MetricsExposition.render(snapshot, context: context).contains("tbdash_freshness_seconds"), "nothing counted yet")
        snapshot.aggregate.newestReadAtMs = 10_000
        let samples = Self.samples(MetricsExposition.render(snapshot, context: context))
        #expect(samples.first { $0.name == "tbdash_freshness_seconds" }?.value == 2.25)
        #expect(!samples.contains { $0.name == "tbdash_send_age_seconds" }, "no --trace")
        var traced = context
        traced.nowMs = 1_765_000_003_500
        traced.newestSentNs = 1_765_000_000_000_000_000
        let tracedSamples = Self.samples(MetricsExposition.render(snapshot, context: traced))
        #expect(tracedSamples.first { $0.name == "tbdash_send_age_seconds" }?.value == 3.5)
    }

    /// One sample per rule, labelled by its name (escaped), valued by its state.
    @Test func eachAlarmRuleIsOneSampleOfItsState() {
        let alerts = AlertState.allCases.map { state in
            AlertStatus(name: "r \"\(state.rawValue)\"", rule: "events > 1", state: state, sinceMs: nil, value: 2, valueText: "2")
        }
        let text = MetricsExposition.render(LiveSnapshot(), context: .init(version: "v", librdkafka: "x", nowMs: 0, alerts: alerts))
        let states = Self.samples(text).filter { $0.name == "tbdash_alert_state" }
        #expect(states.map(\.labels) == AlertState.allCases.map { ["rule": #"r \"\#($0.rawValue)\""#] })
        #expect(states.map(\.value) == [0, 1, 2, 0])
        #expect(text.contains("# TYPE tbdash_alert_state gauge"))
        #expect(!MetricsExposition.render(LiveSnapshot(), context: .init(version: "v", librdkafka: "x", nowMs: 0)).contains("tbdash_alert_state"))
    }
}
