import HTTPServing
import Ingest
import Kafka
import Runtime
import Synchronization
import UserBehavior

/// The thin shell around ingest's pure pieces: HTTP requests in (on the server's one
/// event-loop thread: route, split, decode, admit), events out to Kafka and delivery
/// reports back (on the producing thread), answers out through each request's `HTTPReply`.
///
/// Memory, bounded by configuration (doc/ingest.md has the arithmetic): bodies being read
/// or decoded, at most `maxConnections × maxBodyBytes`; events admitted and not reported,
/// at most `maxOutstandingEvents`, each held once in librdkafka's queue (≤ 344 bytes of key
/// and message plus its ~200 bytes of overhead) and, until the producing thread takes it,
/// once in a batch here.
final class IngestService: @unchecked Sendable {
    /// One admitted request's encoded events, waiting for the producing thread.
    private struct Batch {
        let tag: Int
        /// Keys and messages, back to back.
        var bytes: [UInt8] = []
        var events: [(key: Range<Int>, value: Range<Int>, timestampMs: Int64)] = []
    }

    private struct Waiting {
        let reply: HTTPReply
        let startNs: Int64
        let headers: [IngestAnswer.Header]
        let accepted: Int
    }

    private struct Shared {
        var core: GroupCommit
        var metrics = IngestMetrics()
        var waiting: [Int: Waiting] = [:]
        var queue: [Batch] = []
    }

    private let shared: Mutex<Shared>
    private let route: IngestRoute
    private let producer: KafkaProducer
    private let topic: KafkaTopic
    private let decoder = DecoderOfTheLoop()
    private let tally: DeliveryTally

    init(route: IngestRoute, limits: GroupCommit.Limits, configuration: KafkaConfiguration, topic: String) throws(KafkaError) {
        let tally = DeliveryTally()
        self.tally = tally
        self.route = route
        producer = try KafkaProducer(configuration: configuration) { tag, failure in tally.add(tag: tag, delivered: failure == nil) }
        self.topic = producer.topic(topic)
        shared = Mutex(Shared(core: GroupCommit(limits: limits)))
    }

    /// Asks the brokers for the topic within the bound: a clear line at start instead of
    /// 503s later.
    func checkKafka(timeoutMs: Int32) throws(KafkaError) {
        _ = try producer.partitionCount(of: topic, timeoutMs: timeoutMs)
    }

    // MARK: The event loop's side

    func handle(_ request: HTTPRequest, reply: HTTPReply) {
        let startNs = MonotonicClock.nanoseconds()
        switch route.decide(method: request.method, path: request.path, headers: request.headers) {
        case .answer(let answer):
            send(answer, to: reply, latencyFrom: nil)
        case .health:
            let healthy = shared.withLock { $0.core.isHealthy(nowMs: startNs / 1_000_000) }
            send(healthy ? IngestAnswer(status: 200, headers: [.init("Content-Type", "text/plain; charset=utf-8")], body: "ok\n")
                         : .error(503, "Kafka unreachable or the queue is full", retryAfterSeconds: 1),
                 to: reply, latencyFrom: nil)
        case .metrics:
            let text = shared.withLock { state in
                state.metrics.exposition(outstandingEvents: state.core.outstandingEvents, maxOutstandingEvents: state.core.limits.maxOutstandingEvents,
                                         kafkaReachable: !state.core.refusesAfterFailure(nowMs: startNs / 1_000_000))
            }
            send(IngestAnswer(status: 200, headers: [.init("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: text),
                 to: reply, latencyFrom: nil)
        case .ingest(let headers):
            ingest(request.body, headers: headers, reply: reply, startNs: startNs)
        }
    }

    private func ingest(_ body: [UInt8], headers: [IngestAnswer.Header], reply: HTTPReply, startNs: Int64) {
        let receivedMs = WallClock.milliseconds()
        var batch = Batch(tag: 0)
        var rejected: [GroupCommit.Rejection] = []
        let failure: RequestBody.Failure? = body.withUnsafeBytes { bytes -> RequestBody.Failure? in
            let ranges: [Range<Int>]
            switch Result(catching: { () throws(RequestBody.Failure) in try RequestBody.events(in: bytes) }) {
            case .success(let found): ranges = found
            case .failure(let failure): return failure
            }
            batch.bytes.reserveCapacity(min(ranges.count * EventJSON.maxKeyAndMessageBytes, body.count * 2))
            batch.events.reserveCapacity(ranges.count)
            for (index, range) in ranges.enumerated() {
                switch decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[range])) {
                case .event(var event):
                    // An event without its own time happened when it arrived.
                    if event.timestampMs == nil { event.timestampMs = receivedMs }
                    let keyStart = batch.bytes.count
                    EventJSON.appendInteger(event.userID, to: &batch.bytes)
                    let valueStart = batch.bytes.count
                    EventJSON.append(event, to: &batch.bytes)
                    batch.events.append((keyStart..<valueStart, valueStart..<batch.bytes.count, event.timestampMs ?? receivedMs))
                case .rejected(let reason):
                    rejected.append(.init(index: index, reason: reason))
                }
            }
            return nil
        }
        if let failure {
            send(.error(400, failure.reason, headers: headers), to: reply, latencyFrom: startNs)
            return
        }
        let admission = shared.withLock { state in
            for rejection in rejected { state.metrics.recordRejected(rejection.reason) }
            let admission = state.core.admit(accepted: batch.events.count, rejected: rejected, nowMs: startNs / 1_000_000)
            if case .admitted(let tag) = admission {
                state.waiting[tag] = Waiting(reply: reply, startNs: startNs, headers: headers, accepted: batch.events.count)
                state.queue.append(Batch(tag: tag, bytes: batch.bytes, events: batch.events))
            }
            return admission
        }
        switch admission {
        case .admitted:
            // The producing thread may be waiting in a poll: produce these now.
            producer.wake()
        case .answered(var answer):
            answer.headers += headers
            send(answer, to: reply, latencyFrom: startNs)
        }
    }

    private func send(_ answer: IngestAnswer, to reply: HTTPReply, latencyFrom startNs: Int64?) {
        let seconds = startNs.map { Double(MonotonicClock.nanoseconds() - $0) / 1e9 }
        shared.withLock { $0.metrics.record(status: answer.status, seconds: seconds) }
        reply.send(HTTPResponse(status: answer.status, headers: answer.headers.map { ($0.name, $0.value) }, body: Array(answer.body.utf8)))
    }

    // MARK: The producing thread's side

    /// Produces what is admitted, serves delivery reports and answers, until `stop` and
    /// nothing is left to answer; then flushes.
    func runProducer(stop: StopFlag) {
        var stopping = false
        while true {
            if stop.isRequested && !stopping {
                stopping = true
                shared.withLock { $0.core.stopAdmitting() }
            }
            let batches = shared.withLock { state in
                let taken = state.queue
                state.queue.removeAll()
                return taken
            }
            for batch in batches { produce(batch, stop: stop) }
            // Waits for reports, or until `wake` says a batch came; the bound is for deadlines.
            producer.poll(timeoutMs: batches.isEmpty ? 10 : 0)
            let done = answerReports()
            if stopping && done { break }
        }
        _ = producer.flush(timeoutMs: 5_000)
    }

    private func produce(_ batch: Batch, stop: StopFlag) {
        batch.bytes.withUnsafeBytes { bytes in
            for event in batch.events {
                let key = UnsafeRawBufferPointer(rebasing: bytes[event.key])
                let value = UnsafeRawBufferPointer(rebasing: bytes[event.value])
                var result = producer.produce(to: topic, key: key, value: value, timestampMs: event.timestampMs, tag: batch.tag)
                // librdkafka's queue holds more than the outstanding bound, so this is only
                // a moment's wait while reports are served.
                while result == .queueFull {
                    producer.poll(timeoutMs: 10)
                    result = producer.produce(to: topic, key: key, value: value, timestampMs: event.timestampMs, tag: batch.tag)
                }
                if case .failed = result { tally.add(tag: batch.tag, delivered: false) }
            }
        }
    }

    /// Applies the reports the last poll served and answers the requests they complete,
    /// or whose deadline passed; true when no request is left unanswered.
    private func answerReports() -> Bool {
        let reports = tally.take()
        let nowMs = MonotonicClock.milliseconds()
        var answers: [(Waiting, IngestAnswer)] = []
        let done = shared.withLock { state in
            var completions: [GroupCommit.Completion] = []
            for (tag, counts) in reports {
                if let completion = state.core.reports(tag: tag, delivered: counts.delivered, failed: counts.failed, nowMs: nowMs) {
                    completions.append(completion)
                }
            }
            completions += state.core.expire(nowMs: nowMs)
            for completion in completions {
                guard let waiting = state.waiting.removeValue(forKey: completion.tag) else { continue }
                if completion.answer.status < 300 { state.metrics.recordAccepted(waiting.accepted) }
                answers.append((waiting, completion.answer))
            }
            return state.core.unanswered == 0 && state.queue.isEmpty
        }
        for (waiting, answer) in answers {
            var answer = answer
            answer.headers += waiting.headers
            send(answer, to: waiting.reply, latencyFrom: waiting.startNs)
        }
        return done
    }
}

/// The decoder of the server's one event-loop thread (a decoder is not shared between
/// threads, and the loop runs one request at a time).
private final class DecoderOfTheLoop: @unchecked Sendable {
    private let decoder = MessageDecoder()

    func decode(_ payload: UnsafeRawBufferPointer) -> MessageDecoder.Result { decoder.decode(payload) }
}

/// Delivery reports counted by tag between two polls, on the producing thread (librdkafka
/// calls back from inside `poll`).
private final class DeliveryTally: @unchecked Sendable {
    private var counts: [Int: (delivered: Int, failed: Int)] = [:]

    func add(tag: Int, delivered: Bool) {
        counts[tag, default: (0, 0)].delivered += delivered ? 1 : 0
        counts[tag, default: (0, 0)].failed += delivered ? 0 : 1
    }

    func take() -> [Int: (delivered: Int, failed: Int)] {
        defer { counts.removeAll(keepingCapacity: true) }
        return counts
    }
}

/// An ingest service running: its HTTP server, listening, and its producing thread.
/// `tbdash ingest` runs one until a signal; `demo --ingest` beside the dashboard.
final class RunningIngest {
    /// tbdash's producer settings, and ingest's own: librdkafka gives up on a message by
    /// the deadline a request is answered 503 at, and its queue holds more than can be
    /// outstanding, so producing never waits for room. Batches wait 1 ms, not 5: a client
    /// waits for its answer, and while one batch is in flight the next fills anyway (group
    /// commit). Measured (release, 64 connections of one event per request, the embedded
    /// broker, a loaded 2-core machine): 5,226 requests/s, p50 12.0 ms at 1 ms against
    /// 3,923/s, p50 15.8 ms at 5 ms; 0 ms was no better (5,486/s, p99 18.5 against 17.0 ms).
    static func producerProperties(deliveryTimeoutMs: Int64, maxOutstanding: Int) -> [(String, String)] {
        ProducerDefaults.properties + [
            ("linger.ms", "1"),
            ("message.timeout.ms", String(deliveryTimeoutMs)),
            ("queue.buffering.max.messages", String(max(maxOutstanding * 2, 100_000))),
            ("client.id", "tbdash-ingest"),
        ]
    }

    private let server: HTTPServer
    private let producing: WorkerThread
    private let stopping = StopFlag()

    /// Checks the brokers (within `connectTimeoutMs`), binds and starts serving.
    /// `serverLimits`' write deadline is raised by the delivery deadline: an answer waits
    /// for Kafka, then has the usual time to be sent.
    init(listen: (host: String, port: Int), route: IngestRoute, limits: GroupCommit.Limits, serverLimits: ServerLimits,
         configuration: KafkaConfiguration, topic: String, connectTimeoutMs: Int32) throws {
        let service = try IngestService(route: route, limits: limits, configuration: configuration, topic: topic)
        try service.checkKafka(timeoutMs: connectTimeoutMs)
        var serverLimits = serverLimits
        serverLimits.writeTimeout += .milliseconds(limits.deliveryTimeoutMs)
        server = try HTTPServer(host: listen.host, port: listen.port, limits: serverLimits, deferred: { request, reply in
            service.handle(request, reply: reply)
        })
        let stopping = stopping
        producing = WorkerThread.start(name: "tbdash-ingest") { service.runProducer(stop: stopping) }
    }

    var host: String { server.host }
    /// `HOST:PORT` (`[IPv6]:PORT`) as bound.
    var address: String { server.host.contains(":") ? "[\(server.host)]:\(server.port)" : "\(server.host):\(server.port)" }

    /// A graceful stop: no new connections, new requests 503, those in flight answered
    /// when Kafka has their events (or at their deadline), the producer flushed; then the
    /// answers get a moment to be written and every connection closes.
    func stop() {
        server.stopAccepting()
        stopping.request()
        producing.join()
        MonotonicClock.sleep(nanoseconds: 200_000_000)
        server.stop()
    }
}
