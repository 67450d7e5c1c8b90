import Aggregation
import LiveValues
import Testing

/// Flink's BoundedOutOfOrdernessWatermarksTest, in our terms.
@Suite struct WatermarkTests {
    private func update(_ global: inout GlobalWatermark, _ partitions: [(Int64, Int64)], now: Int64) {
        global.update(partitions: partitions.map { (watermark: $0.0, lastActivity: $0.1) }, now: now)
    }

    @Test func watermarkAfterEachEventIsMaxMinusBound() {
        var w = PartitionWatermark(boundMs: 10)
        var after: [Int64] = []
        for t: Int64 in [12345, 12300, 12340, 12280] {
            w.observe(t)
            after.append(w.current)
        }
        #expect(after == [12335, 12335, 12335, 12335])
    }

    @Test func nothingIsLateBeforeTheFirstEvent() {
        let w = PartitionWatermark(boundMs: 10)
        #expect(w.current == .min)
        #expect(w.lateness(of: .min + 1) == nil)
    }

    @Test func eventAtTheWatermarkIsOnTimeOneMillisecondEarlierIsLate() {
        var w = PartitionWatermark(boundMs: 10)
        w.observe(12345)
        #expect(w.lateness(of: 12335) == nil)
        #expect(w.lateness(of: 12334) == 1)
        #expect(w.lateness(of: 12280) == 55)
    }

    @Test func idlePartitionStopsHoldingBackTheGlobalWatermarkAfterStrictlyMoreThanTheTimeout() {
        var global = GlobalWatermark(idleTimeoutMs: 30_000)
        // Partition A active at t=0 with watermark 100; B active at t=0 with watermark 500.
        update(&global, [(100, 0), (500, 0)], now: 0)
        #expect(global.current == 100)
        // A has been silent exactly the timeout: still active.
        update(&global, [(100, 0), (600, 30_000)], now: 30_000)
        #expect(global.current == 100)
        // One millisecond more: A is idle, the global follows B.
        update(&global, [(100, 0), (700, 30_001)], now: 30_001)
        #expect(global.current == 700)
        // A comes back with an old watermark: the global never moves back.
        update(&global, [(100, 30_002), (800, 30_002)], now: 30_002)
        #expect(global.current == 700)
        // Everything idle: hold.
        update(&global, [(100, 30_002), (800, 30_002)], now: 90_000)
        #expect(global.current == 700)
    }

    @Test func aPartitionWithoutEventTimeHoldsTheGlobalWatermarkBack() {
        var global = GlobalWatermark(idleTimeoutMs: 30_000)
        update(&global, [(.min, 0), (500, 0)], now: 10)
        #expect(global.current == nil)
        update(&global, [(.min, 0), (500, 40_000)], now: 40_000)
        #expect(global.current == 500)
    }
}

/// Flink's ProcessingTimeoutTriggerTest with CountTrigger.of(10) and 2 s.
@Suite struct MicroBatcherTests {
    @Test func nineEventsWaitForTheTimer() {
        var batcher = MicroBatcher(size: 10, intervalMs: 2000)
        for _ in 0..<9 {
            let full = batcher.add(now: 0)
            #expect(!full)
        }
        #expect(!batcher.isDue(now: 1999))
        #expect(batcher.isDue(now: 2000))
        #expect(batcher.reset() == 9)
        #expect(!batcher.isDue(now: 10_000))
    }

    @Test func twentyFiveQuickEventsFlushTenTenThenFiveOnTheTimer() {
        var batcher = MicroBatcher(size: 10, intervalMs: 2000)
        var flushes: [Int] = []
        for i in 0..<25 where batcher.add(now: Int64(i)) { flushes.append(batcher.reset()) }
        #expect(flushes == [10, 10])
        #expect(batcher.deadline == Int64(20 + 2000))
        #expect(!batcher.isDue(now: 2019))
        #expect(batcher.isDue(now: 2020))
        flushes.append(batcher.reset())
        #expect(flushes == [10, 10, 5])
    }

    @Test func noEmptyFlush() {
        var batcher = MicroBatcher(size: 10, intervalMs: 2000)
        #expect(!batcher.isDue(now: 1_000_000))
        #expect(batcher.deadline == nil)
        #expect(batcher.reset() == 0)
    }

    @Test func theTimerStartsAtTheBatchsFirstEvent() {
        var batcher = MicroBatcher(size: 10, intervalMs: 2000)
        _ = batcher.add(now: 500)
        _ = batcher.add(now: 2400)
        #expect(!batcher.isDue(now: 2499))
        #expect(batcher.isDue(now: 2500))
    }
}
