/// When to fold pending events into the shown state: after `size` events or `intervalMs`
/// after the batch's first event, whichever comes first; never an empty batch.
///
/// Flink's `ProcessingTimeoutTrigger.of(CountTrigger.of(size), interval)`; processing time
/// is passed in, so it is tested with a manual clock.
public struct MicroBatcher: Equatable, Sendable {
    public let size: Int
    public let intervalMs: Int64
    public private(set) var count = 0
    public private(set) var firstEventAt: Int64?

    public init(size: Int, intervalMs: Int64) {
        precondition(size > 0 && intervalMs > 0)
        self.size = size
        self.intervalMs = intervalMs
    }

    /// Adds an event at processing time `now`; true when the batch is now full.
    @inline(__always)
    public mutating func add(now: Int64) -> Bool {
        if count == 0 { firstEventAt = now }
        count += 1
        return count >= size
    }

    /// True when the open batch has waited its interval.
    public func isDue(now: Int64) -> Bool {
        guard let firstEventAt else { return false }
        return now - firstEventAt >= intervalMs
    }

    /// When the open batch will be due, for a caller that sleeps until then.
    public var deadline: Int64? { firstEventAt.map { $0 + intervalMs } }

    /// Closes the batch; returns how many events it held.
    public mutating func reset() -> Int {
        defer {
            count = 0
            firstEventAt = nil
        }
        return count
    }
}
