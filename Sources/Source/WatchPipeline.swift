import Aggregation
import Analytics
import Foundation
import Kafka
import LiveValues
import Runtime
import Synchronization
import UserBehavior

/// A running watch: the Kafka reader thread, the bounded queue, and the aggregator on a
/// thread of its own, publishing a `LiveSnapshot` for the screen or the headless summary.
///
/// ```
/// KafkaReader ──queue──▶ aggregator thread ──▶ latest LiveSnapshot ──▶ TUI / JSON
///                                        └──▶ commits (and, with --state, checkpoints)
/// ```
public final class WatchPipeline: LiveSource, @unchecked Sendable {
    public struct Options: Sendable {
        public var source: SourceOptions
        public var group: String
        /// When to publish, checkpoint and commit, and whether to stop at the end.
        public var timing = WatchCore.Timing()
        /// The segment and rankings the snapshot shows.
        public var query = AnalyticsQuery()
        /// Follows send-stamped events until they are visible (`--trace`); the source must
        /// then read the stamps (`SourceOptions.readsSendStamps`).
        public var trace: LatencyTrace?

        public init(source: SourceOptions, group: String) {
            self.source = source
            self.group = group
        }
    }

    /// Called on the aggregator thread every commit interval and at the end, with the state
    /// to save and the cluster and topic it was read from; returns why saving failed, or
    /// nil. Offsets are committed to the group only after a successful save, so the group
    /// never runs ahead of the state file.
    public typealias Checkpointer = @Sendable (AggregationState, SourceIdentity?) -> String?

    private let options: Options
    private let consumer: KafkaConsumer
    private let reader: KafkaReader
    private let config: AggregationConfig
    private let restored: AggregationState?
    private let stop: StopFlag
    private let checkpointer: Checkpointer?
    private let latest = Mutex(LiveSnapshot())
    private let checkpointProblem = Mutex<String?>(nil)
    /// A query asked for by another thread, taken by the aggregator thread.
    private let requestedQuery = Mutex<AnalyticsQuery?>(nil)
    private let committedAtExit = Atomic<Bool>(false)
    private let threads = Mutex<(reader: WorkerThread, aggregator: WorkerThread)?>(nil)

    /// A counter that changes whenever a snapshot different from the last is published.
    public let generation = Atomic<Int>(0)

    public init(
        consumer: KafkaConsumer, options: Options, config: AggregationConfig,
        restoring state: AggregationState? = nil, stop: StopFlag, checkpointer: Checkpointer? = nil
    ) {
        var options = options
        if let state {
            for progress in state.partitions {
                if let next = progress.nextOffset { options.source.savedOffsets[progress.partition] = next }
            }
        }
        self.options = options
        self.consumer = consumer
        self.config = config
        self.restored = state
        self.stop = stop
        self.checkpointer = checkpointer
        self.reader = KafkaReader(consumer: consumer, options: options.source, stop: stop)
    }

    public func start() {
        let reader = WorkerThread.start(name: "tbdash-reader") { [reader] in reader.run() }
        threads.withLock { $0 = (reader, WorkerThread.start(name: "tbdash-fold") { [self] in aggregate(reader: reader) }) }
    }

    /// Shows another segment or ranking from now on (the dashboard's filter and drill-down):
    /// the next snapshot, with its figures, is computed for it.
    public func setQuery(_ query: AnalyticsQuery) {
        requestedQuery.withLock { $0 = query }
    }

    /// The newest snapshot; cheap to call from the screen thread.
    public var snapshot: LiveSnapshot { latest.withLock { $0 } }

    public var snapshotCount: Int { generation.load(ordering: .acquiring) }

    public var calendar: EventCalendar { config.calendar }

    public var trace: LatencyTrace? { options.trace }

    /// Whether the broker confirmed the offsets committed at the end; false when it did not
    /// answer or there was nothing to commit. Read after `waitUntilFinished`.
    public var offsetsCommittedAtExit: Bool { committedAtExit.load(ordering: .acquiring) }

    /// Blocks until the pipeline has finished (end reached, stopped, or failed): both
    /// threads are gone and the final state is saved and committed.
    public func waitUntilFinished() {
        while !waitUntilFinished(timeoutMs: 1000) {}
    }

    /// False if still running after `timeoutMs` (or not started).
    public func waitUntilFinished(timeoutMs: Int) -> Bool {
        threads.withLock { $0 }?.aggregator.join(timeoutMs: timeoutMs) ?? false
    }

    // MARK: The aggregator thread

    private func aggregate(reader readerThread: WorkerThread) {
        let start = MonotonicClock.milliseconds()
        let aggregator = Aggregator(config: config, restoring: restored, now: start)
        aggregator.reserveFullTables()
        aggregator.query = options.query
        var core = WatchCore(timing: options.timing, checkpointing: checkpointer != nil, now: start)
        var meter = PipelineMeter(start: start, reader: reader)
        var busyNanoseconds: Int64 = 0
        /// The reader's status and the checkpoint problem as last seen: a change is news.
        var seenStatus = reader.status
        var seenProblem: String?

        func commit(_ offsets: [Int32: Int64], final: Bool) {
            let committed = self.commit(offsets, waitMs: final ? 3000 : 0)
            if final { committedAtExit.store(committed, ordering: .releasing) }
        }

        /// Carries out what the core decided.
        func perform(_ effects: [WatchCore.Effect], now: Int64, final: Bool = false) {
            for effect in effects {
                switch effect {
                case .publish(let figures):
                    let aggregate = aggregator.snapshot(now: now, figures: figures)
                    if !final { meter.sample(now: now, busyNanoseconds: busyNanoseconds, lag: aggregate.lag) }
                    let generation = publish(aggregate, meter: meter)
                    options.trace?.published(pendingEvents: aggregate.pendingEvents, generation: generation,
                                             nowNs: WallClock.nanoseconds())
                case .save:
                    // One state for the save and the commit that follows it: computing it
                    // folds the open batch into a copy.
                    let state = aggregator.state
                    for next in core.saved(save(state)) where next == .commit { commit(state.nextOffsets, final: final) }
                case .commit:
                    // Only the offsets: a whole state would copy every table it folds into.
                    commit(aggregator.nextOffsets, final: final)
                case .stop:
                    break
                }
            }
        }

        while true {
            let now = MonotonicClock.milliseconds()
            let item = reader.pipe.queue.take(timeoutMs: core.waitMs(now: now, batchDeadline: aggregator.nextDeadline))
            let workStart = MonotonicClock.nanoseconds()
            if let item { apply(item, to: aggregator) }
            let now2 = MonotonicClock.milliseconds()
            let flushed = aggregator.tick(now: now2)
            busyNanoseconds += MonotonicClock.nanoseconds() - workStart
            if let query = requestedQuery.withLock({ $0.take() }) {
                aggregator.query = query
                core.queryChanged()
            }
            // Whatever was taken changed the snapshot (a folded batch, the open batch's
            // count, ends, gaps), as does a batch closed by its interval, a new status of the
            // reader or a checkpoint that failed or saved again.
            let status = reader.status
            let problem = checkpointProblem.withLock { $0 }
            let news = item != nil || flushed || status != seenStatus || problem != seenProblem
            seenStatus = status
            seenProblem = problem
            let effects = core.step(now: now2, WatchCore.Conditions(
                sourceReady: reader.startOffsets != nil, allAtEnd: aggregator.allAtEnd,
                stopRequested: stop.isRequested, failed: isFailed, idle: item == nil && reader.pipe.queue.isEmpty,
                news: news))
            perform(effects, now: now2)
            if effects.contains(.stop) { break }
        }
        // Stop the reader (a full queue would block it) and wait for it, then release
        // what it fetched but we did not count: it is read again next time.
        stop.request()
        reader.pipe.queue.close()
        readerThread.join()
        while reader.pipe.queue.take(timeoutMs: 0) != nil {}
        let end = MonotonicClock.milliseconds()
        aggregator.flush(now: end)
        perform(core.finish(sourceReady: reader.startOffsets != nil), now: end, final: true)
    }

    private var isFailed: Bool {
        if case .failed = reader.status { return true }
        return false
    }

    private func apply(_ item: SourceItem, to aggregator: Aggregator) {
        let now = MonotonicClock.milliseconds()
        switch item {
        case .records(let chunk):
            for i in 0..<chunk.count {
                let entry = chunk[i]
                switch entry.kind {
                case .message:
                    let pended = aggregator.ingest(partition: entry.partition, offset: entry.offset, decoded: entry.decoded.unsafelyUnwrapped,
                                                   payload: chunk.rejectedPayload(entry), now: now)
                    if pended, let trace = options.trace { trace.ingested(sentNs: entry.sentNs) }
                case .partitionEnd:
                    aggregator.recordEnd(partition: entry.partition, offset: entry.offset, now: now)
                case .offsetOutOfRange, .error:
                    break  // the reader handles these
                }
            }
            chunk.reset()
            reader.pipe.pool.put(chunk)
        case .gap(let partition, let from, let to):
            aggregator.recordGap(partition: partition, from: from, to: to, now: now)
        case .assigned(let offsets):
            for (partition, offset) in offsets { aggregator.assign(partition: partition, startingAt: offset, now: now) }
        case .endOffsets(let ends):
            for (partition, end) in ends { aggregator.setEndOffset(partition: partition, end, now: now) }
        }
    }

    /// Returns the generation the snapshot is published as.
    @discardableResult
    private func publish(_ aggregate: AggregateSnapshot, meter: PipelineMeter) -> Int {
        let snapshot = LiveSnapshot(
            aggregate: aggregate, pipeline: meter.stats(queueFill: reader.pipe.queue.fill),
            status: reader.status, checkpointProblem: checkpointProblem.withLock { $0 },
            earlierRecords: reader.earlierRecords.load(ordering: .relaxed))
        // Only a changed snapshot is news: the screen redraws on each generation, and an
        // idle dashboard should sleep, not redraw at every refresh.
        let changed = latest.withLock { current in
            var snapshot = snapshot
            // Figures are recomputed less often than counts: keep the newest ones (of the
            // same segment).
            if snapshot.aggregate.figures == nil, current.aggregate.filter == snapshot.aggregate.filter {
                snapshot.aggregate.figures = current.aggregate.figures
            }
            for (segment, figures) in snapshot.aggregate.watched {
                snapshot.aggregate.watched[segment] = figures.keepingUsers(of: current.aggregate.watched[segment])
            }
            guard current != snapshot else { return false }
            current = snapshot
            return true
        }
        guard changed else { return generation.load(ordering: .relaxed) }
        return generation.add(1, ordering: .releasing).newValue
    }

    /// Saves a checkpoint; false (and the problem shown) when it could not be written.
    private func save(_ state: AggregationState) -> Bool {
        let problem = checkpointer?(state, reader.identity)
        checkpointProblem.withLock { $0 = problem }
        return problem == nil
    }

    /// Commits the offsets so Kafka tools see the true lag; a failed commit is
    /// retried at the next interval. Never waits for the broker longer than `waitMs` (0
    /// during the run: snapshots come from this thread). True when offsets were committed
    /// (with `waitMs`: confirmed by the broker).
    private func commit(_ offsets: [Int32: Int64], waitMs: Int32) -> Bool {
        guard !offsets.isEmpty else { return false }
        do {
            try consumer.commit(topic: options.source.topic, offsets: offsets, waitMs: waitMs)
            return true
        } catch {
            return false
        }
    }
}

/// Turns the reader's and aggregator's cumulative times into shares over the last second.
struct PipelineMeter {
    private let reader: KafkaReader
    private var last: (at: Int64, blocked: Int64, busy: Int64, read: Int64)
    private var stats = PipelineStats()

    init(start: Int64, reader: KafkaReader) {
        self.reader = reader
        last = (start, 0, 0, 0)
    }

    mutating func sample(now: Int64, busyNanoseconds: Int64, lag: Int64?) {
        let elapsedMs = now - last.at
        guard elapsedMs >= 1000 else { return }
        let blocked = reader.blockedNanoseconds.load(ordering: .relaxed)
        let read = reader.recordsRead.load(ordering: .relaxed)
        let wall = Double(elapsedMs) * 1_000_000
        stats.readerBlockedShare = min(1, Double(blocked - last.blocked) / wall)
        stats.aggregatorBusyShare = min(1, Double(busyNanoseconds - last.busy) / wall)
        stats.arrivalPerSecond = Double(read - last.read) * 1000 / Double(elapsedMs)
        if let lag {
            stats.lagHistory.append(lag)
            if stats.lagHistory.count > 60 { stats.lagHistory.removeFirst() }
        }
        last = (now, blocked, busyNanoseconds, read)
    }

    func stats(queueFill: Double) -> PipelineStats {
        var stats = stats
        stats.queueFill = queueFill
        return stats
    }
}
