import Kafka
import LiveValues

/// The send stamps a scale-out worker forwards to a viewer's trace (`tbdash aggregate
/// --trace`, `watch --changelog --headless --trace`): a published state's last message
/// carries a header `tbdash-trace` = `P;U;H` — P the wall-clock ns of the publish, U the
/// stamped events it could not keep, H the send → P latencies (µs) of the stamped events
/// this state covers for the first time, as `LatencyHistogram.Buckets` text. The viewer
/// adds its own wait from P to its publish. Read only by a viewer that traces.
public struct StateTrace {
    public static let header = "tbdash-trace"

    public var publishedAtNs: Int64
    public var untraced: Int64
    public var buckets: LatencyHistogram.Buckets

    public init(publishedAtNs: Int64, untraced: Int64, buckets: LatencyHistogram.Buckets) {
        self.publishedAtNs = publishedAtNs
        self.untraced = untraced
        self.buckets = buckets
    }

    public var encoded: [UInt8] { Array("\(publishedAtNs);\(untraced);\(buckets.encoded)".utf8) }

    /// What `encoded` wrote; nil for anything else.
    public init?(decoding bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: ";", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let publishedAtNs = Int64(parts[0]), let untraced = Int64(parts[1]), untraced >= 0,
              let buckets = LatencyHistogram.Buckets(encoded: parts[2]) else { return nil }
        self.init(publishedAtNs: publishedAtNs, untraced: untraced, buckets: buckets)
    }
}

/// A worker's stamps of events counted since each partition's state was last published,
/// at most `capacity` a partition (8 bytes each): past it an event is only counted as
/// untraced, so memory is bounded by partitions × capacity.
struct PendingStamps {
    let capacity: Int
    private var stamps: [Int32: [Int64]] = [:]
    private var untraced: [Int32: Int64] = [:]

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
    }

    mutating func add(_ sentNs: Int64, partition: Int32) {
        if stamps[partition, default: []].count < capacity {
            stamps[partition, default: []].append(sentNs)
        } else {
            untraced[partition, default: 0] += 1
        }
    }

    /// The partition's trace for a publish at `nowNs`; nil when nothing was stamped.
    /// Emptied: call it once the state is sent.
    mutating func take(partition: Int32, nowNs: Int64) -> StateTrace? {
        let taken = stamps.removeValue(forKey: partition) ?? []
        let lost = untraced.removeValue(forKey: partition) ?? 0
        guard !taken.isEmpty || lost > 0 else { return nil }
        var histogram = LatencyHistogram()
        for sent in taken { histogram.record(microseconds: (nowNs - sent) / 1000) }
        return StateTrace(publishedAtNs: nowNs, untraced: lost, buckets: histogram.buckets)
    }

    mutating func forget(_ partition: Int32) {
        stamps[partition] = nil
        untraced[partition] = nil
    }
}
