import Kafka

/// Finds the first offset of a partition whose record is at or after a time, by reading
/// records, for brokers that cannot look records up by time (librdkafka's mock cluster
/// answers every such lookup with the end). A binary search over the partition's offsets,
/// without I/O: it names the offset to read next, and is told the first record at or after
/// it (offsets may have gaps: compaction, transaction markers).
///
/// What it guarantees: where timestamps do not decrease along the partition — as
/// `produce --event-time` writes each partition, day after day — the result is the first
/// record at or after the time, as a broker's own lookup finds it. Where they go back and
/// forth (a replay in file order), it is *an* offset whose record is at or after the time
/// and whose predecessor is before it; records on either side may be of any time.
public struct OffsetSearch: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        /// Read the first record at or after this offset, then `learn` it.
        case read(Int64)
        /// Start here: the partition's end when no record is at or after the time.
        case found(Int64)
    }

    public let targetMs: Int64
    private var low: Int64
    private var high: Int64
    private let end: Int64
    /// No record from this offset to the end (what is there is a gap).
    private var emptyFrom: Int64

    /// Over the offsets the log holds now.
    public init(range: OffsetRange, targetMs: Int64) {
        self.targetMs = targetMs
        low = range.logStart
        end = max(range.logStart, range.end)
        high = end
        emptyFrom = end
    }

    public var next: Step {
        low < high ? .read(low + (high - low) / 2) : .found(low >= emptyFrom ? end : low)
    }

    /// The first record at or after `offset` (the last `.read`), or nil when there is none
    /// up to the end.
    public mutating func learn(at offset: Int64, _ record: RecordStamp?) {
        if let record, record.timestampMs < targetMs {
            // Nothing between `offset` and the record: the answer is after it.
            low = min(max(low, record.offset + 1), high)
        } else {
            high = offset
            if record == nil { emptyFrom = min(emptyFrom, offset) }
        }
    }
}
