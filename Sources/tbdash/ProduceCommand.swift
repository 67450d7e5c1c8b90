import ArgumentParser
import Formatting
import Kafka
import Producer
import Runtime

struct ProduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Replay a dataset file into a Kafka topic, one JSON message per row.",
        discussion: """
            Each valid row becomes a JSON object with the header's field names, keyed by \
            user_id, sent by librdkafka's idempotent producer (no duplicates on retry). \
            Rows that are not valid records are skipped and reported with their line number; \
            the rest keep flowing. A live progress line shows on a terminal.

            FILE may be a pipe or a FIFO (read once, as it comes), or - for standard input.

            Shapes (--format, else told by the first line's header or column count): seed, \
            the seed's 11-column CSV, with an optional timestamp column when its header \
            names one (Unix s or ms, or ISO-8601 with an offset); userbehavior, Taobao's \
            UserBehavior.csv (user_id,item_id,category_id,behavior,timestamp: pv, buy, cart, \
            fav; Unix seconds; no age, gender, province, merchant or brand); tmall, Tmall's \
            user_log_format1.csv (user_id,item_id,cat_id,seller_id,brand_id,time_stamp MMDD, \
            action_type), joined with --users user_info_format1.csv for age and gender (a \
            user it does not list, or a NULL field, is unknown; the join holds 8 bytes a \
            user, at most --users-max); json, JSON lines with the field names of any of \
            these or the canonical message. Province unknown where a shape lacks it. A \
            timestamped row's record timestamp is its event time.

            Every record's Kafka timestamp is its event time: the start of (--year, month, \
            day) in --tz, as watch counts it (a row whose date does not exist gets the send \
            time). So `watch --from 2026-11-11` and `kcat -o s@…` find days.

            Those days are in the past, and a broker deletes records stamped longer ago \
            than the topic's retention.ms (Kafka's default: 7 days) as soon as it can. So \
            produce reads the topic's retention first (DescribeConfigs) and refuses rows \
            that it would delete, before sending them, with one line naming the day and \
            the fixes. A topic that does not exist yet is created with --partitions and \
            retention.ms=-1 (kept forever). --timestamps send-time stamps records with the \
            time they are sent instead: any topic keeps them, but days cannot be found by \
            time any more (watch --from DATE). The embedded broker deletes by size only.

            --event-time sends the rows in event-time order instead of file order: the \
            file is first sorted by day into one temporary file (in $TMPDIR, deleted as \
            soon as created, so nothing is left behind however the replay ends; memory \
            stays small whatever the file's size), then sent day after day, a day's rows \
            in file order and spread over --day-seconds (or at --speedup × real time); \
            a row with a timestamp is sent when event time reaches it, no earlier than \
            (timestamp − first timestamp) / --speedup after the start (a day's rows are \
            not sorted within it: sort a user-grouped file by time first); \
            --rate still caps the rows per second. Rows with no date go last, first, or \
            nowhere (--no-date). With --loop the replay starts again at the first day with \
            the same timestamps: to a consumer the second pass is a replay of the past, \
            and its events are late.

            --stamp gives every record a header tbdash-sent-ns, the wall-clock time it was \
            queued in nanoseconds, for `watch --trace` to measure send-to-visible latency \
            (doc/performance.md).

            Exit status: 0 when every valid row was delivered, 1 when the broker cannot be \
            reached, a message was not delivered or not a single row was valid, 2 for usage \
            errors or an unreadable file, 130 when stopped by Ctrl-C, SIGTERM or SIGHUP \
            (what was in flight is flushed and reported first).

            Examples:
              tbdash produce data/sample.csv
              tbdash produce data/sample.csv --rate 500 --loop
              tbdash produce data/sample.csv --event-time --day-seconds 5
              tbdash produce UserBehavior.csv --event-time --speedup 60
              tbdash produce user_log_format1.csv --users user_info_format1.csv
              tbdash produce events.jsonl --format json
              tbdash produce big.csv -b kafka1:9092 -X compression.type=lz4
              tbdash produce data/sample.csv -b kafka1:9092 -t events --partitions 16
              tbdash produce data/sample.csv -b kafka1:9092 -t week-topic --timestamps send-time
              tbdash produce data/sample.csv --rate 1000 --loop --stamp
              zcat big.csv.gz | tbdash produce -
            """)

    @OptionGroup var kafka: KafkaOptions

    @Argument(help: "The dataset file, or - for standard input (seed header user_id,item_id,cat_id,merchant_id,brand_id,month,day,action,age_range,gender,province; other shapes: see --format).")
    var file: String

    @Option(help: ArgumentHelp("The file's shape: seed, userbehavior, tmall or json (default: told by its first line).", valueName: "shape"))
    var format: InputShape?

    @Option(help: "tmall: Tmall's user_info_format1.csv (user_id,age_range,gender), joined by user_id for age and gender.")
    var users: String?

    @Option(help: "tmall: the most users --users may list, 1 to 100000000; 8 bytes each are held. (default: 4000000)",
            transform: NumericOption.wholeNumber(1...100_000_000))
    var usersMax = UserTable.defaultMaxUsers

    @Option(help: "Events per second, 0.001 to 1000000000 (default: as fast as Kafka takes them).", transform: NumericOption.rate)
    var rate: Double?

    @Flag(help: "Start over at the end of the file, until Ctrl-C or --limit (a regular file only).")
    var loop = false

    @Option(help: "Stop after sending this many events.", transform: NumericOption.wholeNumber(1...Int.max))
    var limit: Int?

    @Option(help: "How long to wait for the brokers to answer before giving up, 1s to 1d. (default: 10s)", transform: DurationArgument.connectTimeout)
    var connectTimeout = DurationArgument.defaultConnectTimeout

    @Flag(help: "Send the rows in event-time order, day after day, paced (see below).")
    var eventTime = false

    @Option(help: "With --event-time: wall-clock time one event day takes, 0 (no pacing) to 1d. (default: 10s)",
            transform: NumericOption.daySeconds)
    var daySeconds: Double?

    @Option(help: "With --event-time: event time runs this many times faster than real time, 0.001 to 1000000000 (instead of --day-seconds).",
            transform: NumericOption.speedup)
    var speedup: Double?

    @Option(help: ArgumentHelp("With --event-time: where rows whose date does not exist go: first, last or skip. (default: last)",
                               valueName: "placement"))
    var noDate: EventTimeOrder.UndatedRows?

    @Option(help: ArgumentHelp("Each record's Kafka timestamp: event-day (the start of its day, so days can be found by time) or send-time (any retention keeps it). (default: event-day)",
                               valueName: "stamp"))
    var timestamps: RecordTimestamps?

    @Option(help: "Partitions of the topic when produce creates it (only when it does not exist), 1 to 10000. (default: 8)",
            transform: NumericOption.wholeNumber(1...10_000))
    var partitions = 8

    @Flag(help: "Give every record a send-stamp header (tbdash-sent-ns) for watch --trace.")
    var stamp = false

    @OptionGroup(title: "Event time") var eventTimeOptions: EventTimeOptions

    func validate() throws {
        if !eventTime {
            for (given, name) in [(daySeconds != nil, "--day-seconds"), (speedup != nil, "--speedup"), (noDate != nil, "--no-date")] where given {
                throw ValidationError("\(name) needs --event-time")
            }
        }
        if let format, users != nil, format != .tmall, format != .json { throw ValidationError("--users joins Tmall's user log only (--format tmall)") }
        if daySeconds != nil && speedup != nil { throw ValidationError("--day-seconds and --speedup are two ways to say the same thing: give one") }
    }

    func run() throws {
        let reader: CSVFileReader
        do {
            reader = try CSVFileReader(path: file)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        var userTable: UserTable?
        if let users {
            do {
                userTable = try UserTable(path: users, maxUsers: usersMax)
            } catch {
                throw CommandFailure.usage(error.description)
            }
            for notice in userTable!.notices { StandardError.write(notice + "\n") }
            if let remainder = userTable!.badRows.remainder { StandardError.write(remainder + "\n") }
            if userTable!.duplicates > 0 {
                StandardError.write("\(users): \(userTable!.duplicates) user_ids listed more than once (one row each is used)\n")
            }
        }
        let calendar = try eventTimeOptions.calendar()
        do {
            try ShapeCheck.firstLine(of: reader, format: format, users: userTable, calendar: calendar)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        // Sorted into the day file, even a pipe can be replayed again.
        if loop && !reader.isRewindable && !eventTime {
            throw CommandFailure.usage("--loop needs a regular file; \(reader.name) is a pipe, FIFO or terminal and can be read only once")
        }
        let configuration = try kafka.configuration(defaults: ProducerDefaults.properties)
        let producer = try orFail { try KafkaProducer(configuration: configuration) }
        let stampsSendTime = timestamps == .sendTime
        let retention = try prepareTopic(producer, checksRetention: !stampsSendTime)

        var options = Replay.Options(calendar: calendar)
        if eventTime {
            let pace = speedup.map(EventTimeOrder.pace(speedup:)) ?? EventTimeOrder.pace(daySeconds: daySeconds ?? 10)
            var order = EventTimeOrder(nanosecondsPerEventMillisecond: pace, temporaryDirectory: Environment.value("TMPDIR") ?? "/tmp")
            order.undated = noDate ?? .last
            options.eventTimeOrder = order
        }
        options.format = format
        options.users = userTable
        options.stampsSendTime = stampsSendTime
        options.sendStamps = stamp
        // A record must outlive its sending by an hour at least, not vanish at once.
        options.oldestKept = retention?.oldestKept(nowMs: WallClock.milliseconds() + 3_600_000)
        options.rate = rate
        options.loop = loop
        options.limit = limit
        options.connectTimeoutMs = connectTimeout.timeoutMs

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
            switch error {
            case .temporaryFiles, .tooManyOpenFiles: throw CommandFailure.runtime(error.description)
            default: throw CommandFailure.usage(error.description)
            }
        }
        progress.clear()
        if let remainder = summary.badRows.remainder { StandardError.write(remainder + "\n") }
        if let day = summary.tooOldDay, let retention, summary.progress.sent == 0 {
            throw CommandFailure.runtime(RetentionRefusal.text(topic: kafka.topic, retention: retention, day: day, sentBefore: 0))
        }
        StandardError.write(SummaryLine.text(summary, file: reader.name, topic: kafka.topic, brokers: configuration.brokers) + "\n")

        if !summary.allDelivered {
            let missing = summary.progress.sent - summary.progress.delivered
            throw CommandFailure.runtime(
                "\(missing) of \(summary.progress.sent) messages were not delivered"
                    + (summary.firstFailure.map { " (\($0))" } ?? ""))
        }
        if let day = summary.tooOldDay, let retention {
            throw CommandFailure.runtime(RetentionRefusal.text(topic: kafka.topic, retention: retention, day: day,
                                                               sentBefore: summary.progress.sent))
        }
        if summary.interrupted { throw ExitCode(130) }
        if summary.progress.sent == 0 && summary.progress.badRows > 0 {
            throw CommandFailure.runtime("not a single valid row in \(reader.name) (\(summary.progress.badRows) bad rows skipped)")
        }
    }

    /// Creates the topic when it does not exist (kept forever: its records' timestamps are
    /// event days, long past) and reads its retention; nil when it deletes nothing by time
    /// or the brokers do not say (the embedded broker has neither CreateTopics nor
    /// DescribeConfigs, and deletes by size only).
    private func prepareTopic(_ producer: KafkaProducer, checksRetention: Bool) throws -> TopicRetention? {
        let timeoutMs = connectTimeout.timeoutMs
        let exists = try orFail { try producer.topicExists(kafka.topic, timeoutMs: timeoutMs) }
        // Asked, the embedded broker would keep each request waiting out its bound; it creates
        // a topic when asked about it, with its own partition count, which is said.
        guard !MockCluster.isMock(clusterID: producer.clusterID(timeoutMs: timeoutMs)) else {
            if !exists {
                let created = try orFail { try producer.partitionCount(of: producer.topic(kafka.topic), timeoutMs: timeoutMs) }
                StandardError.write("topic \(kafka.topic) did not exist: the embedded broker created it with \(created) partitions "
                                    + "(`tbdash broker -t \(kafka.topic) --partitions N` creates it with N)\n")
            }
            return nil
        }
        if !exists {
            do {
                if try producer.createTopic(kafka.topic, partitions: partitions, config: ["retention.ms": "-1"], timeoutMs: timeoutMs) {
                    StandardError.write("created topic \(kafka.topic): \(partitions) partitions, retention.ms=-1 "
                                        + "(records are kept whatever their timestamps; event days are long past)\n")
                }
            } catch {
                StandardError.write("warning: topic \(kafka.topic) not created (\(error)); the brokers create it on first use, "
                                    + "with their default partitions and retention\n")
            }
        }
        guard checksRetention else { return nil }
        do {
            guard let retention = try producer.retention(ofTopic: kafka.topic, timeoutMs: timeoutMs),
                  retention.oldestKept(nowMs: 0) != nil else { return nil }
            return retention
        } catch {
            StandardError.write("warning: cannot read the retention of topic \(kafka.topic) (\(error)); "
                                + "records stamped longer ago than it are deleted by the broker\n")
            return nil
        }
    }
}

/// Which timestamp each record carries.
enum RecordTimestamps: String, ExpressibleByArgument, CaseIterable {
    case eventDay = "event-day"
    case sendTime = "send-time"
}

/// The line that refuses rows a topic's retention would delete at once.
enum RetentionRefusal {
    static func text(topic: String, retention: TopicRetention, day: String, sentBefore: Int) -> String {
        let kept = retention.retentionMs.map(duration) ?? "forever"
        return "topic \(topic) deletes records stamped more than \(kept) ago (retention.ms=\(retention.retentionMs ?? -1)), "
            + "and rows of event day \(day) are older: "
            + (sentBefore == 0 ? "nothing was sent" : "the \(Format.grouped(sentBefore)) rows before them were sent, none after")
            + "; produce into a topic that keeps them (retention.ms=-1, as produce creates a new topic), "
            + "or pass --timestamps send-time (then watch --from DATE cannot find days)"
    }

    /// 7 days, 36 hours, 90 minutes or 1500 ms: the largest unit that divides it.
    static func duration(_ ms: Int64) -> String {
        for (unit, name) in [(Int64(86_400_000), "day"), (3_600_000, "hour"), (60_000, "minute"), (1000, "second")]
        where ms >= unit && ms % unit == 0 {
            return "\(ms / unit) \(name)\(ms / unit == 1 ? "" : "s")"
        }
        return "\(ms) ms"
    }
}

extension EventTimeOrder.UndatedRows: ExpressibleByArgument {}
extension InputShape: ExpressibleByArgument {}
