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
        // In floating point, and capped at a day: a tiny rate must not overflow Int64.
        let wait = Double(sent) / eventsPerSecond * 1e9 - Double(now - startNanoseconds)
        return wait > 0 ? Int64(min(wait, Self.longestDelay).rounded()) : 0
    }

    /// The longest single delay returned; the caller asks again when it is over.
    static let longestDelay = 86_400e9

    public mutating func recordSent() { sent += 1 }
}
