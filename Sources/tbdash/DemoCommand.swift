import ArgumentParser
import Foundation
import Generator
import HTTPServing
import Ingest
import Kafka
import LiveValues
import Metrics
import Producer
import Runtime
import Source
import UserBehavior

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Embedded broker + replay of the bundled sample + the dashboard, in one command.",
        discussion: """
            Starts an embedded Kafka broker inside this process, replays data/sample.csv \
            into it on a loop, and opens the dashboard on it. Nothing else is needed: no \
            Kafka, no second terminal. Quit with q; everything stops.

            The replay is in event time, like `produce --event-time`: one event day every \
            --day-seconds, so days arrive in order, the watermark moves and 11-11 comes as \
            a surge. At the end it starts again at the first day with the same timestamps, \
            so from the second pass on every event is late. --file-order replays the file \
            as it is instead (days mixed together), at --rate.

            The broker keeps the newest 5 MiB per partition, so the demo's memory stays \
            bounded however long it runs (it is meant to run all day on a shared screen).

            Examples:
              tbdash demo
              tbdash demo --day-seconds 5 --lang zh
              tbdash demo --file-order --rate 2000
              tbdash demo --metrics-addr 127.0.0.1:9464 --history demo.db
              tbdash demo --ingest --listen 127.0.0.1:8080

            --ingest shows the live loop instead of a replay: the embedded broker, `tbdash \
            ingest` on --listen serving a small shop page at / whose buttons post events \
            with navigator.sendBeacon, and the dashboard counting them. Open the address it \
            prints in a browser and click.
            """)

    @OptionGroup(title: "Event time") var semantics: SemanticsOptions
    @OptionGroup(title: "Dashboard") var display: DisplayOptions
    @OptionGroup(title: "Prometheus and history") var integration: IntegrationOptions

    @Option(help: "Events per second replayed at most, 0.001 to 1000000000. (default: 300 with --file-order, else no cap)",
            transform: NumericOption.rate)
    var rate: Double?

    @Option(help: "Wall-clock time one event day takes, 0 to 1d. (default: 2s)", transform: NumericOption.daySeconds)
    var daySeconds = 2.0

    @Flag(help: "Replay in file order (every day at once) instead of event time.")
    var fileOrder = false

    @Option(help: "The CSV to replay (default: data/sample.csv, or the same rows generated if it is not found).")
    var file: String?

    @Option(help: "Partitions of the demo topic, 1 to 256. (default: 4)", transform: NumericOption.wholeNumber(1...256))
    var partitions = 4

    @Flag(help: "No replay: collect events posted by a browser (a shop page served at --listen) instead.")
    var ingest = false

    @Option(help: "With --ingest: HOST:PORT of the collector and its page (loopback only). (default: 127.0.0.1:8080)")
    var listen = "127.0.0.1:8080"

    func validate() throws {
        guard let (host, _) = MetricsListener.parse(address: listen), IngestCommand.isLoopback(host ?? "") else {
            throw ValidationError("--listen \(listen): the demo listens on a loopback HOST:PORT, such as 127.0.0.1:8080")
        }
    }

    func run() throws {
        MemoryPolicy.returnLargeBuffersToTheSystem()
        if ingest { return try runCollecting() }
        let csv = try sampleFile()
        let reader: CSVFileReader
        do {
            reader = try CSVFileReader(path: csv)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        guard reader.isRewindable else {
            throw CommandFailure.usage("--file must be a regular file: the demo replays it on a loop, and \(reader.name) can be read only once")
        }
        let cluster = try orFail { try MockCluster() }
        let topic = KafkaOptions.defaultTopic
        try orFail { try cluster.createTopic(topic, partitions: partitions) }

        // The replay runs on its own thread; the dashboard owns the main one.
        var producerConfiguration = KafkaConfiguration(brokers: cluster.bootstrapServers)
        for (key, value) in ProducerDefaults.properties { producerConfiguration.set(key, value) }
        // The embedded broker's work per fetch grows with the batches it holds: at a
        // watchable rate, 5 ms batches of one or two events would fill it with tens of
        // thousands. A quarter second is invisible on the dashboard.
        producerConfiguration.set("linger.ms", "250")
        let producer = try orFail { try KafkaProducer(configuration: producerConfiguration) }
        // The replay stamps records with the calendar the dashboard counts by.
        let config = try semantics.config()
        var replayOptions = Replay.Options(calendar: config.calendar)
        if fileOrder {
            replayOptions.rate = rate ?? 300
        } else {
            replayOptions.rate = rate
            replayOptions.eventTimeOrder = EventTimeOrder(nanosecondsPerEventMillisecond: EventTimeOrder.pace(daySeconds: daySeconds),
                                                          temporaryDirectory: Environment.value("TMPDIR") ?? "/tmp")
        }
        replayOptions.loop = true
        let replayStop = StopFlag()
        let replay = Replay(reader: reader, producer: producer, topic: topic, options: replayOptions, stop: replayStop)
        let replaying = WorkerThread.start(name: "tbdash-replay") { _ = try? replay.run() }
        defer {
            replayStop.request()
            replaying.join()
        }

        try watch(cluster: cluster, topic: topic, config: config)
    }

    /// `--ingest`: the collector on the embedded broker with its shop page, and the dashboard.
    private func runCollecting() throws {
        let cluster = try orFail { try MockCluster() }
        let topic = KafkaOptions.defaultTopic
        try orFail { try cluster.createTopic(topic, partitions: partitions) }
        let config = try semantics.config()
        let (host, port) = MetricsListener.parse(address: listen)!
        var configuration = KafkaConfiguration(brokers: cluster.bootstrapServers)
        for (key, value) in RunningIngest.producerProperties(deliveryTimeoutMs: 5_000, maxOutstanding: 100_000) { configuration.set(key, value) }
        let collector: RunningIngest
        do {
            collector = try RunningIngest(listen: (host ?? "127.0.0.1", Int(port)), route: IngestRoute(token: nil, corsOrigins: [], page: DemoClickPage.html),
                                          limits: GroupCommit.Limits(), serverLimits: ServerLimits(), configuration: configuration,
                                          topic: topic, connectTimeoutMs: 10_000)
        } catch {
            throw CommandFailure.runtime("demo --ingest on \(listen): \(error)")
        }
        defer { collector.stop() }
        StandardError.write("tbdash: demo: open http://\(collector.address)/ in a browser and click; the dashboard counts each event\n")
        try watch(cluster: cluster, topic: topic, config: config)
    }

    /// The dashboard on the demo topic, from its start.
    private func watch(cluster: MockCluster, topic: String, config: AggregationConfig) throws {
        var source = SourceOptions(topic: topic)
        source.start = .earliest
        source.failFast = false
        let kafka = try KafkaOptions.parse(["--topic", topic])
        let integrations = try integration.start(calendar: config.calendar, continuing: nil, checkpointer: nil)
        var runner = LiveRunner(.dashboard, display: display, kafka: kafka, group: "tbdash-demo", integrations: integrations)
        runner.brokers = cluster.bootstrapServers
        var options = WatchPipeline.Options(source: source, group: "tbdash-demo")
        options.timing.commitIntervalMs = integrations.commitInterval(options.timing.commitIntervalMs)
        let feed = TopicFeed(options: options, config: config, restored: nil, checkpointer: integrations.checkpointer, withState: false)
        try integrations.around { try runner.run(feed) }
    }

    /// The file to replay: --file, else data/sample.csv here or next to the binary's
    /// checkout, else the same 20,000 rows generated into a temporary file.
    private func sampleFile() throws -> String {
        if let file { return file }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            "data/sample.csv",
            executable.deletingLastPathComponent().appendingPathComponent("../../../data/sample.csv").standardized.path,
            executable.deletingLastPathComponent().appendingPathComponent("../../data/sample.csv").standardized.path,
        ]
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) { return found }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tbdash-sample-\(getpid()).csv").path
        var data = Data()
        SyntheticDataset(rows: 20_000, seed: 1).generate { data.append(contentsOf: $0) }
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw CommandFailure.runtime("cannot write a sample to \(path)")
        }
        return path
    }
}
