import Analytics
import ArgumentParser
import Formatting
import LiveValues
import Runtime
import ScaleOut
import Source
import TUI

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

            The dashboard needs a terminal; its pages (1-8, Tab) are Overview, Trending, \
            Conversion, Map, Tail, Partitions, the Flink demo and (with --alert) Alerts, and its keys are listed below. --headless \
            runs without a screen, for scripts and tests: --exit-at-end stops once every \
            partition is read to its end (like kcat -e) and --json prints the final snapshot. Offsets are committed to \
            --group every 5 s and at exit, so a restart with the default --from committed \
            continues where it stopped. --from 2026-11-11 starts at the records stamped \
            from that day on: `tbdash produce` stamps each record with its event time.

            Keys on the dashboard (? shows them there too):
            \(KeyBinding.plainText())

            --trace FILE measures how fresh the screen is: for every record stamped by \
            `tbdash produce --stamp`, the time from its send to the frame that first draws \
            it (with --headless, to the snapshot that first counts it), written at exit to \
            FILE as one JSON line with p50, p99, p99.9 and the max in ms (doc/performance.md). \
            With --changelog --headless, through `tbdash aggregate --trace` workers.

            Durations take a unit: 300s, 5m, 1500ms, 30d (a bare number is seconds).

            Examples:
              tbdash watch
              tbdash watch --lang zh --glyphs braille
              tbdash watch --headless --exit-at-end --json --from earliest
              tbdash watch --filter 'province=浙江 gender=female day=11-11' --rank-by hot
              tbdash watch --from 2026-11-11
              tbdash watch -t clicks --map 'user_id=uid,item_id=sku,action=event:view=click:order=purchase,gender?=unknown'
              tbdash watch --metrics-addr 127.0.0.1:9464 --history counts.db --state watch.state
              tbdash watch --headless --trace latency.json
              tbdash watch --alert 'orders: purchases/min < 50 for 2m' --alert 'lag > 30s' --on-alert ./page-me.sh
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup(title: "Event time") var semantics: SemanticsOptions
    @OptionGroup(title: "Message shape") var shape: MappingOptions
    @OptionGroup(title: "Dashboard") var display: DisplayOptions
    @OptionGroup(title: "State") var stateOptions: StateOptions
    @OptionGroup(title: "Analytics") var analytics: AnalyticsOptions
    @OptionGroup(title: "Prometheus and history") var integration: IntegrationOptions
    @OptionGroup(title: "Alarms") var alarms: AlertOptions

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

    @Option(help: ArgumentHelp("Trace the send-to-visible latency of records sent by `tbdash produce --stamp`; its percentiles go to this file at exit.",
                               valueName: "file"))
    var trace: String?

    func validate() throws {
        if trace != nil && changelog != nil && !headless {
            throw ValidationError("--trace with --changelog needs --headless: a viewer's trace ends at its published snapshot")
        }
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
            ("--tz", semantics.eventTime.givenTz != nil, counted),
            ("--out-of-orderness", semantics.givenOutOfOrderness != nil, counted),
            ("--idle-timeout", semantics.givenIdleTimeout != nil, counted),
            ("--batch-size", semantics.givenBatchSize != nil, counted),
            ("--batch-interval", semantics.givenBatchInterval != nil, counted),
            ("--hold", semantics.rings.givenHold != nil, counted),
            ("--half-life", semantics.rings.givenHalfLife != nil, counted),
            ("--checkpoint-interval", stateOptions.givenCheckpointInterval != nil,
             "the viewer keeps no state and commits no offsets (the workers publish every `tbdash aggregate --publish-interval`)"),
            ("--map", shape.text != nil, "the workers decode the source topic (give it to `tbdash aggregate`)"),
        ]
    }

    func run() throws {
        MemoryPolicy.returnLargeBuffersToTheSystem()
        let mapping = try shape.mapping()
        let start = try stateOptions.start(topic: kafka.topic, semantics: semantics, mapping: mapping)
        var source = SourceOptions(topic: kafka.topic)
        source.mapping = mapping
        source.start = try from.startPosition(timeZone: semantics.eventTime.tz)
        source.stateFile = stateOptions.state
        source.savedIdentity = start.identity
        source.connectTimeoutMs = connectTimeout.timeoutMs
        source.failFast = headless
        var options = WatchPipeline.Options(source: source, group: group)
        options.timing.exitAtEnd = exitAtEnd
        options.query = try analytics.query()
        let latencyTrace = trace.map { _ in LatencyTrace(visible: headless ? .published : .drawn) }
        if latencyTrace != nil { options.source.readsSendStamps = true }
        options.trace = latencyTrace
        options.query.demoResults = json
        let integrations = try integration.start(
            calendar: start.config.calendar, continuing: stateOptions.state == nil ? nil : start.restored ?? AggregationState(),
            checkpointer: start.checkpointer, alerting: try alarms.setup(stateFile: stateOptions.state))
        options.query.watched = integrations.alerts?.segments ?? []
        options.query.watchedWindows = integrations.alerts?.windows ?? []
        options.timing.commitIntervalMs = integrations.commitInterval(stateOptions.checkpointInterval.milliseconds)
        try integrations.around {
            var runner = LiveRunner(headless ? .headless(json: json) : .dashboard, display: display, kafka: kafka, group: group,
                                    integrations: integrations)
            if !headless { runner.hotWeights = try analytics.hotWeightsByAction() }
            defer { if let path = trace, let report = latencyTrace?.report { writeTrace(report, to: path) } }
            if let changelog {
                var viewer = ChangelogPipeline.Options(changelog: changelog)
                viewer.exitAtEnd = exitAtEnd
                viewer.query = options.query
                viewer.connectTimeoutMs = connectTimeout.timeoutMs
                viewer.failFast = headless
                viewer.trace = latencyTrace
                try runner.run(ChangelogFeed(options: viewer, config: start.config))
            } else {
                try runner.run(TopicFeed(options: options, config: start.config, restored: start.restored,
                                         checkpointer: integrations.checkpointer, withState: stateOptions.state != nil))
            }
        }
    }

    /// The trace's line, however the run ended; a file that cannot be written is said, not fatal.
    private func writeTrace(_ report: String, to path: String) {
        do {
            try AtomicFileWriter.replace(path, with: Array((report + "\n").utf8))
        } catch {
            StandardError.write("tbdash: trace not written to \(path): \(error)\n")
        }
    }
}
