import Analytics
import LiveValues
import UserBehavior

/// The figures of a live snapshot, as the rules read them. Counts of a segment come from
/// the snapshot's watched segments (`AnalyticsQuery.watched`, projected from the segment
/// cube), the whole stream's from its stream counts; distinct users from the sketches; a
/// figure in an event-time window from the watched windows (`AnalyticsQuery.watchedWindows`).
public struct SnapshotReadings: FigureReadings {
    public let snapshot: LiveSnapshot
    /// The wall clock (Unix ms): watermark delay and checkpoint age are measured from it.
    public let nowMs: Int64
    /// When the state was last saved (Unix ms), or when the run started if not yet; nil
    /// without `--state` (checkpoint age is then absent).
    public let lastCheckpointMs: Int64?

    public init(_ snapshot: LiveSnapshot, nowMs: Int64, lastCheckpointMs: Int64? = nil) {
        self.snapshot = snapshot
        self.nowMs = nowMs
        self.lastCheckpointMs = lastCheckpointMs
    }

    public func value(of reference: FigureReference) -> Double? {
        if let window = reference.window.flatMap(EventWindow.init(rawValue:)), window != .all {
            return windowed(reference, window)
        }
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

    /// A figure over a window's span (or yesterday's): the KPIs a window keeps per bin —
    /// events, purchases, distinct users, buyers, late — and nothing else (absent).
    private func windowed(_ reference: FigureReference, _ window: EventWindow) -> Double? {
        guard let reading = snapshot.aggregate.watchedWindows[WatchedWindow.key(window, segment: reference.segment)],
            let kpis = reference.yesterday ? reading.yesterday : reading.now
        else { return nil }
        switch reference.figure {
        case .events: return kpis.events.map(Double.init)
        case .purchases: return kpis.purchases.map(Double.init)
        case .uv: return kpis.users.map(Double.init)
        case .buyers: return kpis.buyers.map(Double.init)
        case .late: return kpis.late.map(Double.init)
        case .latePercent:
            guard let late = kpis.late, let events = kpis.events, events > 0 else { return nil }
            return Double(late) * 100 / Double(events)
        default: return nil
        }
    }
}
