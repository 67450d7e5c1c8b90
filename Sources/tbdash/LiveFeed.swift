import Analytics
import Formatting
import Kafka
import LiveValues
import Runtime
import ScaleOut
import Source

/// What a live run reads and what it says at the end: the only part of a run that differs
/// between one process reading the topic (`TopicFeed`) and a viewer merging the states of
/// scale-out workers (`ChangelogFeed`). `LiveRunner` does the rest — consumer, signals,
/// the screen or the headless log, the pipeline's end — the same way for both.
protocol LiveFeed {
    associatedtype Pipeline: LiveSource
    /// What the header and the log name: the source topic, or the changelog.
    var topic: String { get }
    /// The semantics the screen counts in until the pipeline says otherwise.
    var config: AggregationConfig { get }
    /// The segment and rankings the pipeline answers: the command line's, then the
    /// dashboard's.
    var query: AnalyticsQuery { get set }
    /// Whether the dashboard may offer `e` (start over from the beginning).
    var canStartOver: Bool { get }
    /// The log's first line.
    func opening(brokers: String, group: String) -> String
    /// A pipeline reading with `consumer` until `stop`; `report` is told what its
    /// snapshots alone would not make plain.
    func pipeline(consumer: KafkaConsumer, stop: StopFlag, report: @escaping @Sendable (String) -> Void) -> Pipeline
    /// The same feed from the beginning of every partition (`e`).
    func startingOver() -> Self
    /// `--headless`: prints the results of the finished `pipeline`; throws (exit 1) after
    /// them when they are not the whole topic's.
    func headlessResult(_ pipeline: Pipeline, json: Bool, metricsAddress: String?, alerts: [AlertStatus]?) throws
    /// After the dashboard: says what was counted once the screen is gone.
    func dashboardResult(_ pipeline: Pipeline) throws
}

/// One process reads every partition of the topic itself (`WatchPipeline`).
struct TopicFeed: LiveFeed {
    var options: WatchPipeline.Options
    let config: AggregationConfig
    let restored: AggregationState?
    /// Saves the state (--state) and feeds the history; `e` is not offered with one.
    let checkpointer: WatchPipeline.Checkpointer?
    /// A state file pins the offsets: the summary's hint says so.
    let withState: Bool

    var topic: String { options.source.topic }
    var query: AnalyticsQuery {
        get { options.query }
        set { options.query = newValue }
    }
    var canStartOver: Bool { checkpointer == nil }

    func opening(brokers: String, group: String) -> String {
        "watching \(topic) at \(brokers), group \(group)"
    }

    func pipeline(consumer: KafkaConsumer, stop: StopFlag, report: @escaping @Sendable (String) -> Void) -> WatchPipeline {
        WatchPipeline(consumer: consumer, options: options, config: config, restoring: restored,
                             stop: stop, checkpointer: checkpointer)
    }

    /// The old pipeline is gone: nothing it counted carries over, so nothing is counted
    /// twice. (`e` is not offered with --state, whose counts would mix.)
    func startingOver() -> TopicFeed {
        var feed = self
        feed.options.source.start = .earliest
        return feed
    }

    func headlessResult(_ pipeline: WatchPipeline, json: Bool, metricsAddress: String?, alerts: [AlertStatus]?) throws {
        let final = pipeline.snapshot
        if json {
            var text = SnapshotJSON.encode(final.aggregate, calendar: config.calendar, now: MonotonicClock.milliseconds())
            if let metricsAddress { text = SnapshotJSON.adding("metrics_address", metricsAddress, to: text) }
            if let alerts { text = SnapshotJSON.adding(alerts: alerts, to: text) }
            try printResult(text)
        } else {
            try printResult(HeadlessLog.summary(final, calendar: config.calendar, group: options.group,
                                                withState: withState, committed: pipeline.offsetsCommittedAtExit))
        }
        try Self.requireFinalSave(final)
    }

    func dashboardResult(_ pipeline: WatchPipeline) throws {
        let final = pipeline.snapshot
        try printResult("tbdash: \(Format.grouped(final.aggregate.counts.events)) events counted; "
                        + HeadlessLog.commitOutcome(pipeline.offsetsCommittedAtExit, group: options.group))
        try Self.requireFinalSave(final)
    }

    /// A run whose last checkpoint failed has counts that a restart will not find: exit 1,
    /// after the results are out.
    private static func requireFinalSave(_ final: LiveSnapshot) throws {
        if let problem = final.checkpointProblem { throw CommandFailure.runtime("state not saved at exit: \(problem)") }
    }
}

/// `watch --changelog`: the merged states of `tbdash aggregate` workers
/// (`ChangelogPipeline`). A viewer never writes, not even offsets, and has no `e` (the
/// workers decide where they read).
struct ChangelogFeed: LiveFeed {
    var options: ChangelogPipeline.Options
    /// The calendar until the first state says which one the workers count in.
    let config: AggregationConfig

    var topic: String { options.changelog }
    var query: AnalyticsQuery {
        get { options.query }
        set { options.query = newValue }
    }
    var canStartOver: Bool { false }

    func opening(brokers: String, group: String) -> String {
        "watching changelog \(topic) at \(brokers)"
    }

    func pipeline(consumer: KafkaConsumer, stop: StopFlag, report: @escaping @Sendable (String) -> Void) -> ChangelogPipeline {
        var options = options
        options.report = report
        return ChangelogPipeline(consumer: consumer, options: options, config: config, stop: stop)
    }

    func startingOver() -> ChangelogFeed { self }

    func headlessResult(_ pipeline: ChangelogPipeline, json: Bool, metricsAddress: String?, alerts: [AlertStatus]?) throws {
        let final = pipeline.snapshot
        if json {
            let text = SnapshotJSON.encode(final.aggregate, calendar: pipeline.calendar, changelog: final.changelog,
                                           now: MonotonicClock.milliseconds())
            try printResult(alerts.map { SnapshotJSON.adding(alerts: $0, to: text) } ?? text)
        } else {
            let a = final.aggregate
            let health = final.changelog ?? ChangelogHealth()
            try printResult("""
                events \(Format.grouped(a.counts.events)) · rejected \(Format.grouped(a.counts.rejectedTotal)) \
                · late \(Format.grouped(a.counts.late)) · partitions \(a.partitions.count) (changelog \(topic)) \
                · unreadable \(Format.grouped(health.unreadable)) · unavailable \(health.unavailable.count)
                """)
        }
        try Self.requireEveryPartition(final.changelog)
    }

    func dashboardResult(_ pipeline: ChangelogPipeline) throws {
        let a = pipeline.snapshot.aggregate
        try printResult("tbdash: \(Format.grouped(a.counts.events)) events in the merged states of \(a.partitions.count) partitions (changelog \(topic))")
        // Said on page 6 while the screen was up; said again now that it is gone.
        for (partition, why) in (pipeline.snapshot.changelog?.unavailable ?? [:]).sorted(by: { $0.key < $1.key }) {
            StandardError.write("tbdash: \(ChangelogHealth.unavailableLine(partition: partition, why))\n")
        }
    }

    /// Counts with a partition missing are not the topic's: exit 1, after the results.
    private static func requireEveryPartition(_ health: ChangelogHealth?) throws {
        guard let missing = health?.unavailable.keys.sorted(), !missing.isEmpty else { return }
        throw CommandFailure.runtime("the counts lack partition\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ",")), "
                                     + "whose newest state cannot be read (see above)")
    }
}
