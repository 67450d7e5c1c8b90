import Foundation
import Kafka
import Runtime
import Synchronization
import UserBehavior

/// Replays a dataset file into a topic: one JSON message per valid row, keyed by user_id
/// and stamped with its event time, through an idempotent producer whose delivery reports
/// are counted. In file order, or sorted by event day and paced (`EventTimeOrder`).
///
/// Runs on one thread at a time (it may be handed to another, as `demo` does).
public final class Replay: @unchecked Sendable {
    public struct Options: Sendable {
        /// Events per second; nil sends as fast as Kafka takes them.
        public var rate: Double?
        /// Start again at the top of the file (or the first day) at its end, until stopped or `limit`.
        public var loop = false
        /// Stop after this many events were sent.
        public var limit: Int?
        /// How long to wait for the brokers to answer at start.
        public var connectTimeoutMs: Int32 = 10_000
        /// After Ctrl-C, how long to wait for messages in flight before dropping them.
        public var interruptFlushMs: Int32 = 10_000
        /// Gives each record its timestamp: its own event time, or the start of its
        /// (month, day) in this calendar.
        public var calendar: EventCalendar
        /// The file's shape; nil decides from its first line.
        public var format: InputShape?
        /// Tmall's users (`--users`), for the join with its user log.
        public var users: UserTable?
        /// Send in event-time order; nil sends in file order.
        public var eventTimeOrder: EventTimeOrder?
        /// Stamp every record with the time it is sent instead of the start of its event
        /// day: nothing is old to the broker's retention, and nothing can be found by day.
        public var stampsSendTime = false
        /// Give every record a send stamp header (`SendStamp`) for a latency trace.
        public var sendStamps = false
        /// The brokers delete records stamped before this (ms since 1970, from the topic's
        /// retention): the first row older than it stops the replay before it is sent.
        public var oldestKept: Int64?
        /// Read and encode rows on a thread of their own, beside the one that calls
        /// librdkafka — worth it with a core to spare for it. With two, one thread does
        /// both, as kcat does: handing every message from one core to the other cost more
        /// CPU than the parsing (BENCHMARKS.md).
        public var parsesOnItsOwnThread = ProcessInfo.processInfo.activeProcessorCount > 2

        public init(calendar: EventCalendar) {
            self.calendar = calendar
        }
    }

    public struct Progress: Sendable {
        public var sent = 0
        public var delivered = 0
        public var failed = 0
        public var badRows = 0
        public var elapsedSeconds = 0.0
        /// Share of the file read, for an ETA; nil when looping or sending in event time.
        public var fractionRead: Double?
        public var pass = 1
        /// The last error librdkafka reported (e.g. a broker down), for the progress line.
        public var brokerProblem: String?
        /// Event time: the file is being sorted into days; nothing is sent yet.
        public var sortingByDay = false
        /// Event time: the day being sent (`2026-11-11`), or nil for rows with no date.
        public var eventDay: String?
        /// Event time: days still to send in this pass, after `eventDay`.
        public var daysLeft: Int?
    }

    public struct Summary: Sendable {
        public var progress = Progress()
        public var interrupted = false
        public var firstFailure: String?
        public var badRows = BadRowReport()
        /// Event time with `--no-date skip`: valid rows left out (per pass).
        public var undatedSkipped = 0
        /// The event day (`2026-05-11`) of the row that stopped the replay because the
        /// topic's retention would delete it at once; it and the rows after it were not sent.
        public var tooOldDay: String?

        /// Every valid row that was read was delivered.
        public var allDelivered: Bool { progress.failed == 0 && progress.delivered == progress.sent }
    }

    private let reader: CSVFileReader
    private let producer: KafkaProducer
    private let topicName: String
    private let options: Options
    private let stop: StopFlag
    /// Messages librdkafka refused to queue (e.g. too large): never delivered.
    private var notQueued = 0
    // Touched per message: kept free of dynamic exclusivity checks.
    @exclusivity(unchecked) private var summary = Summary()
    @exclusivity(unchecked) private var ratePacer: Pacer?
    private var startNanoseconds: Int64 = 0
    private var lastProgress: Int64 = 0
    private var bytesRead = 0

    /// Lines to show the user now (bad rows among the first few).
    public var onNotice: (String) -> Void = { _ in }
    /// Called about five times a second while running.
    public var onProgress: (Progress) -> Void = { _ in }

    public init(reader: CSVFileReader, producer: KafkaProducer, topic: String, options: Options, stop: StopFlag) {
        self.reader = reader
        self.producer = producer
        self.topicName = topic
        self.options = options
        self.stop = stop
    }

    /// Sends the file; throws `KafkaError.unreachable` within the connect bound, or a
    /// `ProducerError` for an unusable file. Returns what was and was not delivered.
    public func run() throws -> Summary {
        let topic = producer.topic(topicName)
        _ = try producer.partitionCount(of: topic, timeoutMs: options.connectTimeoutMs)

        startNanoseconds = MonotonicClock.nanoseconds()
        lastProgress = startNanoseconds
        ratePacer = options.rate.map { Pacer(eventsPerSecond: $0, startNanoseconds: startNanoseconds) }
        if let order = options.eventTimeOrder {
            try replayInEventTime(order, topic: topic)
        } else {
            try forEachBatch(loop: options.loop) { batch in
                if let oldest = options.oldestKept,
                   let old = batch.messages.first(where: { $0.timestampMs != 0 && $0.timestampMs < oldest }) {
                    // Not one row of this batch is sent: it would be deleted, and
                    // "delivered" would be a lie.
                    summary.tooOldDay = old.daySlot == DayBuckets.undated
                        ? options.calendar.isoString(milliseconds: old.timestampMs) : options.calendar.dayKey(old.daySlot)
                    return false
                }
                for index in 0..<batch.messages.count {
                    let timestamp = options.stampsSendTime ? 0 : batch.messages[index].timestampMs
                    let sent = batch.withMessage(index) { key, value in
                        sendWhenDue(topic: topic, key: key, value: value, timestampMs: timestamp, due: nil)
                    }
                    if !sent { return false }
                }
                return true
            }
        }
        finish()
        summary.interrupted = stop.isRequested
        summary.firstFailure = producer.firstFailure
        report()
        return summary
    }

    private func report() {
        summary.progress.delivered = producer.delivered
        summary.progress.failed = producer.failed + notQueued
        summary.progress.elapsedSeconds = Double(MonotonicClock.nanoseconds() - startNanoseconds) / 1e9
        let readingOnce = summary.progress.sortingByDay || (!options.loop && options.eventTimeOrder == nil)
        summary.progress.fractionRead = readingOnce && reader.fileSize > 0 ? Double(bytesRead) / Double(reader.fileSize) : nil
        summary.progress.brokerProblem = producer.delivered < summary.progress.sent ? producer.lastError : nil
        onProgress(summary.progress)
    }

    /// Reports at most five times a second; reads the clock only when asked to.
    private func reportNow() {
        let now = MonotonicClock.nanoseconds()
        if now - lastProgress >= 200_000_000 {
            lastProgress = now
            report()
        }
    }

    /// Reads the file with a `RowEncoder` (on this thread or its own) and hands each batch
    /// to `body` until the file ends, `body` returns false or the replay is stopped. Bad
    /// rows are counted and reported on the way; delivery reports are served while a pipe
    /// has nothing to read.
    private func forEachBatch(loop: Bool, _ body: (EncodedBatch) throws -> Bool) throws {
        let encoder = RowEncoder(reader: reader, calendar: options.calendar, format: options.format, users: options.users,
                                 loop: loop, stop: stop)
        func deliver(_ batch: EncodedBatch) throws -> Bool {
            for (line, error) in batch.badRows {
                summary.progress.badRows += 1
                if let text = summary.badRows.record(path: reader.name, line: line, error) { onNotice(text) }
            }
            guard try body(batch) else { return false }
            bytesRead = batch.bytesRead
            summary.progress.pass = batch.pass
            batch.reset()
            return true
        }
        func serveDeliveryReports() {
            producer.poll(timeoutMs: 0)
            reportNow()
        }
        guard options.parsesOnItsOwnThread else {
            try encoder.run(first: EncodedBatch(), send: { try deliver($0) ? $0 : nil }, idle: serveDeliveryReports)
            return
        }

        let pipe = RecyclingPipe<EncodedBatch, EncodedBatch>(depth: 4, spare: 1) { EncodedBatch() }
        let failure = Mutex<Error?>(nil)
        let encoding = WorkerThread.start(name: "tbdash-encoder") {
            defer { pipe.queue.close() }
            guard let first = pipe.pool.take(timeoutMs: nil) else { return }
            do { try encoder.run(first: first, send: { pipe.exchange($0) }, idle: {}) } catch let error {
                failure.withLock { $0 = error }
            }
        }
        do {
            defer {
                // Stop the encoder (at the end, the limit, Ctrl-C or an error) and wait: it reads our file.
                pipe.close()
                encoding.join()
            }
            while !stop.isRequested {
                guard let batch = pipe.queue.take(timeoutMs: 100) else {
                    if pipe.queue.isFinished { break }
                    serveDeliveryReports()
                    continue
                }
                guard try deliver(batch) else { break }
                pipe.pool.put(batch)
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Sorts the file into day buckets (one pass, bounded memory), then sends day after
    /// day, paced; with `loop`, again from the first day with the same timestamps. A row
    /// with its own timestamp is due when event time reaches it; a day-resolution row's
    /// day is spread evenly over the day's rows.
    private func replayInEventTime(_ order: EventTimeOrder, topic: KafkaTopic) throws {
        let buckets = DayBuckets(directory: order.temporaryDirectory)
        let calendar = options.calendar
        summary.progress.sortingByDay = true
        /// The earliest event time of a dated row: where the pass's event time starts.
        var firstEventMs = Int64.max
        try forEachBatch(loop: false) { batch in
            for index in 0..<batch.messages.count {
                let message = batch.messages[index]
                let own = message.isTimestamped ? message.timestampMs : nil
                if message.daySlot != DayBuckets.undated {
                    firstEventMs = min(firstEventMs, own ?? calendar.startOfDay(dayIndex: message.daySlot)!)
                }
                try batch.withMessage(index) { key, value throws(ProducerError) in
                    try buckets.append(slot: message.daySlot, key: key, value: value, timestampMs: own)
                }
            }
            reportNow()
            return true
        }
        guard !stop.isRequested else { return }
        try buckets.finishWriting()
        bytesRead = reader.fileSize
        summary.progress.sortingByDay = false

        let days = buckets.datedSlots
        let undated = buckets.counts[DayBuckets.undated]
        if order.undated == .skip { summary.undatedSkipped = undated }
        let sendsUndated = order.undated != .skip && undated > 0
        guard !days.isEmpty || sendsUndated else { return }
        if let oldest = options.oldestKept, let first = days.first, firstEventMs < oldest {
            // Sorted: the oldest day is known before anything is sent.
            summary.tooOldDay = calendar.dayKey(first)
            return
        }

        /// Rows with no date: in file order, paced only by --rate, stamped with the send
        /// time (or their own timestamp, in another year).
        func sendUndated() throws -> Bool {
            guard sendsUndated else { return true }
            summary.progress.eventDay = nil
            summary.progress.daysLeft = nil
            return try buckets.forEachMessage(in: DayBuckets.undated) { key, value, own in
                sendWhenDue(topic: topic, key: key, value: value, timestampMs: options.stampsSendTime ? 0 : own ?? 0, due: nil)
            }
        }

        var pass = 1
        repeat {
            summary.progress.pass = pass
            if order.undated == .first, try !sendUndated() { return }
            let schedule = order.nanosecondsPerEventMillisecond.flatMap { pace in
                days.isEmpty ? nil : EventTimeSchedule(nanosecondsPerEventMillisecond: pace,
                                                       passStartNanoseconds: MonotonicClock.nanoseconds(),
                                                       firstEventMs: firstEventMs)
            }
            for (position, day) in days.enumerated() {
                let dayMs = calendar.startOfDay(dayIndex: day)!
                let rows = buckets.counts[day]
                summary.progress.eventDay = calendar.dayKey(day)
                summary.progress.daysLeft = days.count - position - 1
                var row = 0
                let finished = try buckets.forEachMessage(in: day) { key, value, own in
                    let due = own.map { schedule?.due(eventMs: $0) } ?? schedule?.due(dayMs: dayMs, row: row, of: rows)
                    row += 1
                    return sendWhenDue(topic: topic, key: key, value: value,
                                       timestampMs: options.stampsSendTime ? 0 : own ?? dayMs, due: due)
                }
                guard finished else { return }
            }
            if order.undated == .last, try !sendUndated() { return }
            guard options.loop else { return }
            // The last day lasts its full length before the first comes again.
            if let schedule, let last = days.last, !waitUntil(schedule.end(ofDayAt: calendar.startOfDay(dayIndex: last)!)) { return }
            pass += 1
        } while !stop.isRequested
    }

    /// Sends one message once it is due (at `due`, in monotonic nanoseconds, and by the
    /// --rate cap). False when stopped while waiting or sending, or at the limit.
    @inline(__always)
    private func sendWhenDue(topic: KafkaTopic, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                             timestampMs: Int64, due: Int64?) -> Bool {
        if due != nil || ratePacer != nil {
            // Stopped while waiting for its turn: the row is not sent, nor the rest (at
            // --rate 10 a batch is minutes of rows).
            guard waitUntil(due ?? 0) else { return false }
            ratePacer?.recordSent()
        }
        guard send(topic: topic, key: key, value: value, timestampMs: timestampMs) else { return false }
        if let limit = options.limit, summary.progress.sent >= limit { return false }
        // Delivery reports, and the clock, every 256 messages: per message they cost
        // more than the message itself.
        if summary.progress.sent & 255 == 0 {
            producer.poll(timeoutMs: 0)
            reportNow()
        }
        return true
    }

    /// Queues one message, waiting while librdkafka's queue is full. False when stopped.
    private func send(topic: KafkaTopic, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) -> Bool {
        let result = if options.sendStamps {
            SendStamp.withHeader(WallClock.nanoseconds()) { stamp in
                producer.produce(to: topic, key: key, value: value, timestampMs: timestampMs, header: stamp, waitingUnless: stop)
            }
        } else {
            producer.produce(to: topic, key: key, value: value, timestampMs: timestampMs, waitingUnless: stop)
        }
        switch result {
        case .queued:
            summary.progress.sent += 1
            return true
        case .queueFull:
            return false
        case .failed(let reason):
            // Not queued at all (e.g. message too large): it counts as not delivered.
            summary.progress.sent += 1
            notQueued += 1
            onNotice("message not queued: \(reason)")
            return true
        }
    }

    /// Waits until monotonic time `due` and the --rate pacer's next slot; false when
    /// stopped first. Delivery reports and the progress line are served meanwhile.
    private func waitUntil(_ due: Int64) -> Bool {
        while true {
            if stop.isRequested { return false }
            let now = MonotonicClock.nanoseconds()
            let delay = max(due - now, ratePacer?.delay(now: now) ?? 0)
            if delay <= 0 { return true }
            if delay > 2_000_000 {
                producer.poll(timeoutMs: Int32(min(delay / 1_000_000 - 1, 100)))
                reportNow()
            } else {
                MonotonicClock.sleep(nanoseconds: delay)
            }
        }
    }

    /// Waits for what is in flight. After Ctrl-C the wait is bounded, and a second Ctrl-C
    /// drops what is left at once; dropped messages are counted as not delivered.
    private func finish() {
        var interruptedAt: Int64?
        while producer.inFlight > 0 {
            _ = producer.flush(timeoutMs: 200)
            report()
            if stop.isRequested {
                let now = MonotonicClock.nanoseconds()
                if interruptedAt == nil { interruptedAt = now }
                let waited = (now - interruptedAt!) / 1_000_000
                if stop.requestCount > 1 || waited >= Int64(options.interruptFlushMs) {
                    producer.purge()
                    _ = producer.flush(timeoutMs: 1000)
                    break
                }
            }
        }
        producer.poll(timeoutMs: 0)
    }
}
