/// Flink's `BoundedOutOfOrdernessWatermarks` for one partition: the watermark is the
/// largest event time seen minus the bound, updated after every record.
///
/// An event is late when its time is earlier than the watermark before it is applied
/// (Flink's `timestamp <= max − bound − 1 ms`). Before any event time the watermark is
/// `Int64.min`, so nothing can be late.
public struct PartitionWatermark: Equatable, Sendable {
    public let boundMs: Int64
    /// The largest event time seen, or nil before the first.
    public var maxEventTime: Int64? { newest }
    // Inlinable, as the fold calls it for every event from another module.
    @usableFromInline var newest: Int64?

    public init(boundMs: Int64, maxEventTime: Int64? = nil) {
        self.boundMs = boundMs
        self.newest = maxEventTime
    }

    @inlinable
    public var current: Int64 {
        guard let newest else { return .min }
        return newest - boundMs
    }

    /// How late an event time is against the current watermark: nil when on time.
    @inlinable
    public func lateness(of eventTime: Int64) -> Int64? {
        let watermark = current
        return eventTime < watermark ? watermark - eventTime : nil
    }

    /// Takes an event time in; true when the watermark rose.
    @inlinable @discardableResult
    public mutating func observe(_ eventTime: Int64) -> Bool {
        guard newest == nil || eventTime > newest! else { return false }
        newest = eventTime
        return true
    }
}
