import Kafka
import Runtime
import UserBehavior

/// Replays a dataset file into a topic: one JSON message per valid row, keyed by user_id,
/// through an idempotent producer whose delivery reports are counted.
///
/// Runs on one thread at a time (it may be handed to another, as `demo` does).
public final class Replay: @unchecked Sendable {
    public struct Options: Sendable {
        /// Events per second; nil sends as fast as Kafka takes them.
        public var rate: Double?
        /// Start again at the top of the file at its end, until stopped or `limit`.
        public var loop = false
        /// Stop after this many events were sent.
        public var limit: Int?
        /// How long to wait for the brokers to answer at start.
        public var connectTimeoutMs: Int32 = 10_000
        /// After Ctrl-C, how long to wait for messages in flight before dropping them.
        public var interruptFlushMs: Int32 = 10_000

        public init() {}
    }

    public struct Progress: Sendable {
        public var sent = 0
        public var delivered = 0
        public var failed = 0
        public var badRows = 0
        public var elapsedSeconds = 0.0
        /// Share of the current pass read, for an ETA; nil when looping.
        public var fractionRead: Double?
        public var pass = 1
        /// The last error librdkafka reported (e.g. a broker down), for the progress line.
        public var brokerProblem: String?
    }

    public struct Summary: Sendable {
        public var progress = Progress()
        public var interrupted = false
        public var firstFailure: String?
        public var badRows = BadRowReport()

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

        var summary = Summary()
        let start = MonotonicClock.nanoseconds()
        var pacer = options.rate.map { Pacer(eventsPerSecond: $0, startNanoseconds: start) }
        var lastProgress = start
        var json: [UInt8] = []
        json.reserveCapacity(512)
        var key: [UInt8] = []
        key.reserveCapacity(24)
        var done = false

        func report() {
            summary.progress.delivered = producer.delivered
            summary.progress.failed = producer.failed + notQueued
            summary.progress.elapsedSeconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
            summary.progress.fractionRead = options.loop || reader.fileSize == 0
                ? nil : Double(reader.bytesRead) / Double(reader.fileSize)
            summary.progress.brokerProblem = producer.delivered < summary.progress.sent ? producer.lastError : nil
            onProgress(summary.progress)
        }

        while !done {
            var rows = CSVRows(path: reader.path)
            var sentThisPass = 0
            try reader.forEachLine { line in
                if stop.isRequested {
                    done = true
                    return false
                }
                switch try rows.parse(line) {
                case .none:
                    break
                case .bad(let number, let error):
                    summary.progress.badRows += 1
                    if let text = summary.badRows.record(path: reader.path, line: number, error) { onNotice(text) }
                case .event(let event):
                    json.removeAll(keepingCapacity: true)
                    EventJSON.append(event, to: &json)
                    key.removeAll(keepingCapacity: true)
                    EventJSON.appendInteger(event.userID, to: &key)
                    if pacer != nil { wait(for: &pacer!) }
                    guard send(topic: topic, key: key, value: json, summary: &summary) else {
                        done = true
                        return false
                    }
                    sentThisPass += 1
                    if summary.progress.sent & 1023 == 0 { producer.poll(timeoutMs: 0) }
                    if let limit = options.limit, summary.progress.sent >= limit {
                        done = true
                        return false
                    }
                }
                let now = MonotonicClock.nanoseconds()
                if now - lastProgress >= 200_000_000 {
                    lastProgress = now
                    report()
                }
                return true
            }
            // A file with no valid rows would loop forever without sending anything.
            if !options.loop || sentThisPass == 0 { done = true }
            if !done { summary.progress.pass += 1 }
        }

        finish(report: report)
        summary.interrupted = stop.isRequested
        summary.firstFailure = producer.firstFailure
        report()
        return summary
    }

    /// Queues one message, waiting while librdkafka's queue is full. False when stopped.
    private func send(topic: KafkaTopic, key: [UInt8], value: [UInt8], summary: inout Summary) -> Bool {
        while true {
            let result = key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in producer.produce(to: topic, key: k, value: v) }
            }
            switch result {
            case .queued:
                summary.progress.sent += 1
                return true
            case .queueFull:
                producer.poll(timeoutMs: 10)
                if stop.isRequested { return false }
            case .failed(let reason):
                // Not queued at all (e.g. message too large): it counts as not delivered.
                summary.progress.sent += 1
                notQueued += 1
                onNotice("message not queued: \(reason)")
                return true
            }
        }
    }

    private func wait(for pacer: inout Pacer) {
        while true {
            let delay = pacer.delay(now: MonotonicClock.nanoseconds())
            if delay == 0 || stop.isRequested { break }
            if delay > 2_000_000 {
                // Serve delivery reports while waiting.
                producer.poll(timeoutMs: Int32(min(delay / 1_000_000 - 1, 100)))
            } else {
                MonotonicClock.sleep(nanoseconds: delay)
            }
        }
        pacer.recordSent()
    }

    /// Waits for what is in flight. After Ctrl-C the wait is bounded, and a second Ctrl-C
    /// drops what is left at once; dropped messages are counted as not delivered.
    private func finish(report: () -> Void) {
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
