import Aggregation
import Foundation
import Generator
import LiveValues
import PropertyBased
import Testing
import UserBehavior

/// The fold with millisecond event times: days judged in --tz, lateness against a
/// per-partition watermark simulated here, and counts that do not depend on partitioning.
@Suite struct EventTimeFoldTests {
    static let calendar = try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai")

    private static func aggregator(bound: Int64 = 5_000, batchSize: Int = 7) -> Aggregator {
        var config = AggregationConfig(calendar: calendar)
        config.batchSize = batchSize
        config.outOfOrdernessMs = bound
        return Aggregator(config: config)
    }

    private static func message(ts: Int64, user: Int64 = 1, action: Int = 0, date: String = "") -> [UInt8] {
        Array(#"{"user_id":\#(user),"item_id":2,"cat_id":3,"merchant_id":null,"brand_id":null,\#(date)"ts":\#(ts),"action":\#(action),"age_range":0,"gender":2,"province":"unknown"}"#.utf8)
    }

    private static func ingest(_ a: Aggregator, _ bytes: [UInt8], partition: Int32 = 0, offset: Int64, now: Int64 = 0) {
        let decoder = MessageDecoder()
        bytes.withUnsafeBytes { _ = a.ingest(partition: partition, offset: offset, payload: $0, decoder: decoder, now: now) }
    }

    /// Unix ms of a local wall time in Shanghai (UTC+8, no DST), by Foundation.
    private static func shanghai(_ text: String) -> Int64 {
        let formatter = ISO8601DateFormatter()
        return Int64(formatter.date(from: text + "+08:00")!.timeIntervalSince1970 * 1000)
    }

    @Test func anotherYearAndAnotherDayAreRejectedWithTheirReasons() {
        let a = Self.aggregator(batchSize: 1)
        let cases: [(String, String, RejectionReason?)] = [
            ("2026-01-01T00:00:00", "", nil),
            ("2025-12-31T23:59:59", "", .otherYear),            // 2025-12-31T15:59:59Z: local 2025
            ("2027-01-01T00:00:00", "", .otherYear),
            ("2026-11-11T10:00:00", #""month":11,"day":12,"#, .dayMismatch),
            ("2026-11-11T23:59:59", #""month":11,"day":11,"#, nil),
            ("2026-11-12T00:00:00", #""month":11,"day":11,"#, .dayMismatch),
        ]
        for (i, (local, date, reason)) in cases.enumerated() {
            Self.ingest(a, Self.message(ts: Self.shanghai(local), date: date), offset: Int64(i))
        }
        let counts = a.state.counts
        #expect(counts.events == 2)
        #expect(counts.rejected[RejectionReason.otherYear.rawValue] == 2)
        #expect(counts.rejected[RejectionReason.dayMismatch.rawValue] == 2)
        #expect(counts.perDay[EventCalendar.dayIndex(month: 1, day: 1)!] == 1)
        #expect(counts.perDay[EventCalendar.dayIndex(month: 11, day: 11)!] == 1)
        #expect(counts.province[Int(Province.unknown.index)] == 2)
        #expect(cases.filter { $0.2 == nil }.count == counts.events)
    }

    /// Out-of-order ms timestamps on three partitions: late counts and the largest lateness
    /// against a per-partition watermark (max seen − bound, an event late when strictly
    /// below it) simulated straight from the stream.
    @Test(arguments: [UInt64(1), 2, 3])
    func lateCountsMatchASimulatedPerPartitionWatermark(seed: UInt64) {
        let bound: Int64 = 2_000
        let a = Self.aggregator(bound: bound)
        var rng = SplitMix64(seed: seed)
        let start = Self.shanghai("2026-11-11T10:00:00")
        var clock = [Int64](repeating: start, count: 3)
        var maxSeen = [Int64?](repeating: nil, count: 3)
        var offsets = [Int64](repeating: 0, count: 3)
        var late = 0
        var maxLateness: Int64 = 0
        for _ in 0..<30_000 {
            let p = Int.random(in: 0..<3, using: &rng)
            // Each partition's time runs on at its own pace; events jitter up to 3 × the bound back.
            clock[p] += Int64.random(in: 0...40, using: &rng)
            let ts = clock[p] - Int64.random(in: 0...(3 * bound), using: &rng)
            if let seen = maxSeen[p], ts < seen - bound {
                late += 1
                maxLateness = max(maxLateness, seen - bound - ts)
            }
            maxSeen[p] = max(maxSeen[p] ?? ts, ts)
            Self.ingest(a, Self.message(ts: ts, user: Int64(p)), partition: Int32(p), offset: offsets[p])
            offsets[p] += 1
        }
        let counts = a.state.counts
        #expect(counts.events == 30_000)
        #expect(late > 1_000, "the stream must be out of order for this to test anything")
        #expect(counts.late == late)
        #expect(counts.maxLatenessMs == maxLateness)
    }

    /// Any split of a timestamped stream into partitions, read in any interleaving, counts
    /// the same events, days, dimensions and rejections (only lateness depends on the split).
    @Test func anySplitAndInterleavingCountsTheSame() async {
        let stream = Gen.int64(in: 0...(3 * 86_400_000)).array(of: 1...300)
        await propertyCheck(input: stream, Gen.int(in: 1...6), Gen.uint64(in: 0...UInt64.max)) { offsets, parts, seed in
            let base = Self.shanghai("2026-12-30T00:00:00")  // the third day is in 2027: rejected
            let messages = offsets.enumerated().map { i, offset in
                Self.message(ts: base + offset, user: Int64(i % 37), action: i % 4)
            }
            var rng = SplitMix64(seed: seed)
            // Split: each message to a random partition, in order within it.
            var queues = [[[UInt8]]](repeating: [], count: parts)
            for message in messages { queues[Int.random(in: 0..<parts, using: &rng)].append(message) }
            // Interleave: repeatedly take the next message of a random non-empty partition.
            let a = Self.aggregator()
            var next = [Int](repeating: 0, count: parts)
            var now: Int64 = 0
            while let p = (0..<parts).filter({ next[$0] < queues[$0].count }).randomElement(using: &rng) {
                now += 1
                Self.ingest(a, queues[p][next[p]], partition: Int32(p), offset: Int64(next[p]), now: now)
                next[p] += 1
            }
            a.flush(now: now)
            let whole = Self.aggregator()
            for (i, message) in messages.enumerated() { Self.ingest(whole, message, offset: Int64(i)) }
            whole.flush(now: 0)
            var split = a.state.counts
            var one = whole.state.counts
            (split.late, split.maxLatenessMs, one.late, one.maxLatenessMs) = (0, 0, 0, 0)
            #expect(split == one)
            // And against the stream itself: per local day, and 2027 rejected.
            let dayLength: Int64 = 86_400_000
            #expect(one.perDay[EventCalendar.dayIndex(month: 12, day: 30)!] == offsets.filter { $0 < dayLength }.count)
            #expect(one.perDay[EventCalendar.dayIndex(month: 12, day: 31)!] == offsets.filter { $0 >= dayLength && $0 < 2 * dayLength }.count)
            #expect(one.rejected[RejectionReason.otherYear.rawValue] == offsets.filter { $0 >= 2 * dayLength }.count)
        }
    }
}

