import Aggregation
import ArgumentParser
import Formatting
import Kafka
import LiveValues
import Runtime
import Analytics
import Source

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Consume the topic and show live distributions, with event-time semantics.",
        discussion: """
            Reads every partition of the topic itself (no rebalancing group, so two \
            dashboards never split the data) and counts actions, ages, genders, provinces \
            and events per day. Event time is the start of (--year, month, day) in --tz; \
            the watermark of each partition is its largest event time minus \
            --out-of-orderness, and an event earlier than its partition's watermark is \
            late: counted, and still aggregated. Events are folded in micro-batches of \
            --batch-size events or --batch-interval, whichever comes first.

            The dashboard needs a terminal; keys: 1-6 and Tab pages (Overview, Trending, \
            Conversion, Map, Tail, Partitions), h/l panel, j/k row, Enter drill down, / filter, \
            Backspace and Esc/c undo and clear the filter, m measure or shading, d ranking day, \
            s sort, L language, p pause, +/- refresh rate, e start over from the beginning, \
            ? every key, q quit. --headless runs without a screen, for \
            scripts and tests: --exit-at-end stops once every partition is read to its end \
            (like kcat -e) and --json prints the final snapshot. Offsets are committed to \
            --group every 5 s and at exit, so a restart with the default --from committed \
            continues where it stopped. --from 2026-11-11 starts at the records stamped \
            from that day on: `tbdash produce` stamps each record with its event time.

            Durations take a unit: 300s, 5m, 1500ms, 30d (a bare number is seconds).

            Examples:
              tbdash watch
              tbdash watch --lang zh --glyphs braille
              tbdash watch --headless --exit-at-end --json --from earliest
              tbdash watch --filter 'province=浙江 gender=female day=11-11' --rank-by hot
              tbdash watch --from 2026-11-11
              tbdash watch --metrics-addr 127.0.0.1:9464 --history counts.db --state watch.state
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup(title: "Event time") var semantics: SemanticsOptions
    @OptionGroup(title: "Dashboard") var display: DisplayOptions
    @OptionGroup(title: "State") var stateOptions: StateOptions
    @OptionGroup(title: "Analytics") var analytics: AnalyticsOptions
    @OptionGroup(title: "Prometheus and history") var integration: IntegrationOptions

    @Option(name: .customLong("group"), help: "Consumer group where offsets are committed and read (never a rebalancing group). (default: tbdash)")
    var givenGroup: String?

    var group: String { givenGroup ?? "tbdash" }

    @Option(name: .customLong("from"), help: ArgumentHelp("Where to start partitions with no saved offset: earliest, latest, committed (falling back to latest), "
                               + "or a day such as 2026-11-11 (the first record stamped at or after its start in --tz; a partition with none starts at its end). (default: committed)",
                               valueName: "position"),
            transform: StartArgument.parse)
    var givenFrom: StartArgument?

    var from: StartArgument { givenFrom ?? .position(.committed) }

    @Option(help: ArgumentHelp("Show the merged states that `tbdash aggregate` workers publish to this changelog topic, instead of reading --topic.", valueName: "topic"))
    var changelog: String?

    @Flag(help: "No screen: consume and print a summary (or --json) at the end.")
    var headless = false

    @Flag(help: "With --headless: stop once every partition has been read to its end.")
    var exitAtEnd = false

    @Flag(help: "With --headless: print the final snapshot as JSON on stdout.")
    var json = false

    @Option(help: ArgumentHelp("How long to wait for the brokers' first answer, 1s to 1d (headless; the dashboard keeps retrying); "
                               + "with --changelog and --exit-at-end, also for a worker's first state. (default: 10s)"),
            transform: DurationArgument.connectTimeout)
    var connectTimeout = DurationArgument.defaultConnectTimeout

    func validate() throws {
        if exitAtEnd && !headless { throw ValidationError("--exit-at-end needs --headless") }
        if json && !headless { throw ValidationError("--json needs --headless") }
        if changelog != nil && (integration.metricsAddr != nil || integration.history != nil) {
            throw ValidationError("--changelog cannot be combined with --metrics-addr or --history: they follow one process's pipeline")
        }
        if changelog != nil && stateOptions.state != nil { throw ValidationError("--changelog and --state cannot be combined: the workers keep the state") }
        if changelog != nil, let option = ignoredByAViewer.first(where: \.given) {
            throw ValidationError("--changelog cannot be combined with \(option.name): \(option.why)")
        }
    }

    /// Options a changelog viewer has no use for: it reads no source topic itself and
    /// counts nothing, so the workers' options apply.
    private var ignoredByAViewer: [(name: String, given: Bool, why: String)] {
        let counted = "the workers' semantics apply (give it to `tbdash aggregate`; the viewer shows the calendar their states were counted in)"
        return [
            ("--topic", kafka.givenTopic != nil, "the viewer reads the changelog; the source topic is the one its states were counted from"),
            ("--from", givenFrom != nil, "the workers decide where partitions start (`tbdash aggregate --from`)"),
            ("--group", givenGroup != nil, "the viewer commits no offsets (the workers' group is `tbdash aggregate --group`)"),
            ("--year", semantics.eventTime.year != nil, counted),
            ("--out-of-orderness", semantics.givenOutOfOrderness != nil, counted),
        ]
    }

    func run() throws {
        MemoryPolicy.returnLargeBuffersToTheSystem()
        let start = try stateOptions.start(topic: kafka.topic, semantics: semantics)
        var source = SourceOptions(topic: kafka.topic)
        source.start = try from.startPosition(timeZone: semantics.eventTime.tz)
        source.stateFile = stateOptions.state
        source.savedIdentity = start.identity
        source.connectTimeoutMs = connectTimeout.timeoutMs
        source.failFast = headless
        var options = WatchPipeline.Options(source: source, group: group)
        options.timing.exitAtEnd = exitAtEnd
        options.query = try analytics.query()
        let integrations = try integration.start(
            calendar: start.config.calendar, continuing: stateOptions.state == nil ? nil : start.restored ?? AggregationState(),
            checkpointer: start.checkpointer)
        options.timing.commitIntervalMs = integrations.commitInterval(stateOptions.checkpointInterval.milliseconds)
        try integrations.around { try run(options: options, start: start, integrations: integrations) }
    }

    private func run(options: WatchPipeline.Options, start: StateOptions.Start, integrations: Integrations) throws {
        if let changelog {
            var viewer = ChangelogPipeline.Options(changelog: changelog)
            viewer.exitAtEnd = exitAtEnd
            viewer.query = options.query
            viewer.connectTimeoutMs = connectTimeout.timeoutMs
            viewer.failFast = headless
            if headless { return try runChangelog(viewer, config: start.config) }
            return try DashboardRunner(display: display, kafka: kafka, group: group, hotWeights: try analytics.hotWeightsByAction()).runChangelog(options: viewer, config: start.config)
        }
        if headless {
            let log = try display.log.map { try FileLog(path: $0) }
            var configuration = try kafka.configuration(defaults: ConsumerDefaults.properties)
            if let log { configuration.log = log.kafkaLog }
            let consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
            log?.write("watching \(kafka.topic) at \(configuration.brokers), group \(group)")
            try runHeadless(consumer: consumer, options: options, start: start, log: log, integrations: integrations)
        } else {
            try DashboardRunner(display: display, kafka: kafka, group: group, hotWeights: try analytics.hotWeightsByAction())
                .run(options: options, config: start.config, restoring: start.restored, integrations: integrations)
        }
    }

    private func runHeadless(consumer: KafkaConsumer, options: WatchPipeline.Options, start: StateOptions.Start, log: FileLog?,
                             integrations: Integrations) throws {
        let config = start.config
        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        defer { trap.cancel() }
        let pipeline = WatchPipeline(consumer: consumer, options: options, config: config, restoring: start.restored,
                                     stop: stop, checkpointer: integrations.checkpointer)
        integrations.follow(pipeline)
        pipeline.start()
        HeadlessLog(pipeline: pipeline, file: log).follow()
        pipeline.waitUntilFinished()
        consumer.close()

        let final = pipeline.snapshot
        if case .failed(let reason) = final.status { throw CommandFailure.runtime(reason) }
        if json {
            var text = SnapshotJSON.encode(final.aggregate, calendar: config.calendar)
            if let address = integrations.metricsAddress { text = SnapshotJSON.adding("metrics_address", address, to: text) }
            try printResult(text)
        } else {
            try printResult(HeadlessLog.summary(final, calendar: config.calendar, group: group,
                                                withState: stateOptions.state != nil, committed: pipeline.offsetsCommittedAtExit))
        }
        try Self.requireFinalSave(final)
    }

    /// `--changelog`: merges the workers' states; a viewer never writes, not even offsets.
    private func runChangelog(_ options: ChangelogPipeline.Options, config: AggregationConfig) throws {
        let log = try display.log.map { try FileLog(path: $0) }
        var configuration = try kafka.configuration(defaults: ConsumerDefaults.properties)
        if let log { configuration.log = log.kafkaLog }
        let consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
        let topic = options.changelog
        var options = options
        options.report = { line in
            StandardError.write("tbdash: \(line)\n")
            log?.write(line)
        }
        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        defer { trap.cancel() }
        let pipeline = ChangelogPipeline(consumer: consumer, options: options, config: config, stop: stop)
        log?.write("watching changelog \(topic) at \(configuration.brokers)")
        pipeline.start()
        pipeline.waitUntilFinished()
        consumer.close()
        let final = pipeline.snapshot
        if case .failed(let reason) = final.status { throw CommandFailure.runtime(reason) }
        if json {
            try printResult(SnapshotJSON.encode(final.aggregate, calendar: pipeline.config.calendar, changelog: final.changelog))
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

    /// Counts with a partition missing are not the topic's: exit 1, after the results.
    static func requireEveryPartition(_ health: ChangelogHealth?) throws {
        guard let missing = health?.unavailable.keys.sorted(), !missing.isEmpty else { return }
        throw CommandFailure.runtime("the counts lack partition\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ",")), "
                                     + "whose newest state cannot be read (see above)")
    }

    /// A run whose last checkpoint failed has counts that a restart will not find: exit 1,
    /// after the results are out.
    static func requireFinalSave(_ final: LiveSnapshot) throws {
        if let problem = final.checkpointProblem { throw CommandFailure.runtime("state not saved at exit: \(problem)") }
    }
}
