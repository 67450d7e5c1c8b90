import LiveValues
@testable import ScaleOut
import Testing

/// What a worker forwards with a state for a viewer's trace, against figures computed here.
@Suite struct StateTraceTests {
    @Test func aPublishTakesThePartitionsStampsOnceAndKeepsWithinItsCapacity() throws {
        var pending = PendingStamps(capacity: 3)
        for sent in [1_000_000, 2_000_000, 3_000_000, 4_000_000] { pending.add(Int64(sent), partition: 0) }
        pending.add(5_000_000, partition: 1)
        let taken = pending.take(partition: 0, nowNs: 10_000_000)
        let trace = try #require(taken)
        #expect(trace.publishedAtNs == 10_000_000 && trace.untraced == 1)
        var latencies = LatencyHistogram()
        latencies.record(trace.buckets, laterBy: 0)
        // 9, 8 and 7 ms: the fourth stamp found the partition full.
        #expect(latencies.count == 3 && latencies.maxMicroseconds == 9_000)
        let again = pending.take(partition: 0, nowNs: 11_000_000)
        #expect(again == nil, "taken once")
        pending.forget(1)
        let forgotten = pending.take(partition: 1, nowNs: 11_000_000)
        #expect(forgotten == nil, "a revoked partition's stamps go with it")
    }

    @Test func theHeaderRoundTripsAndRefusesAnythingElse() throws {
        var histogram = LatencyHistogram()
        for value in [5, 500, 50_000] { histogram.record(microseconds: Int64(value)) }
        let trace = StateTrace(publishedAtNs: 1_765_000_000_000_000_000, untraced: 2, buckets: histogram.buckets)
        let bytes = trace.encoded
        let decoded = try #require(bytes.withUnsafeBytes { StateTrace(decoding: $0) })
        #expect(decoded.publishedAtNs == trace.publishedAtNs && decoded.untraced == 2)
        #expect(decoded.buckets.encoded == histogram.buckets.encoded)
        for garbage in ["", "1;2", "x;0;5;", "1;-1;5;", "1;0;5;1:x"] {
            let bytes = Array(garbage.utf8)
            #expect(bytes.withUnsafeBytes { StateTrace(decoding: $0) } == nil, "\(garbage)")
        }
    }
}
