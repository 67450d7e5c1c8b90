/// Consumer lag in time and where it is heading (SPEC §7): lag ÷ processing rate ("catches
/// up in ~12 s"), and over the last 30 s of once-a-second samples whether it drains, holds,
/// grows, or is stalled (no progress while records wait).
public struct LagOutlook: Equatable, Sendable {
    public enum Trend: String, Sendable {
        case caughtUp = "caught up"
        case draining, steady, growing, stalled
    }

    public var lag: Int64
    /// Seconds to read what is waiting at the current rate; nil when nothing is processed.
    public var secondsToCatchUp: Double?
    public var trend: Trend

    /// How many once-a-second samples the trend looks back over.
    public static let window = 30

    /// `lagHistory`: total lag sampled once a second, oldest first; `processedPerSecond`:
    /// records counted per second lately.
    public init(lag: Int64, lagHistory: [Int64], processedPerSecond: Double) {
        self.lag = lag
        secondsToCatchUp = lag > 0 && processedPerSecond > 0 ? Double(lag) / processedPerSecond : nil
        let recent = lagHistory.suffix(Self.window)
        if lag == 0 {
            trend = .caughtUp
        } else if processedPerSecond <= 0 {
            trend = .stalled
        } else if let first = recent.first, recent.count >= 2 {
            // Within 5 % (or 10 records) of where it was is steady: lag jitters with batches.
            let change = lag - first
            let tolerance = max(10, first / 20)
            trend = change < -tolerance ? .draining : change > tolerance ? .growing : .steady
        } else {
            trend = .steady
        }
    }
}
