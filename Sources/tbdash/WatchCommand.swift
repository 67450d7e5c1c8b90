import Aggregation
import ArgumentParser
import Kafka
import Runtime
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

            The dashboard needs a terminal; keys: q quit, p pause, ? help, j/k scroll, \
            s sort, l language, +/- refresh rate, e start over from the beginning. --headless runs without a screen, for \
            scripts and tests: --exit-at-end stops once every partition is read to its end \
            (like kcat -e) and --json prints the final snapshot. Offsets are committed to \
            --group every 5 s and at exit, so a restart with the default --from committed \
            continues where it stopped.

            Durations take a unit: 300s, 5m, 1500ms, 30d (a bare number is seconds).

            Examples:
              tbdash watch
              tbdash watch --lang zh --glyphs braille
              tbdash watch --headless --exit-at-end --json --from earliest
              tbdash watch --filter 'province=浙江 gender=female day=11-11' --rank-by hot
              tbdash watch --metrics-addr 127.0.0.1:9464 --history counts.db --state watch.state
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup(title: "Event time") var semantics: SemanticsOptions
    @OptionGroup(title: "Dashboard") var display: DisplayOptions
    @OptionGroup(title: "State") var stateOptions: StateOptions
    @OptionGroup(title: "Analytics") var analytics: AnalyticsOptions
    @OptionGroup(title: "Prometheus and history") var integration: IntegrationOptions

    @Option(help: "Consumer group where offsets are committed and read (never a rebalancing group).")
    var group = "tbdash"

    @Option(help: ArgumentHelp("Where to start partitions with no saved offset: earliest, latest or committed (falling back to latest).", valueName: "position"))
    var from: StartPosition = .committed

    @Flag(help: "No screen: consume and print a summary (or --json) at the end.")
    var headless = false

    @Flag(help: "With --headless: stop once every partition has been read to its end.")
    var exitAtEnd = false

    @Flag(help: "With --headless: print the final snapshot as JSON on stdout.")
    var json = false

    @Option(help: "Seconds to wait for the brokers' first answer, 1 to 86400 (headless; the dashboard keeps retrying). (default: 10)",
            transform: NumericOption.connectTimeout)
    var connectTimeout = 10

    func validate() throws {
        if exitAtEnd && !headless { throw ValidationError("--exit-at-end needs --headless") }
        if json && !headless { throw ValidationError("--json needs --headless") }
    }

    func run() throws {
        MemoryPolicy.returnLargeBuffersToTheSystem()
        let start = try stateOptions.start(topic: kafka.topic, semantics: semantics)
        var source = SourceOptions(topic: kafka.topic)
        source.start = from
        source.stateFile = stateOptions.state
        source.savedIdentity = start.identity
        source.connectTimeoutMs = Int32(connectTimeout * 1000)
        source.failFast = headless
        var options = WatchPipeline.Options(source: source, group: group)
        options.exitAtEnd = exitAtEnd
        options.query = try analytics.query()
        let integrations = try integration.start(
            calendar: start.config.calendar, continuing: stateOptions.state == nil ? nil : start.restored ?? AggregationState(),
            checkpointer: start.checkpointer)
        options.commitIntervalMs = integrations.commitInterval(stateOptions.checkpointInterval.milliseconds)
        try integrations.around { try run(options: options, start: start, integrations: integrations) }
    }

    private func run(options: WatchPipeline.Options, start: StateOptions.Start, integrations: Integrations) throws {
        if headless {
            let log = try display.log.map { try FileLog(path: $0) }
            var configuration = try kafka.configuration(defaults: ConsumerDefaults.properties)
            if let log { configuration.log = log.kafkaLog }
            let consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
            log?.write("watching \(kafka.topic) at \(configuration.brokers), group \(group)")
            try runHeadless(consumer: consumer, options: options, start: start, log: log, integrations: integrations)
        } else {
            try DashboardRunner(display: display, kafka: kafka, group: group)
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
            try printResult(SnapshotJSON.encode(final.aggregate, calendar: config.calendar))
        } else {
            try printResult(HeadlessLog.summary(final, calendar: config.calendar, group: group,
                                                withState: stateOptions.state != nil, committed: pipeline.offsetsCommittedAtExit))
        }
        try Self.requireFinalSave(final)
    }

    /// A run whose last checkpoint failed has counts that a restart will not find: exit 1,
    /// after the results are out.
    static func requireFinalSave(_ final: LiveSnapshot) throws {
        if let problem = final.checkpointProblem { throw CommandFailure.runtime("state not saved at exit: \(problem)") }
    }
}

extension StartPosition: ExpressibleByArgument {}
