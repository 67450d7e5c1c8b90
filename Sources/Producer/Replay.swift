import Foundation
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
    ///
    /// A `RowEncoder` thread parses and encodes; this thread paces and produces.
    public func run() throws -> Summary {
        let topic = producer.topic(topicName)
        _ = try producer.partitionCount(of: topic, timeoutMs: options.connectTimeoutMs)

        var summary = Summary()
        let start = MonotonicClock.nanoseconds()
        var pacer = options.rate.map { Pacer(eventsPerSecond: $0, startNanoseconds: start) }
        var lastProgress = start
        var bytesRead = 0

        func report() {
            summary.progress.delivered = producer.delivered
            summary.progress.failed = producer.failed + notQueued
            summary.progress.elapsedSeconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
            summary.progress.fractionRead = options.loop || reader.fileSize == 0
                ? nil : Double(bytesRead) / Double(reader.fileSize)
            summary.progress.brokerProblem = producer.delivered < summary.progress.sent ? producer.lastError : nil
            onProgress(summary.progress)
        }

        let encoder = RowEncoder(reader: reader, loop: options.loop, stop: stop)
        let encoderDone = DispatchSemaphore(value: 0)
        Thread {
            encoder.run()
            encoderDone.signal()
        }.start()

        sending: while !stop.isRequested {
            guard let batch = encoder.queue.take(timeoutMs: 100) else {
                if encoder.queue.isFinished { break }
                continue
            }
            for (line, error) in batch.badRows {
                summary.progress.badRows += 1
                if let text = summary.badRows.record(path: reader.name, line: line, error) { onNotice(text) }
            }
            for index in 0..<batch.messages.count {
                // Stopped while waiting for its turn: the row is not sent, nor the rest of the
                // batch (at --rate 10 a batch is minutes of rows).
                if pacer != nil && !wait(for: &pacer!) { break sending }
                let sent = batch.withMessage(index) { key, value in send(topic: topic, key: key, value: value, summary: &summary) }
                if !sent || options.limit.map({ summary.progress.sent >= $0 }) == true { break sending }
                // Delivery reports, and the clock, every 256 messages: per message they
                // cost more than the message itself.
                if summary.progress.sent & 255 == 0 {
                    producer.poll(timeoutMs: 0)
                    let now = MonotonicClock.nanoseconds()
                    if now - lastProgress >= 200_000_000 {
                        lastProgress = now
                        report()
                    }
                }
            }
            bytesRead = batch.bytesRead
            summary.progress.pass = batch.pass
            batch.reset()
            encoder.pool.put(batch)
        }
        // Stop the encoder (at the end, the limit or Ctrl-C) and wait: it reads our file.
        encoder.queue.close()
        encoder.pool.close()
        encoderDone.wait()
        if let failure = encoder.failure { throw failure }

        finish(report: report)
        summary.interrupted = stop.isRequested
        summary.firstFailure = producer.firstFailure
        report()
        return summary
    }

    /// Queues one message, waiting while librdkafka's queue is full. False when stopped.
    private func send(topic: KafkaTopic, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, summary: inout Summary) -> Bool {
        while true {
            let result = producer.produce(to: topic, key: key, value: value)
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

    /// Waits until the next row is due; false when stopped first.
    private func wait(for pacer: inout Pacer) -> Bool {
        while true {
            if stop.isRequested { return false }
            let delay = pacer.delay(now: MonotonicClock.nanoseconds())
            if delay == 0 { break }
            if delay > 2_000_000 {
                // Serve delivery reports while waiting.
                producer.poll(timeoutMs: Int32(min(delay / 1_000_000 - 1, 100)))
            } else {
                MonotonicClock.sleep(nanoseconds: delay)
            }
        }
        pacer.recordSent()
        return true
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
