@testable import LiveValues
@testable import Source
import Testing

/// The send → visible histogram and the trace that fills it, against figures computed here
/// from the values fed in.
@Suite struct LatencyTraceTests {
    /// The nearest-rank quantile of `values`, computed directly.
    private func nearestRank(_ values: [Int64], _ q: Double) -> Int64 {
        let sorted = values.sorted()
        let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
        return sorted[rank - 1]
    }

    @Test func quantilesAreWithinThreePercentAboveTheTrueOnes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let values = (0..<5_000).map { _ in Int64.random(in: 0...(1 << Int64.random(in: 1...40, using: &generator)), using: &generator) }
            var histogram = LatencyHistogram()
            for value in values { histogram.record(microseconds: value) }
            #expect(histogram.count == 5_000)
            #expect(histogram.maxMicroseconds == values.max())
            for q in [0.5, 0.99, 0.999, 1.0] {
                let truth = nearestRank(values, q)
                let reported = histogram.value(atQuantile: q)!
                #expect(reported >= truth && Double(reported) <= Double(truth) * (1 + 1.0 / 32) + 1, "q \(q): \(reported) vs \(truth)")
            }
        }
        #expect(LatencyHistogram().value(atQuantile: 0.5) == nil)
    }

    @Test func bucketsCoverEveryValueInOrder() {
        var last = -1
        for exponent in 0..<63 {
            for value in Set([Int64(1) << exponent, (Int64(1) << exponent) + 1, (Int64(1) << exponent) + (Int64(1) << exponent) / 2]).sorted() {
                let bucket = LatencyHistogram.bucket(of: value)
                #expect(bucket >= last && bucket < LatencyHistogram.bucketCount)
                #expect(LatencyHistogram.upperBound(of: bucket) >= value)
                last = bucket
            }
        }
        #expect(LatencyHistogram.bucket(of: .max) == LatencyHistogram.bucketCount - 1)
        #expect(LatencyHistogram.upperBound(of: LatencyHistogram.bucketCount - 1) == .max)
    }

    @Test func onlyEventsBeforeTheOpenBatchAreVisibleAtAPublish() {
        let trace = LatencyTrace(visible: .published)
        // Five stamped events and one without a stamp; the last two are still in the open batch.
        for sent in [1_000_000, 2_000_000, 0, 3_000_000, 4_000_000, 5_000_000] { trace.ingested(sentNs: Int64(sent)) }
        trace.published(pendingEvents: 2, generation: 1, nowNs: 10_000_000)
        var expected = LatencyHistogram()
        for sent in [1_000_000, 2_000_000, 3_000_000] { expected.record(microseconds: (10_000_000 - Int64(sent)) / 1000) }
        #expect(trace.histogram == expected)
        trace.published(pendingEvents: 0, generation: 2, nowNs: 12_000_000)
        for sent in [4_000_000, 5_000_000] { expected.record(microseconds: (12_000_000 - Int64(sent)) / 1000) }
        #expect(trace.histogram == expected)
        // p50 is 8 ms, reported as the top of its bucket (8,000 µs is in 7,936…8,063).
        #expect(trace.report == #"{"visible": "published", "events": 5, "untraced": 0, "p50_ms": 8.063, "p99_ms": 9.000, "p999_ms": 9.000, "max_ms": 9.000}"#)
    }

    @Test func onTheDashboardAnEventCountsWhenItsSnapshotIsDrawn() {
        let trace = LatencyTrace(visible: .drawn, capacity: 2)
        trace.ingested(sentNs: 1_000_000)
        trace.ingested(sentNs: 2_000_000)
        trace.ingested(sentNs: 3_000_000)  // past the capacity: untraced, not kept
        trace.published(pendingEvents: 1, generation: 7, nowNs: 5_000_000)
        #expect(trace.histogram.count == 0)
        trace.drawn(generation: 6, nowNs: 6_000_000)
        #expect(trace.histogram.count == 0)
        trace.drawn(generation: 7, nowNs: 9_000_000)
        var expected = LatencyHistogram()
        expected.record(microseconds: 8_000)
        expected.record(microseconds: 7_000)
        #expect(trace.histogram == expected)
        #expect(trace.untraced == 1)
    }

    @Test func bucketsCarriedToTheNextStageKeepTheBound() throws {
        let values = (0..<3_000).map { Int64($0 * 37 % 2_000_003) }
        var histogram = LatencyHistogram()
        for value in values { histogram.record(microseconds: value) }
        let carried = try #require(LatencyHistogram.Buckets(encoded: histogram.buckets.encoded))
        var later = LatencyHistogram()
        later.record(carried, laterBy: 250_000)
        #expect(later.count == 3_000)
        #expect(later.maxMicroseconds == values.max()! + 250_000)
        for q in [0.5, 0.99, 0.999] {
            let truth = nearestRank(values, q)
            let reported = later.value(atQuantile: q)!
            // The earlier part as its bucket's top (≤ 1/32 above), the later part exact,
            // and the sum's own bucket on top.
            #expect(reported >= truth + 250_000, "q \(q)")
            #expect(Double(reported) <= (Double(truth) * (1 + 1.0 / 32) + 1 + 250_000) * (1 + 1.0 / 32) + 1, "q \(q)")
        }
        for garbage in ["", "1", "x;", "5;1:0", "5;99999:1", "5;3:1:2", "-1;"] {
            #expect(LatencyHistogram.Buckets(encoded: garbage) == nil, "\(garbage)")
        }
    }

    @Test func aViewerAddsItsWaitToTheWorkersLatencies() {
        var worker = LatencyHistogram()
        worker.record(microseconds: 40)
        worker.record(microseconds: 60)
        let trace = LatencyTrace(visible: .published)
        trace.stateShown(worker.buckets, publishedAtNs: 1_000_000_000, untraced: 3, nowNs: 1_500_000_000)
        var expected = LatencyHistogram()
        expected.record(microseconds: 500_040)
        expected.record(microseconds: 500_060)
        #expect(trace.histogram.count == 2 && trace.histogram.maxMicroseconds == 500_060)
        #expect(trace.histogram.value(atQuantile: 0.5) == expected.value(atQuantile: 0.5))
        #expect(trace.untraced == 3)
        // The viewer's part alone, once per event the state carried: 500 ms for both; a
        // state that carried none is no part of it, however late it is shown.
        trace.stateShown(LatencyHistogram().buckets, publishedAtNs: 2_000_000_000, untraced: 0, nowNs: 2_900_000_000)
        #expect(trace.afterPublish.count == 2 && trace.afterPublish.maxMicroseconds == 500_000)
        let p99 = trace.afterPublish.value(atQuantile: 0.99) ?? 0
        #expect(p99 >= 500_000 && Double(p99) <= 500_000 * (1 + 1.0 / 32), "\(p99)")
        #expect(trace.report.contains(#", "after_publish": {"p50_ms": "#), "\(trace.report)")
        #expect(trace.report.hasSuffix(#""max_ms": 500.000}}"#), "\(trace.report)")
    }
}
