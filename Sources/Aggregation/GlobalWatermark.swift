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
