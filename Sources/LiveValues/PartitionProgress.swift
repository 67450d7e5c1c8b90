/// What tbdash knows about one partition: how far it has read, its watermark, and the
/// records the broker deleted before they could be read.
public struct PartitionProgress: Equatable, Sendable {
    public let partition: Int32
    /// The offset after the last record counted (last offset + 1); nil before any.
    public var nextOffset: Int64?
    public var watermark: PartitionWatermark
    /// Records skipped because retention deleted them before they were read.
    public var skipped = 0
    /// Processing time of the last record (or of assignment), for idleness. Not saved.
    public var lastActivityMs: Int64
    /// The partition's end offset as last seen, for lag. Not saved.
    public var endOffset: Int64?
    /// The reader reported the partition's end and nothing after it. Not saved.
    public var atEnd = false
    /// No record for the idle timeout when the snapshot was taken: the global watermark
    /// does not wait for it. Set in snapshots only; not saved.
    public var idle = false

    public init(partition: Int32, boundMs: Int64, now: Int64) {
        self.partition = partition
        self.watermark = PartitionWatermark(boundMs: boundMs)
        self.lastActivityMs = now
    }

    /// Records between what we counted and the end of the partition.
    public var lag: Int64? {
        guard let endOffset else { return nil }
        return max(0, endOffset - (nextOffset ?? endOffset))
    }
}
