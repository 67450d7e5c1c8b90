import Aggregation
import Kafka
import LiveValues
import Runtime
import Source
import Terminal
import TUI

/// Runs the live dashboard on a watch pipeline: checks the terminal, takes it over, shows
/// the first frame before the broker answers, and gives the terminal back on every way
/// out (q, Ctrl-C, SIGTERM, an error) before anything is printed.
struct DashboardRunner {
    let display: DisplayOptions
    let kafka: KafkaOptions
    let group: String
    /// Where the brokers come from when not from the Kafka options (the demo's own).
    var brokers: String?

    /// Entries a ranking asks for: what the Trending page shows at 120×40 and above.
    static let rankingRows = 40

    func run(options: WatchPipeline.Options, config: AggregationConfig, restoring state: AggregationState? = nil,
             integrations: Integrations) throws {
        let checkpointer = integrations.checkpointer
        guard TerminalCheck.stdoutIsTerminal && TerminalCheck.stdinIsTerminal else {
            throw CommandFailure.usage("the dashboard needs a terminal (stdout is not one); use --headless for scripts")
        }
        let log = try display.log.map { try FileLog(path: $0) }
        var configuration = try kafka.configuration(defaults: ConsumerDefaults.properties)
        if let brokers { configuration.brokers = brokers }
        if let log { configuration.log = log.kafkaLog }
        var consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }

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
            snapshot: LiveSnapshot(), topic: kafka.topic, brokers: configuration.brokers, group: group,
            calendar: config.calendar, batchSize: config.batchSize, batchIntervalMs: config.batchIntervalMs)
        // Chinese needs a UTF-8 locale; without one the labels stay English.
        model.language = utf8 ? display.lang : .en
        model.fps = display.fps
        model.canReadFromBeginning = checkpointer == nil
        model.idleTimeoutMs = config.idleTimeoutMs
        var options = options
        // The Trending page has room for more than the JSON's default 20 a ranking.
        options.query.top = max(options.query.top, Self.rankingRows)
        model.query = options.query
        if let weights = options.query.hotWeights {
            model.hotWeights = weights
            model.trendMeasure = .hot
        }
        log?.write("watching \(kafka.topic) at \(configuration.brokers), group \(group)")

        while true {
            let stop = StopFlag()
            let pipeline = WatchPipeline(consumer: consumer, options: options, config: config, restoring: state,
                                         stop: stop, checkpointer: checkpointer)
            integrations.follow(pipeline)
            var live = LiveDashboard(pipeline: pipeline, screen: screen, dashboard: Dashboard(theme: theme), stop: interrupted, model: model)
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
            model = live.model
            model.snapshot = LiveSnapshot()
            // The new pipeline answers the segment and rankings on screen, not the start's.
            options.query = model.query
            consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
        }
    }
}
