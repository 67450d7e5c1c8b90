/// Events folded per second of processing time, for the last `capacity` seconds: the
/// events/s figure and its sparkline. A fixed ring.
public struct RateHistory: Equatable, Sendable {
    public static let capacity = 120
    private var buckets = [Int](repeating: 0, count: capacity)
    /// The second (ms / 1000) the newest bucket counts.
    private var newestSecond: Int64?

    public init() {}

    public mutating func record(_ count: Int, now: Int64) {
        advance(to: now / 1000)
        buckets[slot(now / 1000)] += count
    }

    /// Per-second counts of the `n` seconds before the current one, oldest first.
    public func lastFullSeconds(_ n: Int, now: Int64) -> [Int] {
        let second = now / 1000
        let n = min(n, Self.capacity - 1)
        return (1...max(1, n)).reversed().map { back in
            let s = second - Int64(back)
            guard let newestSecond, s <= newestSecond, newestSecond - s < Int64(Self.capacity) - 1 else { return 0 }
            return buckets[slot(s)]
        }
    }

    /// The mean rate over the last `seconds` full seconds.
    public func perSecond(over seconds: Int, now: Int64) -> Double {
        let counts = lastFullSeconds(seconds, now: now)
        return Double(counts.reduce(0, +)) / Double(counts.count)
    }

    private func slot(_ second: Int64) -> Int {
        let c = Int64(Self.capacity)
        return Int(((second % c) + c) % c)
    }

    private mutating func advance(to second: Int64) {
        guard let newest = newestSecond else {
            newestSecond = second
            return
        }
        guard second > newest else { return }
        // Zero the buckets of the seconds that passed without events.
        var s = newest + 1
        while s <= second && s - newest <= Int64(Self.capacity) {
            buckets[slot(s)] = 0
            s += 1
        }
        newestSecond = second
    }
}
