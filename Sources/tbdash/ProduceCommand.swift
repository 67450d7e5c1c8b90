import ArgumentParser
import Kafka
import Producer
import Runtime

struct ProduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Replay a dataset CSV into a Kafka topic, one JSON message per row.",
        discussion: """
            Each valid row becomes a JSON object with the header's field names, keyed by \
            user_id, sent by librdkafka's idempotent producer (no duplicates on retry). \
            Rows that are not valid records are skipped and reported with their line number; \
            the rest keep flowing. A live progress line shows on a terminal.

            Exit status: 0 when every valid row was delivered, 1 when the broker cannot be \
            reached or a message was not delivered, 2 for usage errors or an unreadable \
            file, 130 when interrupted (what was in flight is flushed and reported first).

            Examples:
              tbdash produce data/sample.csv
              tbdash produce data/sample.csv --rate 500 --loop
              tbdash produce big.csv -b kafka1:9092 -X compression.type=lz4
            """)

    @OptionGroup var kafka: KafkaOptions

    @Argument(help: "The CSV file (header user_id,item_id,cat_id,merchant_id,brand_id,month,day,action,age_range,gender,province).")
    var file: String

    @Option(help: "Events per second (default: as fast as Kafka takes them).")
    var rate: Double?

    @Flag(help: "Start over at the end of the file, until Ctrl-C or --limit.")
    var loop = false

    @Option(help: "Stop after sending this many events.")
    var limit: Int?

    @Option(help: "Seconds to wait for the brokers to answer before giving up.")
    var connectTimeout = 10

    func validate() throws {
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        if connectTimeout <= 0 { throw ValidationError("--connect-timeout must be positive") }
    }

    func run() throws {
        let reader: CSVFileReader
        do {
            reader = try CSVFileReader(path: file)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        let configuration = try kafka.configuration(defaults: ProducerDefaults.properties)
        let producer = try orFail { try KafkaProducer(configuration: configuration) }

        var options = Replay.Options()
        options.rate = rate
        options.loop = loop
        options.limit = limit
        options.connectTimeoutMs = Int32(connectTimeout * 1000)

        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        defer { trap.cancel() }
        let progress = ProgressLine(enabled: TerminalCheck.stderrIsTerminal)
        let replay = Replay(reader: reader, producer: producer, topic: kafka.topic, options: options, stop: stop)
        replay.onNotice = { progress.notice($0) }
        replay.onProgress = { progress.update($0) }

        let summary: Replay.Summary
        do {
            summary = try replay.run()
        } catch let error as KafkaError {
            progress.clear()
            throw CommandFailure.runtime(error.description)
        } catch let error as ProducerError {
            progress.clear()
            throw CommandFailure.usage(error.description)
        }
        progress.clear()
        if let remainder = summary.badRows.remainder { StandardError.write(remainder + "\n") }
        StandardError.write(SummaryLine.text(summary, file: file, topic: kafka.topic, brokers: configuration.brokers) + "\n")

        if !summary.allDelivered {
            let missing = summary.progress.sent - summary.progress.delivered
            throw CommandFailure.runtime(
                "\(missing) of \(summary.progress.sent) messages were not delivered"
                    + (summary.firstFailure.map { " (\($0))" } ?? ""))
        }
        if summary.interrupted { throw ExitCode(130) }
    }
}
