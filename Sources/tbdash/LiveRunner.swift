import Kafka
import LiveValues
import Runtime
import Source
import TUI

/// Runs any live feed — one process's pipeline or a changelog viewer — on the dashboard or
/// headless, the same way: one consumer, SIGINT/SIGTERM to stop, status changes to the log,
/// the metrics following the running pipeline, the results once it has finished.
struct LiveRunner {
    enum Front {
        case dashboard
        /// `json`: the final snapshot as JSON on stdout instead of the summary.
        case headless(json: Bool)
    }

    let front: Front
    let display: DisplayOptions
    let kafka: KafkaOptions
    let group: String
    let integrations: Integrations
    /// Where the brokers come from when not from the Kafka options (the demo's own).
    var brokers: String?
    /// The weights `h` ranks Trending by (`--hot-weights`); the default ones when nil.
    var hotWeights: [Int64]?

    init(_ front: Front, display: DisplayOptions, kafka: KafkaOptions, group: String, integrations: Integrations) {
        self.front = front
        self.display = display
        self.kafka = kafka
        self.group = group
        self.integrations = integrations
    }

    func run(_ feed: some LiveFeed) throws {
        switch front {
        case .dashboard:
            try DashboardSession.requireTerminal()
            try runDashboard(feed)
        case .headless(let json):
            try runHeadless(feed, json: json)
        }
    }

    /// The --log file and the consumer's configuration.
    private func prepare() throws -> (FileLog?, KafkaConfiguration) {
        let log = try display.log.map { try FileLog(path: $0) }
        var configuration = try kafka.configuration(defaults: ConsumerDefaults.properties)
        if let brokers { configuration.brokers = brokers }
        if let log { configuration.log = log.kafkaLog }
        return (log, configuration)
    }

    private func runHeadless<Feed: LiveFeed>(_ feed: Feed, json: Bool) throws {
        let (log, configuration) = try prepare()
        let consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
        log?.write(feed.opening(brokers: configuration.brokers, group: group))
        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        defer { trap.cancel() }
        let pipeline = feed.pipeline(consumer: consumer, stop: stop) { line in
            StandardError.write("tbdash: \(line)\n")
            log?.write(line)
        }
        integrations.alerts?.reportTo(screen: false) { line in
            StandardError.write("tbdash watch: \(line)\n")
            log?.write(line)
        }
        integrations.follow(pipeline)
        pipeline.start()
        HeadlessLog(source: pipeline, file: log).follow()
        pipeline.waitUntilFinished()
        consumer.close()
        if case .failed(let reason) = pipeline.snapshot.status { throw CommandFailure.runtime(reason) }
        // The JSON's alerts are those of the final snapshot.
        integrations.alerts?.evaluateNow()
        try feed.headlessResult(pipeline, json: json, metricsAddress: integrations.metricsAddress, alerts: integrations.alerts?.statuses)
    }

    private func runDashboard<Feed: LiveFeed>(_ feed: Feed) throws {
        let (log, configuration) = try prepare()
        let setup = DashboardSession.Setup(display: display, topic: feed.topic, brokers: configuration.brokers, group: group,
                                           config: feed.config, query: feed.query, hotWeights: hotWeights)
        var feed = feed
        try DashboardSession.run(setup) { session in
            let screen = session.screen
            session.model.canReadFromBeginning = feed.canStartOver
            var consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
            log?.write(feed.opening(brokers: configuration.brokers, group: group))
            integrations.alerts?.reportTo(screen: true) { log?.write($0) }
            while true {
                let stop = StopFlag()
                // The pipeline answers the segment and rankings on screen.
                feed.query = session.model.query
                let pipeline = feed.pipeline(consumer: consumer, stop: stop) { log?.write($0) }
                integrations.follow(pipeline)
                var live = LiveDashboard(pipeline: pipeline, screen: screen, dashboard: Dashboard(theme: session.theme),
                                         stop: session.interrupted, model: session.model, alerts: integrations.alerts)
                live.onStatus = { status in log?.write("status: \(HeadlessLog.describe(status))") }
                pipeline.start()
                let ending = live.run()
                if ending != .readFromBeginning { screen.restore() }
                stop.request()
                pipeline.waitUntilFinished()
                consumer.close()
                if case .failed(let why) = ending { throw CommandFailure.runtime(why) }
                guard ending == .readFromBeginning else { return try feed.dashboardResult(pipeline) }
                log?.write("reading from the beginning")
                feed = feed.startingOver()
                session.model = live.model
                session.model.snapshot = LiveSnapshot()
                consumer = try orFail { try KafkaConsumer(configuration: configuration, group: group) }
            }
        }
    }
}
