import Analytics
import LiveValues
import UserBehavior

/// The fold: decoded records in, `AggregationState` out. Per partition it accepts each
/// offset once, assigns event time and judges lateness against the partition's watermark,
/// then folds events into the shown state in micro-batches; beside the state it keeps the
/// live tail and the rate of folding. Callers decode (a watch's reader thread does, while
/// this folds), and what is drawn is the projection `AggregateSnapshot(state:query:…)`.
///
/// No I/O, no threads, no clock: the caller passes processing time (ms) in, so it is
/// deterministic and tested with a manual clock.
public final class Aggregator {
    public let config: AggregationConfig
    private var batcher: MicroBatcher
    // Touched for every record by this object only: no dynamic exclusivity checks.
    /// What is shown: folded, flushed batches.
    @exclusivity(unchecked) private var shown: AggregationState
    /// Events of the open batch; rejections are counted straight into `shown`.
    @exclusivity(unchecked) private var pending: [CountedEvent] = []
    /// Index into `shown.partitions` by partition id (ids are small integers); −1 unknown.
    @exclusivity(unchecked) private var partitionIndex: [Int] = []
    private var rates = RateHistory()
    /// The newest events of the query's segment and the newest rejected messages.
    @exclusivity(unchecked) private var tail = LiveTail()
    /// Processing time at which the newest event of the open batch, and of the shown state,
    /// was read: what the snapshot's freshness is measured from.
    private var pendingReadAt: Int64?
    private var shownReadAt: Int64?

    public init(config: AggregationConfig, restoring state: AggregationState? = nil, now: Int64 = 0) {
        self.config = config
        self.batcher = MicroBatcher(size: config.batchSize, intervalMs: config.batchIntervalMs)
        self.shown = state ?? AggregationState(holdBins: config.holdBins, phaseMinutes: config.tenMinutePhase, halfLifeMs: config.halfLifeMs)
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

    /// Counts one decoded record. Records at or before a partition's counted offset are
    /// ignored, so a record delivered twice is never counted twice. `payload` is only read
    /// for a rejection, whose first bytes the tail shows; nil when they were not kept (a
    /// message too large to copy). True when an event joined the open batch (a latency
    /// trace follows it until a snapshot shows it).
    @discardableResult
    public func ingest(partition: Int32, offset: Int64, decoded: MessageDecoder.Result,
                       payload: UnsafeRawBufferPointer?, now: Int64) -> Bool {
        guard let index = accept(partition, offset, now: now) else { return false }
        switch decoded {
        case .rejected(let reason):
            return reject(reason, partition: partition, offset: offset, payload: payload)
        case .event(let event):
            let dayIndex: Int?
            let eventTime: Int64?
            if let timestamp = event.timestampMs {
                // Judged in --tz: the day tables hold --year, and a date written beside
                // the timestamp must be its local day.
                guard let day = config.calendar.dayIndex(milliseconds: timestamp) else {
                    return reject(.otherYear, partition: partition, offset: offset, payload: payload)
                }
                if event.month != 0 || event.day != 0, EventCalendar.dayIndex(month: event.month, day: event.day) != day {
                    return reject(.dayMismatch, partition: partition, offset: offset, payload: payload)
                }
                dayIndex = day
                eventTime = timestamp
            } else {
                dayIndex = EventCalendar.dayIndex(month: event.month, day: event.day)
                eventTime = dayIndex.flatMap(config.calendar.startOfDay(dayIndex:))
            }
            var lateness: Int64?
            if let eventTime {
                lateness = shown.partitions[index].watermark.lateness(of: eventTime)
                if shown.partitions[index].watermark.observe(eventTime) { globalWatermarkInputsChanged = true }
            }
            let shownDay = eventTime == nil ? nil : dayIndex
            let hour = eventTime.flatMap { time in shownDay.flatMap { config.calendar.hourOfDay(milliseconds: time, dayIndex: $0) } }
            pending.append(CountedEvent(event, dayIndex: shownDay, eventTimeMs: eventTime, latenessMs: lateness, hourOfDay: hour))
            let province = event.province.index
            if query.filter.matches(action: event.action.rawValue, ageRange: event.ageRange.rawValue, gender: event.gender.rawValue,
                                    province: province, dayIndex: shownDay) {
                tail.record(LiveTail.Event(
                    partition: partition, offset: offset, userID: event.userID, itemID: event.itemID,
                    action: event.action.rawValue, ageRange: event.ageRange.rawValue, gender: event.gender.rawValue,
                    province: province, dayIndex: Int16(shownDay ?? -1), latenessMs: lateness ?? -1))
            }
            pendingReadAt = now
            if batcher.add(now: now) { flush(now: now) }
            return true
        }
    }

    /// Counts a rejection (no event joins the batch: false, as `ingest` answers).
    private func reject(_ reason: RejectionReason, partition: Int32, offset: Int64, payload: UnsafeRawBufferPointer?) -> Bool {
        shown.counts.rejected[reason.rawValue] += 1
        tail.recordRejected(partition: partition, offset: offset, reason: reason, payload: payload)
        return false
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
        for event in pending { shown.add(event) }
        pending.removeAll(keepingCapacity: true)
        shownReadAt = pendingReadAt
        shown.batches += 1
        rates.record(count, now: now)
        updateGlobalWatermark(now: now)
    }

    /// Every partition read to its end. (The open batch may still hold events: that is
    /// the caller's to flush.)
    public var allAtEnd: Bool {
        !shown.partitions.isEmpty && shown.partitions.allSatisfy(\.atEnd)
    }

    /// What survives a restart: the shown state plus the open batch, as if it were folded.
    public var state: AggregationState {
        var state = shown
        for event in pending { state.add(event) }
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

    /// The numbers to draw: the projection of the shown state (the open batch is only
    /// counted) with the live tail and rates kept here.
    public func snapshot(now: Int64, figures: Bool = false) -> AggregateSnapshot {
        AggregateSnapshot(state: shown, query: query, config: config, now: now, figures: figures,
                          pendingEvents: pending.count, rates: rates, tail: tail, newestReadAtMs: shownReadAt)
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

extension Aggregator {
    /// Decodes a raw record with `decoder` and counts it: for callers that hold payloads
    /// rather than decoded events (the scale-out worker, tests). One decoder, with its
    /// 1 MiB of scratch, serves any number of folds.
    @inline(__always) @discardableResult
    public func ingest(partition: Int32, offset: Int64, payload: UnsafeRawBufferPointer, decoder: borrowing MessageDecoder, now: Int64) -> Bool {
        ingest(partition: partition, offset: offset, decoded: decoder.decode(payload), payload: payload, now: now)
    }
}
