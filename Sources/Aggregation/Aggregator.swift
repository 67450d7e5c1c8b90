import Analytics
import UserBehavior

/// The event-time semantics of a watch, as numbers (SPEC §3).
public struct AggregationConfig: Equatable, Sendable {
    public var calendar: EventCalendar
    public var outOfOrdernessMs = Self.defaultOutOfOrdernessMs
    public var idleTimeoutMs = Self.defaultIdleTimeoutMs
    public var batchSize = Self.defaultBatchSize
    public var batchIntervalMs = Self.defaultBatchIntervalMs

    /// SPEC §3's defaults, which the command-line options and the dashboard take from here.
    public static let defaultOutOfOrdernessMs: Int64 = 300_000
    public static let defaultIdleTimeoutMs: Int64 = 30_000
    public static let defaultBatchSize = 10
    public static let defaultBatchIntervalMs: Int64 = 2_000

    public init(calendar: EventCalendar) {
        self.calendar = calendar
    }
}

/// The part of an aggregation that must survive a restart: everything counted, and per
/// partition how far it was read and its watermark.
public struct AggregationState: Equatable, Sendable {
    public var counts = Counts()
    /// Segments, distinct users, trending and repeat buyers (SPEC §7).
    public var summary = BehaviorSummary()
    public var batches = 0
    public var globalWatermark: Int64?
    public var partitions: [PartitionProgress] = []

    public init() {}

    /// Each partition's next offset to read: what a commit records.
    public var nextOffsets: [Int32: Int64] {
        Dictionary(uniqueKeysWithValues: partitions.compactMap { p in p.nextOffset.map { (p.partition, $0) } })
    }
}

/// Turns Kafka records into the counts the dashboard shows: decode, event time, watermark
/// and lateness per partition, then fold into the shown state in micro-batches.
///
/// No I/O, no threads, no clock: the caller passes processing time (ms) in, so it is
/// deterministic and tested with a manual clock.
public final class Aggregator {
    public let config: AggregationConfig
    private let decoder = MessageDecoder()
    private var batcher: MicroBatcher
    // Touched for every record by this object only: no dynamic exclusivity checks.
    /// What is shown: folded, flushed batches.
    @exclusivity(unchecked) private var shown: AggregationState
    /// Events of the open batch; rejections are counted straight into `shown`.
    @exclusivity(unchecked) private var pending: [PendingEvent] = []
    /// Index into `shown.partitions` by partition id (ids are small integers); −1 unknown.
    @exclusivity(unchecked) private var partitionIndex: [Int] = []
    private var rates = RateHistory()
    /// The newest events of the query's segment and the newest rejected messages.
    @exclusivity(unchecked) private var tail = LiveTail()

    public init(config: AggregationConfig, restoring state: AggregationState? = nil, now: Int64 = 0) {
        self.config = config
        self.batcher = MicroBatcher(size: config.batchSize, intervalMs: config.batchIntervalMs)
        self.shown = state ?? AggregationState()
        pending.reserveCapacity(config.batchSize)
        for (index, progress) in shown.partitions.enumerated() {
            setIndex(index, for: progress.partition)
            shown.partitions[index].lastActivityMs = now
        }
    }

    /// Allocates the analytics' growing tables at their bounds now, so memory does not grow
    /// with the stream (for a watch's one state; see `BehaviorSummary.reserveFullTables`).
    public func reserveFullTables() {
        shown.summary.reserveFullTables()
    }

    /// Counts one record. Records at or before a partition's counted offset are ignored, so
    /// a record delivered twice is never counted twice.
    public func ingest(partition: Int32, offset: Int64, payload: UnsafeRawBufferPointer, now: Int64) {
        guard let index = accept(partition, offset, now: now) else { return }
        count(decoder.decode(payload), at: index, partition: partition, offset: offset, payload: payload, now: now)
    }

    /// Counts one record decoded elsewhere (a watch's reader thread decodes while this
    /// folds). `payload` is only read for a rejection, whose first bytes the tail shows;
    /// nil when they were not kept (a message too large to copy).
    public func ingest(partition: Int32, offset: Int64, decoded: MessageDecoder.Result,
                       payload: UnsafeRawBufferPointer?, now: Int64) {
        guard let index = accept(partition, offset, now: now) else { return }
        count(decoded, at: index, partition: partition, offset: offset, payload: payload, now: now)
    }

    @inline(__always)
    private func count(_ decoded: MessageDecoder.Result, at index: Int, partition: Int32, offset: Int64,
                       payload: UnsafeRawBufferPointer?, now: Int64) {
        switch decoded {
        case .rejected(let reason):
            shown.counts.rejected[reason.rawValue] += 1
            tail.recordRejected(partition: partition, offset: offset, reason: reason, payload: payload)
        case .event(let event):
            let dayIndex = EventCalendar.dayIndex(month: event.month, day: event.day)
            let eventTime = dayIndex.flatMap(config.calendar.startOfDay(dayIndex:))
            var lateness: Int64?
            if let eventTime {
                lateness = shown.partitions[index].watermark.lateness(of: eventTime)
                if shown.partitions[index].watermark.observe(eventTime) { globalWatermarkInputsChanged = true }
            }
            let shownDay = eventTime == nil ? nil : dayIndex
            pending.append(PendingEvent(event, dayIndex: shownDay, latenessMs: lateness))
            let province = event.province.index
            if query.filter.matches(action: event.action.rawValue, ageRange: event.ageRange.rawValue, gender: event.gender.rawValue,
                                    province: province, dayIndex: shownDay) {
                tail.record(LiveTail.Event(
                    partition: partition, offset: offset, userID: event.userID, itemID: event.itemID,
                    action: event.action.rawValue, ageRange: event.ageRange.rawValue, gender: event.gender.rawValue,
                    province: province, dayIndex: Int16(shownDay ?? -1), latenessMs: lateness ?? -1))
            }
            if batcher.add(now: now) { flush(now: now) }
        }
    }

    /// Moves the partition past `offset`; nil (and nothing changes) when that record was
    /// counted already.
    @inline(__always)
    private func accept(_ partition: Int32, _ offset: Int64, now: Int64) -> Int? {
        let index = progressIndex(partition, now: now)
        if let next = shown.partitions[index].nextOffset, offset < next { return nil }
        shown.partitions[index].nextOffset = offset + 1
        if now - shown.partitions[index].lastActivityMs > config.idleTimeoutMs { globalWatermarkInputsChanged = true }
        shown.partitions[index].lastActivityMs = now
        shown.partitions[index].atEnd = false
        return index
    }

    /// The broker deleted `from..<to` of a partition before it was read: count the gap.
    public func recordGap(partition: Int32, from: Int64, to: Int64, now: Int64) {
        let index = progressIndex(partition, now: now)
        let start = max(from, shown.partitions[index].nextOffset ?? from)
        guard to > start else { return }
        shown.partitions[index].skipped += Int(to - start)
        shown.partitions[index].nextOffset = to
    }

    /// The reader reached the end of a partition (nothing after `offset` yet), which is
    /// also its end offset at that moment.
    public func recordEnd(partition: Int32, offset: Int64, now: Int64) {
        let index = progressIndex(partition, now: now)
        if offset >= shown.partitions[index].nextOffset ?? offset { shown.partitions[index].atEnd = true }
        shown.partitions[index].endOffset = max(shown.partitions[index].endOffset ?? offset, offset)
    }

    /// A partition the reader now reads from `offset`: what lies before it is accounted
    /// for (read before a restart, or deliberately not read, as with --from latest), so
    /// the offset is committed even if no record follows.
    public func assign(partition: Int32, startingAt offset: Int64, now: Int64) {
        let index = progressIndex(partition, now: now)
        if shown.partitions[index].nextOffset == nil { shown.partitions[index].nextOffset = offset }
    }

    public func setEndOffset(partition: Int32, _ high: Int64, now: Int64) {
        shown.partitions[progressIndex(partition, now: now)].endOffset = high
    }

    /// Flushes the open batch if its interval has passed; refreshes the global watermark.
    @discardableResult
    public func tick(now: Int64) -> Bool {
        if batcher.isDue(now: now) {
            flush(now: now)
            return true
        }
        updateGlobalWatermark(now: now)
        return false
    }

    /// When `tick` next has work: the open batch's deadline.
    public var nextDeadline: Int64? { batcher.deadline }

    /// Folds the open batch now (at the end of a stream, or before stopping).
    public func flush(now: Int64) {
        let count = batcher.reset()
        guard count > 0 else { return }
        for event in pending {
            shown.counts.add(event)
            shown.summary.add(AnalyticEvent(event))
        }
        pending.removeAll(keepingCapacity: true)
        shown.batches += 1
        rates.record(count, now: now)
        updateGlobalWatermark(now: now)
    }

    /// Every partition read to its end and nothing pending.
    public var allAtEnd: Bool {
        !shown.partitions.isEmpty && shown.partitions.allSatisfy(\.atEnd)
    }

    /// What survives a restart: the shown state plus the open batch, as if it were folded.
    public var state: AggregationState {
        var state = shown
        for event in pending {
            state.counts.add(event)
            state.summary.add(AnalyticEvent(event))
        }
        state.partitions.sort { $0.partition < $1.partition }
        return state
    }

    /// Each partition's next offset to read, the open batch included (as in `state`),
    /// without copying the state.
    public var nextOffsets: [Int32: Int64] { shown.nextOffsets }

    /// The segment the snapshot's counts and figures cover, and how rankings are made.
    public var query = AnalyticsQuery() {
        didSet { if query.filter != oldValue.filter { tail.clearEvents() } }
    }

    /// The numbers to draw (the shown state; the open batch is only counted), restricted
    /// to the query's segment; with `figures`, also the analytics (distinct users, funnel,
    /// rankings), which cost more to compute.
    public func snapshot(now: Int64, figures: Bool = false) -> AggregateSnapshot {
        var partitions = shown.partitions
        partitions.sort { $0.partition < $1.partition }
        for i in partitions.indices { partitions[i].idle = now - partitions[i].lastActivityMs >= config.idleTimeoutMs }
        let counts = shown.counts.restricted(to: query.filter, cube: shown.summary.segments)
        return AggregateSnapshot(
            counts: counts, streamCounts: shown.counts, batches: shown.batches, watermark: shown.globalWatermark,
            partitions: partitions, pendingEvents: pending.count,
            eventsPerSecond: rates.perSecond(over: 3, now: now),
            rateHistory: rates.lastFullSeconds(60, now: now),
            filter: query.filter,
            figures: figures ? AnalyticsFigures(shown.summary, query: query, counts: counts) : nil,
            tail: tail)
    }

    /// Whether anything the global watermark is made of changed since it was computed at
    /// `globalWatermarkComputedAt`: a partition's watermark rose, an idle partition woke,
    /// or a partition was added. With neither that nor the clock changed, computing it
    /// again (a pass over every partition, after every batch of 10) gives the same value.
    @exclusivity(unchecked) private var globalWatermarkInputsChanged = true
    private var globalWatermarkComputedAt = Int64.min

    private func updateGlobalWatermark(now: Int64) {
        guard globalWatermarkInputsChanged || now != globalWatermarkComputedAt else { return }
        globalWatermarkInputsChanged = false
        globalWatermarkComputedAt = now
        var global = GlobalWatermark(idleTimeoutMs: config.idleTimeoutMs, current: shown.globalWatermark)
        global.update(partitions: shown.partitions.lazy.map { ($0.watermark.current, $0.lastActivityMs) }, now: now)
        shown.globalWatermark = global.current
    }

    @inline(__always)
    private func progressIndex(_ partition: Int32, now: Int64) -> Int {
        let id = Int(partition)
        if id >= 0 && id < partitionIndex.count && partitionIndex[id] >= 0 { return partitionIndex[id] }
        shown.partitions.append(PartitionProgress(partition: partition, boundMs: config.outOfOrdernessMs, now: now))
        globalWatermarkInputsChanged = true
        setIndex(shown.partitions.count - 1, for: partition)
        return shown.partitions.count - 1
    }

    private func setIndex(_ index: Int, for partition: Int32) {
        let id = Int(max(0, partition))
        if id >= partitionIndex.count { partitionIndex += Array(repeating: -1, count: id + 1 - partitionIndex.count) }
        partitionIndex[id] = index
    }
}

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

    public init(
        counts: Counts = Counts(), streamCounts: Counts? = nil, batches: Int = 0, watermark: Int64? = nil, partitions: [PartitionProgress] = [],
        pendingEvents: Int = 0, eventsPerSecond: Double = 0, rateHistory: [Int] = [],
        filter: SegmentFilter = SegmentFilter(), figures: AnalyticsFigures? = nil, tail: LiveTail = LiveTail()) {
        self.tail = tail
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

    /// Records not yet read, over partitions whose end offset is known.
    public var lag: Int64? {
        let known = partitions.compactMap(\.lag)
        return known.isEmpty ? nil : known.reduce(0, +)
    }
}
