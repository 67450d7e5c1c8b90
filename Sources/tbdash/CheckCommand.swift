import ArgumentParser
import Foundation
import Kafka
import Preflight
import Runtime
import Terminal
import UserBehavior

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the brokers, the topic, the group and the records before watching: one line per check, with the fix.",
        discussion: """
            Reaches the brokers (and says how long it took) through TLS and SASL as -X sets \
            them, names the cluster and its brokers, checks that the topic exists and reads \
            its retention.ms, cleanup.policy and message.timestamp.type (brokers without \
            DescribeConfigs, the embedded one among them, cannot say), the lag of --group per \
            partition in records and in record time, and decodes the newest --sample records \
            of each partition: how many are events, why the others are rejected, the field \
            names they have and the --map that would read them. With --event-time, also \
            whether retention would delete a replay stamped with event time. Never creates \
            a topic, never commits. Exits 1 when any check fails.

            Examples:
              tbdash check
              tbdash check -b kafka-1:9093 -t clicks --group dashboards -X security.protocol=SASL_SSL -X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=me -X sasl.password=secret
              tbdash check --json --event-time
            """)

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup(title: "Message shape") var shape: MappingOptions

    @Option(name: .customLong("group"), help: "Consumer group whose committed offsets and lag to show. (default: tbdash)")
    var givenGroup: String?

    var group: String { givenGroup ?? "tbdash" }

    @Option(help: ArgumentHelp("How long to wait for the brokers' first answer, 1s to 1d. (default: 10s)"),
            transform: DurationArgument.connectTimeout)
    var connectTimeout = DurationArgument.defaultConnectTimeout

    @Option(help: "Newest records to decode from each partition, 1 to 1000.", transform: NumericOption.wholeNumber(1...1000))
    var sample = 20

    @Flag(help: "The topic will be replayed with event-time stamps (`tbdash produce --event-time`): check that retention keeps them.")
    var eventTime = false

    @Flag(help: "Print the checks and the facts behind them as JSON on stdout.")
    var json = false

    @Flag(help: "Mark checks with ok and FAIL (automatic in a non-UTF-8 locale).")
    var ascii = false

    func run() throws {
        let facts = try orFail { try gather() }
        let lines = Preflight.lines(facts)
        if json {
            try printResult(CheckReport(facts: facts, lines: lines).json())
        } else {
            let plain = ascii || !CursesScreen.prepareLocale()
            for line in lines { try printResult(line.rendered(passMark: plain ? "ok" : "✓", failMark: plain ? "FAIL" : "✗")) }
        }
        if lines.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    // MARK: Gathering the facts (the I/O)

    private func gather() throws -> PreflightFacts {
        let configuration = try kafka.configuration(defaults: ConsumerDefaults.properties)
        let timeoutMs = connectTimeout.timeoutMs
        let consumer = try KafkaConsumer(configuration: configuration, group: group)
        var facts = PreflightFacts(brokers: consumer.brokers, security: security, connection: .unreachable(""), nowMs: WallClock.milliseconds())
        let started = MonotonicClock.milliseconds()
        let clusterID: String?
        do {
            let brokerCount = try consumer.brokerCount(timeoutMs: timeoutMs)
            let elapsed = MonotonicClock.milliseconds() - started
            clusterID = consumer.clusterID(timeoutMs: timeoutMs)
            facts.connection = .reached(milliseconds: elapsed, clusterID: clusterID, brokerCount: brokerCount)
        } catch {
            if case .refused = error { facts.connection = .refused(error.description) } else { facts.connection = .unreachable(error.description) }
            return facts
        }
        let topic = kafka.topic
        let partitions: [Int32]
        do {
            partitions = try consumer.partitions(of: topic, timeoutMs: timeoutMs)
        } catch {
            facts.topic = .failed(error.description)
            return facts
        }
        facts.topic = .exists(name: topic, partitions: partitions.count, configuration: MockCluster.isMock(clusterID: clusterID) ? .notSupported : try topicConfiguration(timeoutMs: timeoutMs))
        let ranges = try consumer.queryOffsetRanges(topic: topic, partitions: partitions, timeoutMs: timeoutMs)
        let probe = try consumer.makeProbe()
        facts.group = groupLag(consumer: consumer, probe: probe, ranges: ranges, timeoutMs: timeoutMs)
        facts.sample = try newestRecords(probe: probe, ranges: ranges, timeoutMs: timeoutMs)
        if eventTime {
            let starts = ranges.filter { $0.value.count > 0 }.mapValues(\.logStart)
            let oldest = try probe.firstRecords(topic: topic, at: starts, timeoutMs: timeoutMs).values.map(\.timestampMs).min()
            facts.replay = PreflightFacts.ReplayFacts(oldestRecordMs: oldest)
        }
        return facts
    }

    /// `security.protocol` as -X sets it (librdkafka's default: plaintext), and the SASL mechanism.
    private var security: String {
        let given = Dictionary(kafka.properties.compactMap { try? KafkaConfiguration.property($0) }, uniquingKeysWith: { $1 })
        let protocolName = given["security.protocol"]?.lowercased() ?? "plaintext"
        return "security.protocol=\(protocolName)" + (protocolName.hasPrefix("sasl") ? ", sasl.mechanism=\(given["sasl.mechanism"] ?? "GSSAPI")" : "")
    }

    /// The topic's entries by DescribeConfigs (which librdkafka's mock cluster never answers).
    private func topicConfiguration(timeoutMs: Int32) throws -> PreflightFacts.TopicConfiguration {
        let producer = try KafkaProducer(configuration: try kafka.configuration())
        do {
            return try producer.configuration(ofTopic: kafka.topic, timeoutMs: timeoutMs).map { .described($0) } ?? .notSupported
        } catch {
            return .failed(error.description)
        }
    }

    /// The group's committed offsets against each partition's log, and the record time
    /// between the committed record and the newest one where both can be read.
    private func groupLag(consumer: KafkaConsumer, probe: RecordProbe, ranges: [Int32: OffsetRange],
                          timeoutMs: Int32) -> PreflightFacts.GroupOutcome {
        let committed: [Int32: Int64]
        do {
            committed = try consumer.committedOffsets(topic: kafka.topic, partitions: Array(ranges.keys), timeoutMs: timeoutMs)
        } catch {
            return .failed(error.description)
        }
        let behind = committed.filter { partition, offset in ranges[partition].map { offset >= $0.logStart && offset < $0.end } ?? false }
        let unread = (try? probe.firstRecords(topic: kafka.topic, at: behind, timeoutMs: timeoutMs)) ?? [:]
        let newest = (try? probe.firstRecords(topic: kafka.topic, at: behind.keys.reduce(into: [:]) { $0[$1] = ranges[$1]!.end - 1 },
                                              timeoutMs: timeoutMs)) ?? [:]
        let lags = ranges.keys.sorted().map { partition in
            let range = ranges[partition]!
            var lag = PreflightFacts.PartitionLag(partition: partition, logStart: range.logStart, end: range.end, committed: committed[partition])
            if committed[partition] == range.end { lag.lagMs = 0 }
            if let first = unread[partition], let last = newest[partition] { lag.lagMs = max(0, last.timestampMs - first.timestampMs) }
            return lag
        }
        return .read(name: group, partitions: lags)
    }

    /// The newest `sample` records of every partition through the decoder `watch` uses (with the same `--map`).
    private func newestRecords(probe: RecordProbe, ranges: [Int32: OffsetRange], timeoutMs: Int32) throws -> PreflightFacts.SampleFacts {
        let decoder = try sampleDecoder()
        var facts = PreflightFacts.SampleFacts(records: 0, events: 0)
        let wanted = ranges.mapValues { max($0.logStart, $0.end - Int64(sample))..<$0.end }
        try probe.read(topic: kafka.topic, wanted, timeoutMs: timeoutMs) { _, payload in
            facts.records += 1
            switch decoder.decode(payload) {
            case .event: facts.events += 1
            case .rejected(let reason):
                facts.rejections[reason.key, default: 0] += 1
                guard let object = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any] else { return }
                facts.fieldNames.formUnion(object.keys)
                if let field = SuggestedMapping.actionField(in: Set(object.keys)), let value = object[field] {
                    facts.actionValues[field, default: []].insert("\(value)")
                }
            }
        }
        return facts
    }

    /// The sample is read exactly as `watch` with the same `--map` would read the topic.
    private func sampleDecoder() throws -> MessageDecoder {
        MessageDecoder(mapping: try shape.mapping())
    }
}
