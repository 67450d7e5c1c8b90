import Aggregation
import LiveValues
import Testing
import UserBehavior

@Suite struct AggregatorTests {
    let calendar = try! EventCalendar(year: 2026, timeZone: "UTC")

    private func aggregator(batchSize: Int = 10, bound: Int64 = 300_000) -> Aggregator {
        var config = AggregationConfig(calendar: calendar)
        config.batchSize = batchSize
        config.outOfOrdernessMs = bound
        return Aggregator(config: config)
    }

    private func message(month: Int, day: Int, action: Int = 0, province: String = "浙江", user: Int = 1) -> [UInt8] {
        Array(#"{"user_id":\#(user),"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"month":\#(month),"day":\#(day),"action":\#(action),"age_range":3,"gender":1,"province":"\#(province)"}"#.utf8)
    }

    private func ingest(_ a: Aggregator, _ bytes: [UInt8], partition: Int32 = 0, offset: Int64, now: Int64 = 0) {
        let decoder = MessageDecoder()
        bytes.withUnsafeBytes { _ = a.ingest(partition: partition, offset: offset, payload: $0, decoder: decoder, now: now) }
    }

    @Test func lateIsJudgedAgainstTheRecordsOwnPartition() {
        let a = aggregator(batchSize: 1)
        // Partition 0 reaches 11-11; partition 1 is still in May: its May events are on time.
        ingest(a, message(month: 11, day: 11), partition: 0, offset: 0)
        ingest(a, message(month: 5, day: 1), partition: 1, offset: 0)
        ingest(a, message(month: 5, day: 2), partition: 1, offset: 1)
        #expect(a.state.counts.late == 0)
        // Back in time on partition 0: late by 11-11 − 5 min − 06-01.
        ingest(a, message(month: 6, day: 1), partition: 0, offset: 1)
        let counts = a.state.counts
        #expect(counts.late == 1)
        let expected = calendar.eventTime(month: 11, day: 11)! - 300_000 - calendar.eventTime(month: 6, day: 1)!
        #expect(counts.maxLatenessMs == expected)
    }

    /// The global watermark is recomputed only when its inputs or the clock changed: after
    /// every event it must equal a recomputation over every partition (as SPEC §3 defines
    /// it), also when all partitions were idle and one wakes within the same millisecond.
    @Test func theGlobalWatermarkEqualsARecomputationAfterEveryEvent() {
        var config = AggregationConfig(calendar: calendar)
        config.batchSize = 1
        config.idleTimeoutMs = 5
        let a = Aggregator(config: config)
        var partitions: [Int32: (watermark: PartitionWatermark, lastActivity: Int64)] = [:]
        var global = GlobalWatermark(idleTimeoutMs: 5)
        var rng = SystemRandomNumberGenerator()
        var now: Int64 = 0
        var offsets: [Int32: Int64] = [:]
        for step in 0..<3_000 {
            // Mostly the same millisecond; sometimes long enough for everything to go idle,
            // and then a tick sees them all idle just before an event in that millisecond.
            now += [0, 0, 0, 1, 3, 7].randomElement(using: &rng)!
            if step % 5 == 0 {
                now += 7
                a.tick(now: now)
                global.update(partitions: partitions.values.map { ($0.watermark.current, $0.lastActivity) }, now: now)
            }
            let partition = Int32.random(in: 0..<4, using: &rng)
            let (month, day) = step % 500 == 499 ? (12, 31) : (Int.random(in: 5...11, using: &rng), Int.random(in: 1...28, using: &rng))
            let offset = offsets[partition, default: 0]
            offsets[partition] = offset + 1
            ingest(a, message(month: month, day: day), partition: partition, offset: offset, now: now)
            var entry = partitions[partition] ?? (PartitionWatermark(boundMs: config.outOfOrdernessMs), now)
            entry.watermark.observe(calendar.eventTime(month: Int32(month), day: Int32(day))!)
            entry.lastActivity = now
            partitions[partition] = entry
            global.update(partitions: partitions.values.map { ($0.watermark.current, $0.lastActivity) }, now: now)
            #expect(a.snapshot(now: now).watermark == global.current, "step \(step)")
        }
    }

    @Test func eventWithinTheBoundIsOnTime() {
        let a = aggregator(batchSize: 1, bound: 86_400_000)
        ingest(a, message(month: 11, day: 11), offset: 0)
        ingest(a, message(month: 11, day: 10), offset: 1)  // exactly at the watermark
        ingest(a, message(month: 11, day: 9), offset: 2)   // one day before it
        #expect(a.state.counts.late == 1)
        #expect(a.state.counts.maxLatenessMs == 86_400_000)
    }

    @Test func impossibleDatesCountEverywhereButPerDayAndWatermark() {
        let a = aggregator(batchSize: 1)
        ingest(a, message(month: 13, day: 1, action: 2), offset: 0)
        ingest(a, message(month: 2, day: 30, action: 2), offset: 1)
        let state = a.state
        #expect(state.counts.events == 2)
        #expect(state.counts.noEventTime == 2)
        #expect(state.counts.action[2] == 2)
        #expect(state.counts.perDay.reduce(0, +) == 0)
        #expect(state.partitions[0].watermark.maxEventTime == nil)
    }

    @Test func eventsWaitInTheBatchRejectionsDoNot() {
        let a = aggregator(batchSize: 10)
        for offset in 0..<9 { ingest(a, message(month: 11, day: 11), offset: Int64(offset)) }
        ingest(a, Array("garbage".utf8), offset: 9)
        let shown = a.snapshot(now: 0)
        #expect(shown.counts.events == 0)
        #expect(shown.pendingEvents == 9)
        #expect(shown.counts.rejected[RejectionReason.unrecognized.rawValue] == 1)
        // What a checkpoint saves includes the open batch.
        #expect(a.state.counts.events == 9)
        #expect(a.state.partitions[0].nextOffset == 10)
        a.tick(now: 1999)
        #expect(a.snapshot(now: 1999).counts.events == 0)
        a.tick(now: 2000)
        #expect(a.snapshot(now: 2000).counts.events == 9)
        #expect(a.snapshot(now: 2000).batches == 1)
    }

    @Test func aRecordDeliveredTwiceCountsOnce() {
        let a = aggregator(batchSize: 1)
        ingest(a, message(month: 11, day: 11), offset: 5)
        ingest(a, message(month: 11, day: 11), offset: 5)
        ingest(a, message(month: 11, day: 11), offset: 4)
        #expect(a.state.counts.events == 1)
        #expect(a.state.partitions[0].nextOffset == 6)
    }

    @Test func retentionGapsAreCountedOnce() {
        let a = aggregator(batchSize: 1)
        a.recordGap(partition: 0, from: 0, to: 14_922, now: 0)
        ingest(a, message(month: 11, day: 11), offset: 14_922)
        a.recordGap(partition: 0, from: 0, to: 14_922, now: 0)  // reported again: nothing new
        let state = a.state
        #expect(state.partitions[0].skipped == 14_922)
        #expect(state.partitions[0].nextOffset == 14_923)
        #expect(state.counts.events == 1)
    }

    @Test func exitAtEndNeedsEveryPartitionAtItsEnd() {
        let a = aggregator(batchSize: 1)
        a.assign(partition: 0, startingAt: 0, now: 0)
        a.assign(partition: 1, startingAt: 0, now: 0)
        a.recordEnd(partition: 0, offset: 0, now: 0)
        #expect(!a.allAtEnd)
        a.recordEnd(partition: 1, offset: 0, now: 0)
        #expect(a.allAtEnd)
        ingest(a, message(month: 11, day: 11), partition: 1, offset: 0)
        #expect(!a.allAtEnd)
        // The end of a partition is its end offset: lag is known at once.
        a.recordEnd(partition: 1, offset: 1, now: 0)
        #expect(a.snapshot(now: 0).lag == 0)
    }

    @Test func restoringContinuesTheCounts() {
        let a = aggregator(batchSize: 1)
        ingest(a, message(month: 11, day: 11), offset: 0)
        ingest(a, message(month: 6, day: 1), offset: 1)
        var config = AggregationConfig(calendar: calendar)
        config.batchSize = 1
        let b = Aggregator(config: config, restoring: a.state)
        ingest(b, message(month: 6, day: 1), offset: 1)  // already counted before the restart
        ingest(b, message(month: 7, day: 1), offset: 2)  // late against the restored watermark
        #expect(b.state.counts.events == 3)
        #expect(b.state.counts.late == 2)
    }

    @Test func snapshotJSONUsesRawCodesAndLeavesZerosOut() throws {
        let a = aggregator(batchSize: 1)
        ingest(a, message(month: 11, day: 11, action: 3, province: "北京市"), offset: 0)
        ingest(a, Array("[1]".utf8), offset: 1)
        let json = SnapshotJSON.encode(a.snapshot(now: 0), calendar: calendar)
        #expect(json.contains(#""events": 1"#))
        #expect(json.contains(#""rejected": {"not_object": 1}"#))
        #expect(json.contains(#""action": {"3": 1}"#))
        #expect(json.contains(#""province": {"北京市": 1}"#))
        #expect(json.contains(#""per_day": {"2026-11-11": 1}"#))
        #expect(json.contains(#""watermark": "2026-11-10T23:55:00+00:00""#))
        #expect(json.contains(#""offsets": {"0": 2}"#))
    }
}

/// Freshness: the read time of the newest event in the shown state, with a manual clock.
@Suite struct FreshnessTests {
    let calendar = try! EventCalendar(year: 2026, timeZone: "UTC")

    private func ingest(_ a: Aggregator, offset: Int64, now: Int64) {
        let bytes = Array(#"{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"month":11,"day":11,"action":0,"age_range":3,"gender":1,"province":"浙江"}"#.utf8)
        let decoder = MessageDecoder()
        bytes.withUnsafeBytes { _ = a.ingest(partition: 0, offset: offset, payload: $0, decoder: decoder, now: now) }
    }

    @Test func freshnessCountsFromTheNewestShownEventsReadTime() {
        var config = AggregationConfig(calendar: calendar)
        config.batchSize = 10
        config.batchIntervalMs = 2_000
        let a = Aggregator(config: config)
        #expect(a.snapshot(now: 0).freshnessMs(now: 50) == nil)
        ingest(a, offset: 0, now: 100)
        ingest(a, offset: 1, now: 700)
        // Still in the open batch: not shown, so not fresh.
        #expect(a.snapshot(now: 2_000).newestReadAtMs == nil)
        #expect(!a.tick(now: 2_099))
        #expect(a.tick(now: 2_100))
        let shown = a.snapshot(now: 2_100)
        #expect(shown.newestReadAtMs == 700)
        #expect(shown.freshnessMs(now: 2_100) == 1_400)
        // A stopped stream: the figure grows with the clock.
        #expect(shown.freshnessMs(now: 9_700) == 9_000)
        // A full batch is shown at once: its last event is the newest.
        for i in 0..<10 { ingest(a, offset: 2 + Int64(i), now: 10_000 + Int64(i) * 3) }
        #expect(a.snapshot(now: 10_027).freshnessMs(now: 10_030) == 3)
        let json = SnapshotJSON.encode(a.snapshot(now: 10_027), calendar: calendar, now: 10_530)
        #expect(json.contains(#""freshness_ms": 503,"#), "\(json)")
        #expect(SnapshotJSON.encode(a.snapshot(now: 10_027), calendar: calendar).contains(#""freshness_ms": null,"#))
        // A record counted already changes nothing.
        ingest(a, offset: 5, now: 20_000)
        #expect(a.snapshot(now: 20_000).newestReadAtMs == 10_027)
    }
}
