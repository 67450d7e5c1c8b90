/// Flink's `BoundedOutOfOrdernessWatermarks` for one partition: the watermark is the
/// largest event time seen minus the bound, updated after every record.
///
/// An event is late when its time is earlier than the watermark before it is applied
/// (Flink's `timestamp <= max − bound − 1 ms`). Before any event time the watermark is
/// `Int64.min`, so nothing can be late.
public struct PartitionWatermark: Equatable, Sendable {
    public let boundMs: Int64
    /// The largest event time seen, or nil before the first.
    public private(set) var maxEventTime: Int64?

    public init(boundMs: Int64, maxEventTime: Int64? = nil) {
        self.boundMs = boundMs
        self.maxEventTime = maxEventTime
    }

    public var current: Int64 {
        guard let maxEventTime else { return .min }
        return maxEventTime - boundMs
    }

    /// How late an event time is against the current watermark: nil when on time.
    @inline(__always)
    public func lateness(of eventTime: Int64) -> Int64? {
        let watermark = current
        return eventTime < watermark ? watermark - eventTime : nil
    }

    /// Takes an event time in; true when the watermark rose.
    @inline(__always) @discardableResult
    public mutating func observe(_ eventTime: Int64) -> Bool {
        guard maxEventTime == nil || eventTime > maxEventTime! else { return false }
        maxEventTime = eventTime
        return true
    }
}

/// The global watermark: the minimum over partitions that are not idle (no record for
/// strictly more than the idle timeout, in processing time). It never moves backwards.
public struct GlobalWatermark: Equatable, Sendable {
    public let idleTimeoutMs: Int64
    public private(set) var current: Int64?

    public init(idleTimeoutMs: Int64, current: Int64? = nil) {
        self.idleTimeoutMs = idleTimeoutMs
        self.current = current
    }

    /// Recomputes from `(watermark, last record time)` per partition at processing time `now`.
    public mutating func update<S: Sequence>(partitions: S, now: Int64) where S.Element == (watermark: Int64, lastActivity: Int64) {
        var minimum: Int64?
        for partition in partitions where now - partition.lastActivity <= idleTimeoutMs {
            minimum = min(minimum ?? .max, partition.watermark)
        }
        // All idle: hold. A partition without event times yet (Int64.min) holds it back.
        guard let minimum, minimum > .min else { return }
        if current == nil || minimum > current! { current = minimum }
    }
}
