import Analytics
import UserBehavior

/// The part of an aggregation that must survive a restart: everything counted, and per
/// partition how far it was read and its watermark.
public struct AggregationState: Equatable, Sendable {
    /// The whole stream's counts. The segment cube holds the same numbers (not rejections
    /// nor the largest lateness), so these could be derived from it; they are kept because
    /// keeping costs less. Measured with the release `Benchmarks` on its 200,000-row sample
    /// (one run, shared machine): deriving them from the cube's 87,740 cells took 1.9 ms,
    /// adding an event to them 14.5 ns. A watch publishes 10 snapshots a second, so
    /// deriving would cost ~19 ms of the aggregator's every second, traffic or not, and
    /// grow with the cells (up to 1.4 M); keeping costs 14.5 ms per million events, and
    /// lets a restore check the two against each other (`init(from:)`).
    public var counts = Counts()
    /// Segments, distinct users, trending and repeat buyers (SPEC §7).
    public var summary = BehaviorSummary()
    /// The recent stream in event time, by the minute and by ten minutes (`--hold`): what
    /// windows, curves and cumulative users merge.
    public var windows = WindowBins()
    /// Events and purchases by (event day, local hour), all time.
    public var hourly = HourlyCounts()
    /// Items by decayed heat (`--half-life`).
    public var hot = DecayedHot()
    public var batches = 0
    public var globalWatermark: Int64?
    public var partitions: [PartitionProgress] = []

    public init() {}

    /// Nothing counted, with rings holding `holdBins` ten-minute bins starting
    /// `phaseMinutes` after the UTC ten minutes, and heat halving every `halfLifeMs`.
    public init(holdBins: Int, phaseMinutes: Int = 0, halfLifeMs: Int64) {
        windows = WindowBins(holdBins: holdBins, phaseMinutes: phaseMinutes)
        hot = DecayedHot(halfLifeMs: halfLifeMs, capacity: hot.capacity)
    }

    /// Each partition's next offset to read: what a commit records.
    public var nextOffsets: [Int32: Int64] {
        Dictionary(uniqueKeysWithValues: partitions.compactMap { p in p.nextOffset.map { (p.partition, $0) } })
    }
}

extension AggregationState {
    /// Whether some event time is finer than a day: an hour other than a day's first holds
    /// events, or a minute of the minute ring other than a day's start does. A stream of
    /// (month, day) events has none, and minute windows and curves mean nothing on it.
    public func hasSubDayResolution(calendar: EventCalendar) -> Bool {
        var laterHour = false
        hourly.forEachHour { _, hour, _, _ in laterHour = laterHour || hour != 0 }
        return laterHour || windows.minuteBinList.contains { bin in
            calendar.dayIndex(milliseconds: bin.startMs).flatMap(calendar.startOfDay(dayIndex:)) != bin.startMs
        }
    }

    /// The state as a reader that takes it over at `now` sees it (a changelog viewer, each
    /// time it merges): every partition active now, and each partition of `ends` given
    /// that end offset, added when the state has none and read from offset 0 (all of it lag).
    public func takenOver(now: Int64, ends: [Int32: Int64], boundMs: Int64) -> AggregationState {
        var state = self
        for i in state.partitions.indices { state.partitions[i].lastActivityMs = now }
        for (partition, end) in ends {
            let i = state.partitions.firstIndex(where: { $0.partition == partition }) ?? {
                state.partitions.append(PartitionProgress(partition: partition, boundMs: boundMs, now: now))
                return state.partitions.count - 1
            }()
            state.partitions[i].endOffset = end
            // A partition without a readable state has counted nothing: all of it is lag.
            if state.partitions[i].nextOffset == nil { state.partitions[i].nextOffset = 0 }
        }
        return state
    }
}

extension AggregationState: Mergeable {
    /// Nothing counted, with the same analytics limits.
    public var empty: AggregationState {
        var state = AggregationState()
        state.summary = summary.empty
        state.windows = windows.empty
        state.hot = hot.empty
        return state
    }

    /// Counts one event (the fold adds its micro-batches so); offsets, watermarks and
    /// batches are the fold's to move.
    @inlinable
    public mutating func add(_ event: CountedEvent) {
        counts.add(event)
        let analytic = AnalyticEvent(event)
        summary.add(analytic)
        guard event.eventTimeMs != .min else { return }
        windows.add(analytic, timeMs: event.eventTimeMs)
        hot.add(item: event.itemID, action: Int(event.action), timeMs: event.eventTimeMs)
        if event.dayIndex >= 0 && event.hourOfDay >= 0 {
            hourly.add(HourlyCounts.Event(dayIndex: Int(event.dayIndex), hour: Int(event.hourOfDay),
                                          purchase: event.action == Action.purchase.rawValue))
        }
    }

    /// Adds the state of other partitions (a scale-out viewer merges one state per
    /// partition). Lateness is judged per partition, so merging the states of any split
    /// of the partitions gives the state of one aggregation over all of them: counts and
    /// the segment cube exactly, the summaries within their bounds.
    ///
    /// `batches` sums the parts' micro-batches (a count of folds, not of anything in the
    /// data); the global watermark is the smallest of the parts' (each part's is already
    /// the minimum over its own active partitions). Partitions are expected to be
    /// disjoint; if one appears on both sides, the one read further wins.
    public mutating func merge(_ other: AggregationState) {
        counts.merge(other.counts)
        summary.merge(other.summary)
        windows.merge(other.windows)
        hourly.merge(other.hourly)
        hot.merge(other.hot)
        batches += other.batches
        switch (globalWatermark, other.globalWatermark) {
        case (let a?, let b?): globalWatermark = min(a, b)
        case (nil, let b): globalWatermark = b
        default: break
        }
        for progress in other.partitions {
            if let index = partitions.firstIndex(where: { $0.partition == progress.partition }) {
                if (progress.nextOffset ?? -1) > (partitions[index].nextOffset ?? -1) { partitions[index] = progress }
            } else {
                partitions.append(progress)
            }
        }
        partitions.sort { $0.partition < $1.partition }
    }

    /// Global watermark, batches, partitions (sorted: id, next offset, max event time,
    /// skipped), counts, then the analytics (`BehaviorSummary`, `WindowBins`, `HourlyCounts`,
    /// `DecayedHot`, each self-versioned). No version
    /// of its own: the state file and the changelog record that hold it are versioned.
    public func encode(into w: inout BinaryWriter) {
        w.write(optional: globalWatermark)
        w.write(varint: UInt64(batches))
        let partitions = partitions.sorted { $0.partition < $1.partition }
        w.write(varint: UInt64(partitions.count))
        for p in partitions {
            w.write(varint: UInt64(p.partition))
            w.write(optional: p.nextOffset)
            w.write(optional: p.watermark.maxEventTime)
            w.write(varint: UInt64(p.skipped))
        }
        counts.encode(into: &w)
        summary.encode(into: &w)
        windows.encode(into: &w)
        hourly.encode(into: &w)
        hot.encode(into: &w)
    }

    /// Reads what `encode` wrote. The watermarks' out-of-orderness bound is semantics, kept
    /// beside the state rather than in it: decoded watermarks have bound 0 until
    /// `boundingWatermarks(by:)`. Counts and analytics that disagree are damage.
    public init(from r: inout BinaryReader) throws(SummaryDecodingError) {
        self.init()
        globalWatermark = try r.readOptional()
        batches = try r.readCount(atMost: Int.max)
        let partitionCount = try r.readCount(atMost: r.remaining / 4)
        for _ in 0..<partitionCount {
            let id = try r.readCount(atMost: Int(Int32.max))
            var progress = PartitionProgress(partition: Int32(id), boundMs: 0, now: 0)
            progress.nextOffset = try r.readOptional()
            progress.watermark = PartitionWatermark(boundMs: 0, maxEventTime: try r.readOptional())
            progress.skipped = try r.readCount(atMost: Int.max)
            guard partitions.last.map({ $0.partition < progress.partition }) ?? true else {
                throw .invalid("partitions out of order")
            }
            partitions.append(progress)
        }
        counts = try Counts(from: &r)
        summary = try BehaviorSummary(from: &r)
        windows = try WindowBins(from: &r)
        hourly = try HourlyCounts(from: &r)
        hot = try DecayedHot(from: &r)
        // The counts and the segment cube count the same events: a disagreement is damage.
        guard Int64(counts.events) == summary.segments.total else {
            throw .invalid("counts and segments disagree")
        }
    }

    /// The state with every partition's watermark kept with out-of-orderness `boundMs`.
    public func boundingWatermarks(by boundMs: Int64) -> AggregationState {
        var state = self
        for i in state.partitions.indices {
            state.partitions[i].watermark = PartitionWatermark(boundMs: boundMs, maxEventTime: state.partitions[i].watermark.maxEventTime)
        }
        return state
    }
}
