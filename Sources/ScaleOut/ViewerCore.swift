import Source

/// The decisions of a changelog viewer, without threads, Kafka or a clock (sans-I/O, like
/// `WatchCore`): `ChangelogPipeline` feeds it the changelog's messages and ends, tells it
/// when the source's end offsets or the query changed, and steps it with `now`; it keeps
/// the newest state per partition (`view`) and answers with what to do.
///
/// It owns the timing rules: a changed view merged and published as soon as the states that
/// changed it are read, at most every minimum publish interval (`PublishPacer`), and while
/// the changelog still pours in at most every draining limit (merging every partition's
/// state costs far more than reading one: 64 states of 570 KB took seconds in a debug
/// build); with `exitAtEnd` a stop as soon as the changelog has been read to its end and
/// every source partition's newest state reaches the source's end offsets or cannot be read
/// (read from the states' headers, so only one merge is needed); and a changelog with no
/// state yet, said once —
/// at once by a viewer that stays, after `noStatesWaitMs` by one that exits at the end.
public struct ViewerCore: Sendable {
    public struct Timing: Equatable, Sendable {
        /// The least time between two merges: a changed view waits at most this long to be
        /// published once its states are read.
        public var minPublishIntervalMs: Int64 = 100
        /// While the changelog still pours in (a consume took messages), a merge at most
        /// this often: the catch-up at start merges once the changelog is drained.
        public var drainingLimitMs: Int64 = 5_000
        /// Stop once the changelog has been read to its end and every source partition's
        /// state has reached the source's end offsets.
        public var exitAtEnd = false
        /// How long an exiting viewer waits for a first state in a changelog read to its
        /// end: workers started just before it take a group join (~3 s on the embedded
        /// broker) to publish.
        public var noStatesWaitMs: Int64 = 10_000

        public init() {}
    }

    public enum Effect: Equatable, Sendable {
        /// Merge the view and publish a snapshot.
        case publish
        /// Say that the changelog holds no state yet (after `waitedSeconds`, when exiting).
        case reportNoStates(waitedSeconds: Int?)
        /// The run is over.
        case stop
    }

    public let timing: Timing
    /// Partitions of the changelog, each read to its end at least once before a changelog
    /// can be said to have no state.
    public let changelogPartitions: Int
    /// The newest state per source partition (the shell merges it when publishing).
    public var view = ChangelogView()
    /// The changelog was read to its end and holds no state (the snapshot says so).
    public private(set) var noStates = false
    private var ended = Set<Int32>()
    private var pacer: PublishPacer
    private let connectedAt: Int64
    private var stopped = false

    public init(timing: Timing, changelogPartitions: Int, now: Int64) {
        self.timing = timing
        self.changelogPartitions = changelogPartitions
        pacer = PublishPacer(minIntervalMs: timing.minPublishIntervalMs)
        pacer.news()
        connectedAt = now
    }

    /// A message read at `position` of the changelog.
    public mutating func received(message: [UInt8], at position: ChangelogPosition) {
        if view.apply(message: message, at: position) { pacer.news() }
    }

    /// The changelog's partition was read to its current end.
    public mutating func reachedEnd(ofChangelogPartition partition: Int32) {
        if ended.insert(partition).inserted, ended.count == changelogPartitions { pacer.news() }
    }

    /// What the next snapshot shows changed outside the view (the source's end offsets, the
    /// query): publish it as the minimum interval allows.
    public mutating func invalidate() {
        pacer.news()
    }

    /// How long the shell may wait for the next message before `step` has work: until a
    /// changed view may be published (0 once it may), else `idleWaitMs`.
    public func waitMs(now: Int64, idleWaitMs: Int64 = 100) -> Int64 {
        min(idleWaitMs, pacer.dueInMs(now: now) ?? .max)
    }

    /// After a consume at `now` that took `received` messages, with the source's end
    /// offsets as last asked (`ends`).
    public mutating func step(now: Int64, received: Int, ends: [Int32: Int64]) -> [Effect] {
        guard !stopped else { return [] }
        var effects: [Effect] = []
        if view.newest.isEmpty && ended.count == changelogPartitions {
            let waited = now - connectedAt
            if timing.exitAtEnd && waited >= timing.noStatesWaitMs {
                noStates = true
                stopped = true
                return [.reportNoStates(waitedSeconds: Int(waited / 1000)), .publish, .stop]
            }
            if !timing.exitAtEnd && !noStates {
                noStates = true
                effects.append(.reportNoStates(waitedSeconds: nil))
            }
        }
        if !view.newest.isEmpty { noStates = false }
        // Not before every changelog partition was read to its end: a state that reaches the
        // source's end may still be followed by a newer one (or an unreadable one).
        if timing.exitAtEnd && ended.count == changelogPartitions && Self.reached(ends, in: view) {
            stopped = true
            return effects + [.publish, .stop]
        }
        let sinceLast = pacer.lastPublish.map { now - $0 } ?? .max
        let draining = received > 0 && sinceLast < timing.drainingLimitMs
        if !draining && pacer.isDue(now: now) {
            pacer.published(now: now)
            effects.append(.publish)
        }
        return effects
    }

    /// The end of a run that was stopped: the final snapshot.
    public func finish() -> [Effect] {
        stopped ? [] : [.publish]
    }

    /// Whether every source partition's newest state has reached its end offset, or cannot
    /// be read (it will not move until a worker replaces it; the snapshot says so).
    public static func reached(_ ends: [Int32: Int64], in view: ChangelogView) -> Bool {
        !ends.isEmpty && ends.allSatisfy { partition, high in
            view.unavailable[partition] != nil || (view.newest[partition]?.nextOffset).map { $0 >= high } ?? (high == 0)
        }
    }
}
