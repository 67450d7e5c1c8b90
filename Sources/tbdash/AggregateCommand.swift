import ArgumentParser
import Formatting
import Foundation
import Kafka
import LiveValues
import Runtime
import ScaleOut
import Source

struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Scale out: aggregate the partitions a consumer group gives this worker, into a changelog topic.",
        discussion: """
            A headless worker. Start several (on one machine or many) with the same --group: \
            Kafka's group protocol splits the topic's partitions among them (cooperative-sticky, \
            so a rebalance moves only what must move). For each partition it gets, the worker \
            restores the partition's newest state from --changelog (default <topic>.tbdash-state), \
            continues from the offset that state covers, and publishes the partition's whole \
            state every --publish-interval and when the partition is taken away. A partition \
            with no state starts where --from says, by the same rules as watch. A partition whose \
            newest state cannot be read is counted again from the beginning of its source \
            partition, with a log line naming the record. `tbdash watch --changelog TOPIC` merges \
            the states and shows them; any number of viewers can watch.

            Exactly once: every published state carries the offsets it counted, so a worker \
            that is killed, added or restarted changes no count. Each state also carries the \
            writer's group generation; readers keep the highest (generation, next offset), \
            so a worker that was expelled while frozen cannot overwrite newer state.

            --year is required (not this year by default): every worker, and every state \
            restored from the changelog, must count in the same year. A state counted with \
            other event-time options (--year, --tz, --out-of-orderness, --idle-timeout, \
            --batch-size, --batch-interval, and --hold or --half-life when given) or another \
            --map is refused with the option named.

            The changelog is created compacted with the source's partition count when the \
            brokers allow it (the embedded broker has no admin API: create it with \
            `tbdash broker -t TOPIC -t TOPIC.tbdash-state`). On the embedded broker the \
            workers' session timeout is 6 s unless -X session.timeout.ms says otherwise: it \
            holds every rebalance for the session timeout. SIGTERM or Ctrl-C publishes the \
            final states and leaves the group at once. One log line per assignment and \
            revocation on stderr (and in --log).

            --trace reads the send stamps of `tbdash produce --stamp` and forwards them \
            with each state, for `watch --changelog --headless --trace` to measure send to \
            visible through the workers (doc/performance.md).

            Examples:
              tbdash aggregate -t user_behavior_logs --year 2026
              tbdash watch --changelog user_behavior_logs.tbdash-state
              tbdash aggregate -t user_behavior_logs --year 2026 --trace
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup(title: "Event time") var semantics: SemanticsOptions
    @OptionGroup(title: "Message shape") var shape: MappingOptions

    @Option(help: "Consumer group the workers share (a rebalancing group, unlike watch's).")
    var group = "tbdash-aggregate"

    @Option(help: ArgumentHelp("Changelog topic of the partition states. (default: <topic>.tbdash-state)", valueName: "topic"))
    var changelog: String?

    @Option(help: ArgumentHelp("Where to start partitions with no state in the changelog: earliest, latest, committed, "
                               + "or a day such as 2026-11-11 (the first record stamped at or after its start in --tz). (default: earliest)",
                               valueName: "position"),
            transform: StartArgument.parse)
    var from = StartArgument.position(.earliest)

    @Option(help: "How often each changed partition state is published, 10ms to 1h. (default: 1s)",
            transform: DurationArgument.parser(10...3_600_000))
    var publishInterval = DurationArgument(milliseconds: 1_000)

    @Option(help: "Also write the log lines to this file.")
    var log: String?

    @Flag(help: "Forward the records' send stamps (produce --stamp) with each state, for a viewer's --trace.")
    var trace = false

    @Option(help: "How long to wait for the brokers' first answer, 1s to 1d. (default: 10s)", transform: DurationArgument.connectTimeout)
    var connectTimeout = DurationArgument.defaultConnectTimeout

    func validate() throws {
        if changelog?.isEmpty == true { throw ValidationError("--changelog must not be empty") }
        if changelog == kafka.topic { throw ValidationError("--changelog must not be the source topic") }
        if semantics.eventTime.year == nil {
            throw ValidationError("aggregate needs --year: every worker and every state it restores must count in the same year")
        }
    }

    func run() throws {
        MemoryPolicy.returnLargeBuffersToTheSystem()
        let config = try semantics.config()
        let file = try log.map { try FileLog(path: $0) }
        let logLine: @Sendable (String) -> Void = { text in
            StandardError.write("tbdash aggregate: \(text)\n")
            file?.write(text)
        }
        let embedded = kafka.reachesEmbeddedBroker()
        var consumerConfiguration = try kafka.configuration(
            defaults: ConsumerDefaults.properties + (embedded ? EmbeddedBrokerGroupDefaults.properties : []))
        var producerConfiguration = try kafka.configuration(defaults: ProducerDefaults.properties + ChangelogDefaults.properties)
        if let file {
            consumerConfiguration.log = file.kafkaLog
            producerConfiguration.log = file.kafkaLog
        }
        let clientID = consumerConfiguration.value(of: "client.id") ?? "tbdash"
        let consumer = try orFail { try KafkaConsumer(configuration: consumerConfiguration, group: group) }
        let restorer = try orFail { try KafkaConsumer(configuration: consumerConfiguration, group: "\(group).restore") }
        let producer = try orFail { try KafkaProducer(configuration: producerConfiguration) }

        var options = AggregateWorker.Options(
            topic: kafka.topic, changelog: changelog ?? "\(kafka.topic).tbdash-state",
            writer: "\(clientID)@\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier)")
        options.start = try from.startPosition(timeZone: semantics.eventTime.tz)
        options.publishIntervalMs = publishInterval.milliseconds
        options.mapping = try shape.mapping()
        options.connectTimeoutMs = connectTimeout.timeoutMs
        options.forwardsSendStamps = trace
        options.asksHold = semantics.rings.givenHold != nil
        options.asksHalfLife = semantics.rings.givenHalfLife != nil
        if let limit = producerConfiguration.value(of: "message.max.bytes").flatMap({ Int($0) }) {
            options.maxMessageBytes = limit
        }

        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        defer { trap.cancel() }
        let worker = AggregateWorker(consumer: consumer, restorer: restorer, producer: producer, options: options,
                                     config: config, stop: stop, log: logLine)
        let sessionTimeout = consumerConfiguration.value(of: "session.timeout.ms")
        logLine("joining group \(group) on \(kafka.topic) at \(consumerConfiguration.brokers); states to \(options.changelog)"
                + (embedded ? "; the embedded broker: session timeout \(sessionTimeout ?? "?") ms" : ""))
        do {
            try worker.run()
        } catch {
            throw CommandFailure.runtime(error.description)
        }
        let stats = worker.stats
        logLine("stopped: \(Format.grouped(stats.records)) states published, \(Format.grouped(stats.bytes)) bytes, largest \(Format.grouped(stats.largest)), "
                + "\(Format.grouped(Int(stats.encodeNanoseconds / 1_000_000))) ms encoding")
    }
}

/// Producer settings for the changelog: whole states compress well, and must not be
/// reordered or duplicated (idempotence comes with the producer defaults).
enum ChangelogDefaults {
    static let properties: [(String, String)] = [
        ("compression.codec", "lz4"),
        ("linger.ms", "5"),
    ]
}
