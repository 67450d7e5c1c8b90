/// A partition's log as the brokers hold it now: the first offset retention kept and the
/// end offset (the next offset to be written). Not a watermark: that word is event time.
public struct OffsetRange: Equatable, Sendable {
    public var logStart: Int64
    public var end: Int64

    public init(logStart: Int64, end: Int64) {
        self.logStart = logStart
        self.end = end
    }

    /// Records the log holds now.
    public var count: Int64 { max(0, end - logStart) }
}
