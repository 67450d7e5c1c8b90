/// What to do when the brokers no longer have the offset a partition was to be read from:
/// retention deleted records before they were read. They are counted as skipped
/// (`skipped`), and reading goes on from the log start; a position past the end means the
/// topic was recreated, and reading starts over from its log start. The one rule for the
/// watch's reader and the scale-out worker.
public struct RetentionGap: Equatable, Sendable {
    /// The offsets deleted before they were read, if any.
    public let skipped: Range<Int64>?
    /// Where reading goes on.
    public let resumeAt: Int64

    /// `position`: where the partition was to be read next; `logStart` and `end`: the
    /// partition's log as the brokers hold it now.
    public init(position: Int64, logStart: Int64, end: Int64) {
        skipped = logStart > position ? position..<logStart : nil
        resumeAt = position > end ? logStart : max(logStart, position)
    }
}
