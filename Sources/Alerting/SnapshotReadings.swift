import Analytics
import LiveValues
import UserBehavior

/// The figures of a live snapshot, as the rules read them. Counts of a segment come from
/// the snapshot's watched segments (`AnalyticsQuery.watched`, projected from the segment
/// cube), the whole stream's from its stream counts; distinct users from the sketches.
public struct SnapshotReadings: FigureReadings {
    /// Answers a reference with an event-time window (`uv[window=1h]`,
    /// `uv[window=1h, yesterday]`); nil (absent) until the windows are wired to it.
    public typealias WindowedFigures = @Sendable (FigureReference, LiveSnapshot) -> Double?

    public let snapshot: LiveSnapshot
    /// The wall clock (Unix ms): watermark delay and checkpoint age are measured from it.
    public let nowMs: Int64
    /// When the state was last saved (Unix ms), or when the run started if not yet; nil
    /// without `--state` (checkpoint age is then absent).
    public let lastCheckpointMs: Int64?
    public let windowed: WindowedFigures?

    public init(_ snapshot: LiveSnapshot, nowMs: Int64, lastCheckpointMs: Int64? = nil, windowed: WindowedFigures? = nil) {
        self.snapshot = snapshot
        self.nowMs = nowMs
        self.lastCheckpointMs = lastCheckpointMs
        self.windowed = windowed
    }

    public func value(of reference: FigureReference) -> Double? {
        if reference.window != nil { return windowed?(reference, snapshot) }
        let a = snapshot.aggregate
        let whole = reference.segment.isEmpty
        let segment = whole ? nil : a.watched[reference.segment]
        guard let counts = whole ? a.streamCounts : segment?.counts else { return nil }
        func percent(_ part: Int, of total: Int) -> Double? { total == 0 ? nil : Double(part) * 100 / Double(total) }
        func action(_ action: Action) -> Double { Double(counts.action[Int(action.rawValue)]) }
        let funnel = whole ? a.figures?.streamFunnel : segment?.funnel
        switch reference.figure {
        case .events: return Double(counts.events)
        case .clicks: return action(.click)
        case .carts: return action(.addToCart)
        case .favourites: return action(.favourite)
        case .purchases: return action(.purchase)
        case .late: return Double(counts.late)
        case .rejected: return Double(a.streamCounts.rejectedTotal)
        case .skipped: return Double(a.skipped)
        case .uv: return (whole ? a.figures?.streamUsers : segment?.users).map(Double.init)
        case .buyers: return funnel?.purchase.map(Double.init)
        case .conversion: return funnel?.conversion.map { $0 * 100 }
        case .latePercent: return percent(counts.late, of: counts.events)
        case .share: return percent(counts.events, of: a.streamCounts.events)
        case .lag: return a.lag.map(Double.init)
        case .lagTime:
            // Lag in time: what is waiting ÷ the rate it is folded at; unbounded while
            // records wait and none is folded.
            guard let lag = a.lag else { return nil }
            guard lag > 0 else { return 0 }
            return a.eventsPerSecond > 0 ? Double(lag) / a.eventsPerSecond : .infinity
        case .watermarkDelay: return a.watermark.map { Double(nowMs - $0) / 1000 }
        case .checkpointAge: return lastCheckpointMs.map { Double(nowMs - $0) / 1000 }
        }
    }
}
