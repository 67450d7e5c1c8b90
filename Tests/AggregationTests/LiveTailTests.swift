import Aggregation
import Analytics
import LiveValues
import Testing
import UserBehavior

@Suite struct LiveTailTests {
    private func aggregator() throws -> Aggregator {
        var config = AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
        config.outOfOrdernessMs = 0
        return Aggregator(config: config)
    }

    private func message(day: Int, action: Int, province: String, user: Int) -> [UInt8] {
        Array(("{\"user_id\":\(user),\"item_id\":7,\"cat_id\":1,\"merchant_id\":2,\"brand_id\":3,\"month\":11,\"day\":\(day),"
            + "\"action\":\(action),\"age_range\":3,\"gender\":0,\"province\":\"\(province)\"}").utf8)
    }

    @Test func keepsTheNewestEventsOfTheSegmentNewestFirst() throws {
        let a = try aggregator()
        let decoder = MessageDecoder()
        a.query.filter = try SegmentFilter.parse("province=浙江 action=buy")
        var expected: [(Int64, Int)] = []  // (offset, user), of the events in the segment
        for offset in 0..<300 {
            let inSegment = offset % 3 == 0
            let day = 1 + offset % 11
            let bytes = message(day: day, action: inSegment ? 2 : offset % 2, province: offset % 5 == 0 ? "江苏" : "浙江", user: offset)
            if inSegment && offset % 5 != 0 { expected.append((Int64(offset), offset)) }
            bytes.withUnsafeBytes { _ = a.ingest(partition: 1, offset: Int64(offset), payload: $0, decoder: decoder, now: 0) }
        }
        let events = a.snapshot(now: 0).tail.newestEvents
        let newest = expected.suffix(LiveTail.eventCapacity).reversed()
        #expect(events.map(\.offset) == newest.map(\.0))
        #expect(events.map(\.userID) == newest.map { Int64($0.1) })
        #expect(events.allSatisfy { $0.partition == 1 && $0.action == 2 })
        // A later event day makes the earlier ones late (bound 0): 11-01 after 11-11 is late.
        #expect(events.contains { $0.isLate } && events.contains { !$0.isLate })
        // A new segment starts the tail over.
        a.query.filter = try SegmentFilter.parse("province=江苏")
        #expect(a.snapshot(now: 0).tail.newestEvents.isEmpty)
    }

    @Test func rejectedMessagesKeepTheirFirstBytesEscaped() throws {
        let a = try aggregator()
        let decoder = MessageDecoder()
        let nasty: [UInt8] = Array("\u{1B}[2J\n\"x\\".utf8) + [0xFF, 0x00]
        let long = Array(String(repeating: "z", count: 100).utf8)
        for (offset, bytes) in [nasty, long].enumerated() {
            bytes.withUnsafeBytes { _ = a.ingest(partition: 0, offset: Int64(offset), payload: $0, decoder: decoder, now: 0) }
        }
        a.ingest(partition: 0, offset: 2, decoded: .rejected(.tooLarge), payload: nil, now: 0)
        let rejected = a.snapshot(now: 0).tail.newestRejected
        #expect(rejected.map(\.offset) == [2, 1, 0])
        #expect(rejected[0].reason == .tooLarge && rejected[0].size == -1 && rejected[0].preview.isEmpty)
        #expect(rejected[1].size == 100 && rejected[1].preview == Array(long.prefix(LiveTail.previewBytes)))
        #expect(rejected[2].preview == nasty)
        #expect(LiveTail.escaped(rejected[2].preview, truncated: false) == "\\x1B[2J\\n\"x\\\\\\xFF\\x00")
        #expect(LiveTail.escaped(rejected[1].preview, truncated: true, ellipsis: "..")
                == String(repeating: "z", count: LiveTail.previewBytes) + "..")
        // The ring keeps the newest 16.
        for offset in 3..<40 { Array("x".utf8).withUnsafeBytes { _ = a.ingest(partition: 0, offset: Int64(offset), payload: $0, decoder: decoder, now: 0) } }
        let kept = a.snapshot(now: 0).tail.newestRejected
        #expect(kept.map(\.offset) == Array((24..<40).reversed()).map(Int64.init))
    }

    @Test func lagOutlookInTimeAndTrend() {
        let draining = LagOutlook(lag: 1_200, lagHistory: [5_000, 4_000, 3_000, 1_200], processedPerSecond: 100)
        #expect(draining.secondsToCatchUp == 12 && draining.trend == .draining)
        #expect(LagOutlook(lag: 1_300, lagHistory: [1_000, 1_300], processedPerSecond: 100).trend == .growing)
        // Within 5 % of where it was 30 s ago: steady.
        #expect(LagOutlook(lag: 1_050, lagHistory: [1_000, 1_050], processedPerSecond: 100).trend == .steady)
        #expect(LagOutlook(lag: 1_051, lagHistory: [1_000, 1_051], processedPerSecond: 100).trend == .growing)
        // Only the last 30 samples count.
        #expect(LagOutlook(lag: 1_000, lagHistory: [9_000] + Array(repeating: 1_000, count: 30), processedPerSecond: 5).trend == .steady)
        let stalled = LagOutlook(lag: 10, lagHistory: [10, 10], processedPerSecond: 0)
        #expect(stalled.trend == .stalled && stalled.secondsToCatchUp == nil)
        #expect(LagOutlook(lag: 0, lagHistory: [10, 0], processedPerSecond: 0).trend == .caughtUp)
    }
}
