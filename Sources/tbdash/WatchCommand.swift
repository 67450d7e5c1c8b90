import Aggregation
import ArgumentParser
import Foundation
import Kafka
import Runtime
import Source

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Consume the topic and show live distributions, with event-time semantics.",
        discussion: """
            Reads every partition of the topic itself (no rebalancing group, so two \\
            dashboards never split the data) and counts actions, ages, genders, provinces \\
            and events per day. Event time is the start of (--year, month, day) in --tz; \\
            the watermark of each partition is its largest event time minus \\
            --out-of-orderness, and an event earlier than its partition's watermark is \\
            late: counted, and still aggregated. Events are folded in micro-batches of \\
            --batch-size events or --batch-interval, whichever comes first.

            --headless runs without a screen, for scripts and tests: --exit-at-end stops \\
            once every partition is read to its end (like kcat -e) and --json prints the \\
            final snapshot. Offsets are committed to --group every 5 s and at exit, so a \\
            restart with the default --from committed continues where it stopped.

            Durations take a unit: 300s, 5m, 1500ms (a bare number is seconds).

            Examples:
              tbdash watch --headless --exit-at-end --json --from earliest
              tbdash watch --headless -b kafka1:9092 -t user_behavior_logs --group team-a
            """)

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Consumer group where offsets are committed and read (never a rebalancing group).")
    var group = "tbdash"

    @Option(help: ArgumentHelp("Where to start partitions with no saved offset: earliest, latest or committed (falling back to latest).", valueName: "position"))
    var from: StartPosition = .committed

    @Flag(help: "No screen: consume and print a summary (or --json) at the end.")
    var headless = false

    @Flag(help: "Stop once every partition has been read to its end.")
    var exitAtEnd = false

    @Flag(help: "Print the final snapshot as JSON on stdout.")
    var json = false

    @Option(help: "Year of the events' (month, day). Default: the current year in --tz.")
    var year: Int?

    @Option(help: "Time zone in which an event's day starts (IANA name).")
    var tz = "Asia/Shanghai"

    @Option(help: "Watermark bound: how far event time may go back without being late.")
    var outOfOrderness = DurationArgument(milliseconds: 300_000)

    @Option(help: "A partition with no record for longer is idle and does not hold back the watermark.")
    var idleTimeout = DurationArgument(milliseconds: 30_000)

    @Option(help: "Fold events into the shown counts every this many events…")
    var batchSize = 10

    @Option(help: "…or this long after a batch's first event, whichever comes first.")
    var batchInterval = DurationArgument(milliseconds: 2_000)

    @Option(help: "Seconds to wait for the brokers' first answer (headless).")
    var connectTimeout = 10

    func validate() throws {
        guard batchSize >= 1 && batchSize <= 100_000 else { throw ValidationError("--batch-size must be between 1 and 100000") }
        guard batchInterval.milliseconds > 0 else { throw ValidationError("--batch-interval must be positive") }
        guard idleTimeout.milliseconds > 0 else { throw ValidationError("--idle-timeout must be positive") }
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be positive") }
        if let year, !(1970...9999).contains(year) { throw ValidationError("--year must be between 1970 and 9999") }
        if TimeZone(identifier: tz) == nil { throw ValidationError("--tz \(tz): unknown time zone (use an IANA name such as Asia/Shanghai)") }
        if exitAtEnd && !headless { throw ValidationError("--exit-at-end needs --headless") }
        if json && !headless { throw ValidationError("--json needs --headless") }
        if !headless { throw ValidationError("the live dashboard needs a terminal; use --headless for now") }
    }

    func aggregationConfig() throws -> AggregationConfig {
        let calendar: EventCalendar
        do {
            calendar = try EventCalendar(year: year ?? currentYear(in: tz), timeZone: tz)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        var config = AggregationConfig(calendar: calendar)
        config.outOfOrdernessMs = outOfOrderness.milliseconds
        config.idleTimeoutMs = idleTimeout.milliseconds
        config.batchSize = batchSize
        config.batchIntervalMs = batchInterval.milliseconds
        return config
    }

    func run() throws {
        let config = try aggregationConfig()
        let consumer = try orFail { try KafkaConsumer(configuration: try kafka.configuration(), group: group) }
        var source = SourceOptions(topic: kafka.topic)
        source.start = from
        source.connectTimeoutMs = Int32(connectTimeout * 1000)
        source.failFast = true
        var options = WatchPipeline.Options(source: source, group: group)
        options.exitAtEnd = exitAtEnd

        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        defer { trap.cancel() }
        let pipeline = WatchPipeline(consumer: consumer, options: options, config: config, stop: stop)
        pipeline.start()
        HeadlessLog(pipeline: pipeline).follow()
        pipeline.waitUntilFinished()
        consumer.close()

        let final = pipeline.snapshot
        if case .failed(let reason) = final.status { throw CommandFailure.runtime(reason) }
        if json {
            print(SnapshotJSON.encode(final.aggregate, calendar: config.calendar))
        } else {
            print(HeadlessLog.summary(final, calendar: config.calendar, group: group))
        }
    }
}

extension StartPosition: ExpressibleByArgument {}

/// The year it is now in `tz`, for the default --year.
func currentYear(in tz: String) -> Int {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: tz) ?? .current
    return calendar.component(.year, from: Date())
}
