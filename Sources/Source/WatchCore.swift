/// The decisions of a running watch, without threads, I/O or a clock (sans-I/O, like
/// quinn-proto or h11): the aggregator thread tells it what happened and the time, and it
/// answers with what to do — publish a snapshot, save a checkpoint, commit offsets, stop.
///
/// It owns the timing rules that are easy to get wrong: a snapshot as soon as there is news
/// (a folded batch), at most every minimum publish interval (`PublishPacer`), and once a
/// refresh interval with nothing new (figures less often), a checkpoint every commit
/// interval but only once the reader knows where it starts, offsets committed only after
/// their checkpoint was saved, a failed save retried at the next interval, and when a run
/// is over. Tested with a manual clock.
public struct WatchCore: Sendable {
    public struct Timing: Equatable, Sendable {
        /// The least time between two snapshots: news (a folded batch) waits at most this
        /// long to be published; at the peak rate it bounds the snapshot copies to 50 a second.
        public var minPublishIntervalMs: Int64 = 20
        /// How often a snapshot is published with nothing new: the reader's status, the
        /// pipeline's figures and the rates, which change with time alone.
        public var refreshIntervalMs: Int64 = 1_000
        /// How often the analytics figures (distinct users, rankings) are recomputed: they
        /// cost more than counts. The final snapshot always has them.
        public var figuresIntervalMs: Int64 = 1_000
        /// How often a checkpoint is saved and offsets committed.
        public var commitIntervalMs: Int64 = 5_000
        /// Stop once every partition has been read to its end.
        public var exitAtEnd = false

        public init() {}
    }

    public enum Effect: Equatable, Sendable {
        /// Publish a snapshot; with the analytics figures when `figures`.
        case publish(figures: Bool)
        /// Save a checkpoint of the state; report the outcome with `saved(_:now:)`.
        case save
        /// Commit the state's offsets to the group.
        case commit
        /// Stop reading: the run is over. `finish` says what is left to do.
        case stop
    }

    /// What the aggregator thread knows at a step.
    public struct Conditions: Equatable, Sendable {
        /// The reader has checked the source and knows every partition's start.
        public var sourceReady = false
        /// Every assigned partition has been read to its end.
        public var allAtEnd = false
        public var stopRequested = false
        public var failed = false
        /// Nothing was taken from the queue at this step, and nothing waits in it.
        public var idle = false
        /// The step changed what a snapshot shows: it folded a batch or took anything else
        /// from the queue (the open batch's count, a partition's end, ends, gaps), or the
        /// reader's status or the checkpoint's problem changed.
        public var news = false

        public init(sourceReady: Bool = false, allAtEnd: Bool = false, stopRequested: Bool = false,
                    failed: Bool = false, idle: Bool = false, news: Bool = false) {
            self.sourceReady = sourceReady
            self.allAtEnd = allAtEnd
            self.stopRequested = stopRequested
            self.failed = failed
            self.idle = idle
            self.news = news
        }
    }

    public let timing: Timing
    /// Whether checkpoints are saved (`--state`); without, offsets are committed alone.
    public let checkpointing: Bool
    private var pacer: PublishPacer
    private var lastFigures: Int64?
    private var lastCommit: Int64
    private var stopped = false

    public init(timing: Timing, checkpointing: Bool, now: Int64) {
        self.timing = timing
        self.checkpointing = checkpointing
        pacer = PublishPacer(minIntervalMs: timing.minPublishIntervalMs)
        lastCommit = now
    }

    /// How long the thread may wait for the next record before `step` has work, given the
    /// open micro-batch's deadline.
    public func waitMs(now: Int64, batchDeadline: Int64?) -> Int64 {
        let refresh = pacer.lastPublish.map { $0 + timing.refreshIntervalMs } ?? now
        let wake = min(batchDeadline ?? .max, refresh, lastCommit + timing.commitIntervalMs)
        return max(0, min(wake - now, pacer.dueInMs(now: now) ?? .max, 200))
    }

    /// After the thread applied what it took from the queue (or nothing) at `now`.
    public mutating func step(now: Int64, _ conditions: Conditions) -> [Effect] {
        guard !stopped else { return [] }
        var effects: [Effect] = []
        if conditions.news { pacer.news() }
        if pacer.isDue(now: now) || pacer.lastPublish.map({ now >= $0 + timing.refreshIntervalMs }) ?? true {
            pacer.published(now: now)
            let figures = lastFigures.map { now - $0 >= timing.figuresIntervalMs } ?? true
            if figures { lastFigures = now }
            effects.append(.publish(figures: figures))
        }
        // Nothing is saved or committed before the reader has checked where it starts: the
        // group might belong to another cluster.
        if now - lastCommit >= timing.commitIntervalMs && conditions.sourceReady {
            lastCommit = now
            effects.append(checkpointing ? .save : .commit)
        }
        let over = conditions.stopRequested || conditions.failed || (timing.exitAtEnd && conditions.allAtEnd)
        if over && conditions.idle {
            stopped = true
            effects.append(.stop)
        }
        return effects
    }

    /// A checkpoint's outcome: its offsets are committed only when it was saved, so the
    /// group never runs ahead of the state file. A failure waits for the next interval.
    public func saved(_ ok: Bool) -> [Effect] {
        ok ? [.commit] : []
    }

    /// Asks for figures with the next snapshot, at once (the segment or ranking changed).
    public mutating func queryChanged() {
        pacer = PublishPacer(minIntervalMs: timing.minPublishIntervalMs)
        pacer.news()
        lastFigures = nil
    }

    /// The end of a run, after the reader has stopped and the open batch was folded: a last
    /// checkpoint and commit (when the source was ready), then the final snapshot with its
    /// figures.
    public func finish(sourceReady: Bool) -> [Effect] {
        (sourceReady ? [checkpointing ? Effect.save : .commit] : []) + [.publish(figures: true)]
    }
}
