import Analytics

/// Everything the aggregation shows, as one value: safe to hand to another thread.
public struct AggregateSnapshot: Equatable, Sendable {
    public var counts: Counts
    /// The whole stream's counts, whatever the filter: what metrics and history report.
    public var streamCounts: Counts
    public var batches: Int
    public var watermark: Int64?
    /// Sorted by partition id.
    public var partitions: [PartitionProgress]
    /// Events in the open batch, not yet in `counts`.
    public var pendingEvents: Int
    /// Events folded per second, over the last 3 s.
    public var eventsPerSecond: Double
    /// Events folded in each of the last 60 s, oldest first.
    public var rateHistory: [Int]
    /// The segment `counts` and `figures` cover.
    public var filter: SegmentFilter
    /// The analytics of the segment, when computed (they cost more than counts).
    public var figures: AnalyticsFigures?
    /// The newest events of the segment and the newest rejected messages.
    public var tail: LiveTail
    /// Processing time (monotonic ms) at which the newest event in `counts` was read; nil
    /// before the first batch is folded (and for states restored or merged from elsewhere
    /// until an event of this process's own is counted). See `freshnessMs(now:)`.
    public var newestReadAtMs: Int64?
    /// The segments the alarm rules watch (`AnalyticsQuery.watched`), by their filter's
    /// normalized text.
    public var watched: [String: WatchedSegment] = [:]
    /// The windows the alarm rules watch (`AnalyticsQuery.watchedWindows`), by `WatchedWindow.key`;
    /// absent where the window does not answer its filter or has no watermark yet.
    public var watchedWindows: [String: WindowReading] = [:]
    /// The window `counts` and `figures` cover.
    public var window = WindowInfo(window: .all)
    /// The window's KPIs against the same span yesterday, when it is held (nil for `all`).
    public var vsYesterday: KPIComparison?
    /// Why `vsYesterday` is nil; nil when it is not.
    public var vsYesterdayAbsence: KPIComparison.Absence?
    /// Events and purchases over event time.
    public var curves = EventTimeCurves()

    public init(
        counts: Counts = Counts(), streamCounts: Counts? = nil, batches: Int = 0, watermark: Int64? = nil, partitions: [PartitionProgress] = [],
        pendingEvents: Int = 0, eventsPerSecond: Double = 0, rateHistory: [Int] = [],
        filter: SegmentFilter = SegmentFilter(), figures: AnalyticsFigures? = nil, tail: LiveTail = LiveTail(),
        newestReadAtMs: Int64? = nil) {
        self.tail = tail
        self.newestReadAtMs = newestReadAtMs
        self.filter = filter
        self.figures = figures
        self.counts = counts
        self.streamCounts = streamCounts ?? counts
        self.batches = batches
        self.watermark = watermark
        self.partitions = partitions
        self.pendingEvents = pendingEvents
        self.eventsPerSecond = eventsPerSecond
        self.rateHistory = rateHistory
    }

    public var skipped: Int { partitions.reduce(0) { $0 + $1.skipped } }

    /// Freshness: how long ago, at processing time `now` (monotonic ms), the newest event
    /// this snapshot counts was read from Kafka; nil when none was. It includes the wait in
    /// the open micro-batch and grows while the stream is stopped, so a stale screen shows.
    public func freshnessMs(now: Int64) -> Int64? {
        newestReadAtMs.map { max(0, now - $0) }
    }

    /// Records not yet read, over partitions whose end offset is known.
    public var lag: Int64? {
        let known = partitions.compactMap(\.lag)
        return known.isEmpty ? nil : known.reduce(0, +)
    }
}

extension AggregateSnapshot {
    /// The projection: what `state` shows at processing time `now`, restricted to the
    /// query's segment; with `figures`, also the analytics (distinct users, funnel,
    /// rankings), which cost more to compute. The watch adds what only its fold keeps (the
    /// open batch's size, the rates, the live tail); a changelog viewer has none of them.
    public init(state: AggregationState, query: AnalyticsQuery, config: AggregationConfig, now: Int64, figures: Bool,
                pendingEvents: Int = 0, rates: RateHistory = RateHistory(), tail: LiveTail = LiveTail(),
                newestReadAtMs: Int64? = nil) {
        var partitions = state.partitions
        partitions.sort { $0.partition < $1.partition }
        for i in partitions.indices { partitions[i].idle = now - partitions[i].lastActivityMs >= config.idleTimeoutMs }
        let windowed = WindowedView(state: state, query: query, calendar: config.calendar)
        self.init(
            counts: windowed.counts, streamCounts: state.counts, batches: state.batches, watermark: state.globalWatermark,
            partitions: partitions, pendingEvents: pendingEvents,
            eventsPerSecond: rates.perSecond(over: 3, now: now),
            rateHistory: rates.lastFullSeconds(60, now: now),
            filter: query.filter,
            figures: figures ? windowed.figures() : nil,
            tail: tail, newestReadAtMs: newestReadAtMs)
        window = windowed.info
        vsYesterday = windowed.comparison()
        vsYesterdayAbsence = windowed.comparisonAbsence()
        curves = EventTimeCurves(state: state, calendar: config.calendar)
        for segment in query.watched { watched[segment.normalized] = WatchedSegment(segment, of: state, figures: figures) }
        for watchedWindow in query.watchedWindows {
            var windowQuery = AnalyticsQuery()
            (windowQuery.window, windowQuery.filter) = (watchedWindow.window, watchedWindow.filter)
            watchedWindows[watchedWindow.key] = WindowedView(state: state, query: windowQuery, calendar: config.calendar).reading()
        }
    }
}
