import Aggregation
import Analytics
import Formatting
import Kafka
import LiveValues
import Runtime
import Source
import Terminal
import TUI

/// Runs the live dashboard on a watch pipeline or a changelog viewer: checks the terminal, takes it over, shows
/// the first frame before the broker answers, and gives the terminal back on every way
/// out (q, Ctrl-C, SIGTERM, an error) before anything is printed.
struct DashboardRunner {
    let display: DisplayOptions
    let kafka: KafkaOptions
    let group: String
    /// Where the brokers come from when not from the Kafka options (the demo's own).
    var brokers: String?
    /// The weights `h` ranks Trending by (`--hot-weights`); the default ones when nil.
    var hotWeights: [Int64]?

    /// Entries a ranking asks for: what the Trending page shows at 120×40 and above.
    static let rankingRows = 40

    /// The terminal taken over for one dashboard run, with what every run needs.
    private struct Session {
        let screen: CursesScreen
        let theme: Theme
        let log: FileLog?
        let configuration: KafkaConfiguration
        /// Set by SIGINT/SIGTERM.
        let interrupted: StopFlag
        var model: DashboardModel
    }

    /// Checks the terminal, takes it over and runs `body` on it; gives the terminal back
    /// on every way out (`body` restores it itself before printing anything). The
    /// session's `model.query` is the query the pipeline must answer.
    private func onScreen(topic: String, group: String, config: AggregationConfig, query: AnalyticsQuery,
                          _ body: (inout Session) throws -> Void) throws {
        guard TerminalCheck.stdoutIsTerminal && TerminalCheck.stdinIsTerminal else {
            throw CommandFailure.usage("the dashboard needs a terminal (stdout is not one); use --headless for scripts")
        }
        let log = try display.log.map { try FileLog(path: $0) }
        var configuration = try kafka.configuration(defaults: ConsumerDefaults.properties)
        if let brokers { configuration.brokers = brokers }
        if let log { configuration.log = log.kafkaLog }

        let utf8 = CursesScreen.prepareLocale()
        let interrupted = StopFlag()
        // Before initscr, so ncurses leaves SIGINT and SIGTERM to us.
        let trap = SignalTrap { _ in interrupted.request() }
        defer { trap.cancel() }
        let screen: CursesScreen
        do {
            screen = try CursesScreen(allowColor: display.allowsColor)
        } catch .cannotStart {
            throw CommandFailure.runtime(TerminalError.cannotStart.description)
        } catch {
            // TERM unset, unknown or dumb: the user's setting to change, like a flag.
            throw CommandFailure.usage(error.description)
        }
        defer { screen.restore() }
        let theme = Theme(colors: screen.colors, glyphs: display.glyphSet(localeIsUTF8: utf8))
        var model = DashboardModel(
            snapshot: LiveSnapshot(), topic: topic, brokers: configuration.brokers, group: group,
            calendar: config.calendar, batchSize: config.batchSize, batchIntervalMs: config.batchIntervalMs)
        // Chinese needs a UTF-8 locale; without one the labels stay English.
        model.language = utf8 ? display.lang : .en
        model.fps = display.fps
        model.idleTimeoutMs = config.idleTimeoutMs
        model.query = query
        // The Trending page has room for more than the JSON's default 20 a ranking.
        model.query.top = max(query.top, Self.rankingRows)
        if let weights = query.hotWeights ?? hotWeights { model.hotWeights = weights }
        if query.hotWeights != nil { model.trendMeasure = .hot }
        var session = Session(screen: screen, theme: theme, log: log, configuration: configuration,
                              interrupted: interrupted, model: model)
        try body(&session)
    }

    func run(options: WatchPipeline.Options, config: AggregationConfig, restoring state: AggregationState? = nil,
             integrations: Integrations) throws {
        let checkpointer = integrations.checkpointer
        var options = options
        try onScreen(topic: kafka.topic, group: group, config: config, query: options.query) { session in
            let (screen, log, configuration) = (session.screen, session.log, session.configuration)
            options.query = session.model.query
            var consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
            session.model.canReadFromBeginning = checkpointer == nil
            log?.write("watching \(kafka.topic) at \(configuration.brokers), group \(group)")
            while true {
                let stop = StopFlag()
                let pipeline = WatchPipeline(consumer: consumer, options: options, config: config, restoring: state,
                                             stop: stop, checkpointer: checkpointer)
                integrations.follow(pipeline)
                var live = LiveDashboard(pipeline: pipeline, screen: screen, dashboard: Dashboard(theme: session.theme),
                                         stop: session.interrupted, model: session.model)
                live.onStatus = { status in log?.write("status: \(HeadlessLog.describe(status))") }
                pipeline.start()
                let ending = live.run()
                if ending != .readFromBeginning { screen.restore() }
                stop.request()
                pipeline.waitUntilFinished()
                consumer.close()
                if case .failed(let why) = ending { throw CommandFailure.runtime(why) }
                guard ending == .readFromBeginning else {
                    let final = pipeline.snapshot
                    try printResult("tbdash: \(Format.grouped(final.aggregate.counts.events)) events counted; \(HeadlessLog.commitOutcome(pipeline.offsetsCommittedAtExit, group: group))")
                    try WatchCommand.requireFinalSave(final)
                    return
                }
                // The old pipeline is gone: nothing it counted carries over, so nothing is
                // counted twice. (`e` is not offered with --state, whose counts would mix.)
                log?.write("reading from the beginning")
                options.source.start = .earliest
                session.model = live.model
                session.model.snapshot = LiveSnapshot()
                // The new pipeline answers the segment and rankings on screen, not the start's.
                options.query = session.model.query
                consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
            }
        }
    }

    /// `watch --changelog`: the dashboard over the merged states of `tbdash aggregate`
    /// workers. A viewer never writes, and has no `e` (the workers decide where they read).
    func runChangelog(options: ChangelogPipeline.Options, config: AggregationConfig) throws {
        var options = options
        try onScreen(topic: options.changelog, group: group, config: config, query: options.query) { session in
            let (screen, log) = (session.screen, session.log)
            options.query = session.model.query
            let configuration = session.configuration
            let consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
            log?.write("watching changelog \(options.changelog) at \(configuration.brokers)")
            options.report = { line in log?.write(line) }
            let stop = StopFlag()
            let pipeline = ChangelogPipeline(consumer: consumer, options: options, config: config, stop: stop)
            var live = LiveDashboard(pipeline: pipeline, screen: screen, dashboard: Dashboard(theme: session.theme),
                                     stop: session.interrupted, model: session.model)
            live.onStatus = { status in log?.write("status: \(HeadlessLog.describe(status))") }
            pipeline.start()
            let ending = live.run()
            screen.restore()
            stop.request()
            pipeline.waitUntilFinished()
            consumer.close()
            if case .failed(let why) = ending { throw CommandFailure.runtime(why) }
            let a = pipeline.snapshot.aggregate
            try printResult("tbdash: \(Format.grouped(a.counts.events)) events in the merged states of \(a.partitions.count) partitions (changelog \(options.changelog))")
            // Said on page 6 while the screen was up; said again now that it is gone.
            for (partition, why) in (pipeline.snapshot.changelog?.unavailable ?? [:]).sorted(by: { $0.key < $1.key }) {
                StandardError.write("tbdash: \(ChangelogHealth.unavailableLine(partition: partition, why))\n")
            }
        }
    }
}
