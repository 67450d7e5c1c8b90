import Aggregation
import Generator
import LiveValues
import Testing
import UserBehavior

/// Merging per-partition states (what a scale-out viewer does) against one aggregation
/// over all partitions.
@Suite struct StateMergeTests {
    let calendar = try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai")
    let provinces = ["浙江", "北京市", "内蒙古", "香港", "上海市"]

    private func config() -> AggregationConfig {
        var config = AggregationConfig(calendar: calendar)
        config.batchSize = 7
        return config
    }

    /// Seeded records over `partitions` partitions: (partition, offset, payload), with
    /// back-and-forth days (lateness), impossible dates and junk.
    private func records(count: Int, partitions: Int32, seed: UInt64) -> [(Int32, Int64, [UInt8])] {
        var rng = SplitMix64(seed: seed)
        var offsets = [Int64](repeating: 0, count: Int(partitions))
        return (0..<count).map { _ in
            let partition = Int32(rng.next() % UInt64(partitions))
            let offset = offsets[Int(partition)]
            offsets[Int(partition)] += 1
            if rng.next() % 50 == 0 { return (partition, offset, Array("not json".utf8)) }
            let month = rng.next() % 40 == 0 ? 13 : 10 + Int(rng.next() % 2)
            let day = 1 + Int(rng.next() % 28)
            let payload = #"{"user_id":\#(rng.next() % 300),"item_id":\#(rng.next() % 40),"cat_id":\#(rng.next() % 9),"merchant_id":\#(rng.next() % 12),"brand_id":\#(rng.next() % 5),"month":\#(month),"day":\#(day),"action":\#(rng.next() % 4),"age_range":\#(rng.next() % 9),"gender":\#(rng.next() % 3),"province":"\#(provinces[Int(rng.next() % 5)])"}"#
            return (partition, offset, Array(payload.utf8))
        }
    }

    private func aggregate(_ records: [(Int32, Int64, [UInt8])]) -> AggregationState {
        let aggregator = Aggregator(config: config())
        let decoder = MessageDecoder()
        for (partition, offset, payload) in records {
            payload.withUnsafeBytes { aggregator.ingest(partition: partition, offset: offset, payload: $0, decoder: decoder, now: 0) }
        }
        return aggregator.state
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func perPartitionStatesMergeToTheGlobalState(seed: UInt64) {
        let all = records(count: 4_000, partitions: 6, seed: seed)
        let global = aggregate(all)
        var merged = AggregationState()
        for partition in Int32(0)..<6 { merged.merge(aggregate(all.filter { $0.0 == partition })) }
        #expect(merged.counts == global.counts)
        #expect(merged.counts.late > 0 && merged.counts.rejectedTotal > 0 && merged.counts.noEventTime > 0)
        #expect(merged.partitions == global.partitions)
        #expect(merged.summary == global.summary)
    }

    @Test func anySplitOfThePartitionsMergesToTheSameState() {
        let all = records(count: 3_000, partitions: 5, seed: 9)
        let global = aggregate(all)
        // Workers {0,3}, {1}, {2,4}, merged in another order.
        var merged = aggregate(all.filter { [2, 4].contains($0.0) })
        merged.merge(aggregate(all.filter { [0, 3].contains($0.0) }))
        merged.merge(aggregate(all.filter { $0.0 == 1 }))
        #expect(merged.counts == global.counts)
        #expect(merged.partitions == global.partitions)
        #expect(merged.summary == global.summary)
    }

    @Test func countsMergeAddsEveryTableAndKeepsTheLargestLateness() {
        var a = Counts()
        a.events = 3
        a.late = 1
        a.maxLatenessMs = 50
        a.action[0] = 3
        a.rejected[1] = 2
        var b = Counts()
        b.events = 2
        b.late = 2
        b.maxLatenessMs = 70
        b.action[2] = 2
        b.perDay[5] = 2
        a.merge(b)
        #expect(a.events == 5 && a.late == 3 && a.maxLatenessMs == 70)
        #expect(a.action[0] == 3 && a.action[2] == 2 && a.rejected[1] == 2 && a.perDay[5] == 2)
    }
}
