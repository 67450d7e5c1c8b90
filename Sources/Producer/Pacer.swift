/// Spaces sends to a target rate: the n-th event is due at `start + n / rate`, so short
/// stalls are caught up and the long-run rate is exact. No clock of its own.
public struct Pacer: Sendable {
    public let eventsPerSecond: Double
    private let startNanoseconds: Int64
    private var sent: Int64 = 0

    public init(eventsPerSecond: Double, startNanoseconds: Int64) {
        self.eventsPerSecond = eventsPerSecond
        self.startNanoseconds = startNanoseconds
    }

    /// Nanoseconds to wait before the next event may go (0 when it is due).
    public func delay(now: Int64) -> Int64 {
        let due = startNanoseconds + Int64((Double(sent) / eventsPerSecond * 1e9).rounded())
        return max(0, due - now)
    }

    public mutating func recordSent() { sent += 1 }
}
