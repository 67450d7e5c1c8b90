import CRdKafka
import Runtime

/// A librdkafka producer with delivery reports counted.
///
/// Not thread-safe by design: one thread produces and polls (delivery reports are served
/// on the thread that calls `poll` or `flush`).
public final class KafkaProducer: @unchecked Sendable {
    let handle: OpaquePointer
    private let context: ClientContext
    public let brokers: String

    /// `onTaggedDelivery` is told the delivery report of each message produced with a tag
    /// (nil failure: delivered), on the thread that polls.
    public init(configuration: KafkaConfiguration,
                onTaggedDelivery: (@Sendable (_ tag: Int, _ failure: String?) -> Void)? = nil) throws(KafkaError) {
        let context = ClientContext(log: configuration.log, onTaggedDelivery: onTaggedDelivery)
        let conf = try configuration.makeConf(context: Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, { _, message, opaque in
            guard let message, let opaque else { return }
            // Borrowed, not retained: the producer keeps the context alive until after
            // rd_kafka_destroy, and a retain and release per message were an eighth of the
            // producing thread's time (perf, 1 M rows).
            Unmanaged<ClientContext>.fromOpaque(opaque)._withUnsafeGuaranteedRef { $0.recordDelivery(message.pointee.err, tag: message.pointee._private) }
        })
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw .clientCreation("producer", reason: text(of: error))
        }
        self.handle = handle
        self.context = context
        self.brokers = configuration.brokers
    }

    deinit {
        // Messages still in flight were flushed or purged (and counted) before.
        Teardown.destroy(handle, context: context)
    }

    /// A topic to produce to. Keep it while producing; it is released with the producer.
    public func topic(_ name: String) -> KafkaTopic {
        KafkaTopic(producer: self, handle: rd_kafka_topic_new(handle, name, nil), name: name)
    }

    /// The number of partitions of `topic`, asking the brokers; this is also how a producer
    /// finds out within a bound that the brokers are unreachable.
    public func partitionCount(of topic: KafkaTopic, timeoutMs: Int32) throws(KafkaError) -> Int {
        try Metadata.partitions(handle: handle, topic: topic.handle, name: topic.name, brokers: brokers,
                                timeoutMs: timeoutMs, context: context).count
    }

    public enum ProduceResult: Equatable, Sendable {
        case queued
        /// librdkafka's queue is full: `poll` to serve delivery reports, then retry.
        case queueFull
        case failed(String)
    }

    /// Queues one message; librdkafka copies key and value. The partition is chosen by the
    /// configured partitioner from the key, unless `partition` names it. `timestampMs`
    /// becomes the record's timestamp (CreateTime, ms since 1970); 0 stamps it with the
    /// send time. With `header`, the record carries it (a send stamp, a trace).
    public func produce(to topic: KafkaTopic, partition: Int32? = nil, key: UnsafeRawBufferPointer,
                        value: UnsafeRawBufferPointer, timestampMs: Int64 = 0, header: KafkaHeader? = nil) -> ProduceResult {
        let partition = partition ?? RD_KAFKA_PARTITION_UA
        let code = if let header {
            tbdash_produce_with_header(handle, topic.handle, partition, key.baseAddress, key.count, value.baseAddress, value.count,
                                       timestampMs, header.name, header.value.baseAddress, header.value.count)
        } else {
            tbdash_produce(handle, topic.handle, partition, key.baseAddress, key.count, value.baseAddress, value.count, timestampMs)
        }
        if code == RD_KAFKA_RESP_ERR_NO_ERROR { return .queued }
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        return .failed(describe(code))
    }

    /// Queues one message as `produce` does, with a non-zero `tag` that the producer's
    /// `onTaggedDelivery` is told with its delivery report.
    public func produce(to topic: KafkaTopic, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                        timestampMs: Int64, tag: Int) -> ProduceResult {
        precondition(tag != 0, "a delivery tag is non-zero")
        let code = tbdash_produce_tagged(handle, topic.handle, RD_KAFKA_PARTITION_UA, key.baseAddress, key.count,
                                         value.baseAddress, value.count, timestampMs, UInt(bitPattern: tag))
        if code == RD_KAFKA_RESP_ERR_NO_ERROR { return .queued }
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        return .failed(describe(code))
    }

    /// Makes a `poll` waiting on another thread return now (it has something else to do).
    /// `rd_kafka_poll` serves the main queue, and `rd_kafka_queue_yield` on it is the call
    /// meant for another thread (`rd_kafka_yield` only sets a flag of the calling thread).
    public func wake() {
        guard let main = rd_kafka_queue_get_main(handle) else { return }
        rd_kafka_queue_yield(main)
        rd_kafka_queue_destroy(main)
    }

    /// Queues one message as `produce` does, waiting while librdkafka's queue is full (and
    /// serving delivery reports meanwhile) until it is queued or `stop` is requested; then
    /// `.queueFull`, and the caller counts it as not sent.
    ///
    /// The one retry policy of every producer here. A full queue always drains — librdkafka
    /// delivers or fails each queued message within `message.timeout.ms` — so it is a
    /// moment's back-pressure, not a failure: a bounded count of tries (the scale-out worker
    /// once gave up after 100, about a second) only dropped a state, or an event, that
    /// would have fitted a moment later. Only the user's stop ends the wait.
    public func produce(to topic: KafkaTopic, partition: Int32? = nil, key: UnsafeRawBufferPointer,
                        value: UnsafeRawBufferPointer, timestampMs: Int64 = 0, header: KafkaHeader? = nil,
                        waitingUnless stop: StopFlag) -> ProduceResult {
        while true {
            let result = produce(to: topic, partition: partition, key: key, value: value, timestampMs: timestampMs, header: header)
            guard result == .queueFull else { return result }
            poll(timeoutMs: 10)
            if stop.isRequested { return result }
        }
    }

    /// The cluster's id from metadata, or nil when the brokers give none within the bound.
    public func clusterID(timeoutMs: Int32) -> String? {
        Metadata.clusterID(handle: handle, timeoutMs: timeoutMs)
    }

    /// Whether the cluster has the topic (without creating it).
    public func topicExists(_ name: String, timeoutMs: Int32) throws(KafkaError) -> Bool {
        try Metadata.topicExists(handle: handle, name: name, brokers: brokers, timeoutMs: timeoutMs, context: context)
    }

    /// Creates `name` with `partitions` partitions and topic `config` (e.g. compaction)
    /// through the admin API. False when it exists already; throws when the brokers refuse
    /// or do not answer within the bound (the embedded broker has no admin API).
    public func createTopic(_ name: String, partitions: Int, config: [String: String], timeoutMs: Int32) throws(KafkaError) -> Bool {
        var error = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(name, Int32(partitions), -1, &error, error.count) else {
            throw .operation("create topic '\(name)'", detail: text(of: error))
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        for (key, value) in config.sorted(by: { $0.key < $1.key }) { rd_kafka_NewTopic_set_config(topic, key, value) }
        let replies = rd_kafka_queue_new(handle)!
        defer { rd_kafka_queue_destroy(replies) }
        var topics: [OpaquePointer?] = [topic]
        rd_kafka_CreateTopics(handle, &topics, 1, nil, replies)
        guard let event = rd_kafka_queue_poll(replies, timeoutMs) else {
            throw .operation("create topic '\(name)'", detail: "no answer within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw .operation("create topic '\(name)'", detail: String(cString: rd_kafka_event_error_string(event)))
        }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let results = rd_kafka_CreateTopics_result_topics(result, &count), count == 1, let first = results[0]
        else { throw .operation("create topic '\(name)'", detail: "no result") }
        let code = rd_kafka_topic_result_error(first)
        if code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { return false }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation("create topic '\(name)'", detail: rd_kafka_topic_result_error_string(first).map { String(cString: $0) } ?? describe(code))
        }
        return true
    }

    /// Serves delivery reports and error callbacks for up to `timeoutMs`.
    @discardableResult
    public func poll(timeoutMs: Int32) -> Int {
        Int(rd_kafka_poll(handle, timeoutMs))
    }

    /// Waits up to `timeoutMs` for every queued message to be delivered or to fail.
    /// Returns true when nothing is left in flight.
    public func flush(timeoutMs: Int32) -> Bool {
        rd_kafka_flush(handle, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Drops what is queued or in flight; each dropped message is reported as failed.
    public func purge() {
        _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        rd_kafka_poll(handle, 0)
    }

    /// Messages queued or in flight, not yet reported.
    public var inFlight: Int { Int(rd_kafka_outq_len(handle)) }
    public var delivered: Int { context.delivered.load(ordering: .relaxed) }
    public var failed: Int { context.failed.load(ordering: .relaxed) }
    /// Why the first failed message failed, for the summary line.
    public var firstFailure: String? { context.firstDeliveryFailure }
    public var lastError: String? { context.lastErrorText }
}

/// A producer's handle on one topic; owns the `rd_kafka_topic_t`.
public final class KafkaTopic: @unchecked Sendable {
    // Keeps the producer alive: a topic handle must be destroyed before its client.
    private let producer: KafkaProducer
    let handle: OpaquePointer
    public let name: String

    init(producer: KafkaProducer, handle: OpaquePointer, name: String) {
        self.producer = producer
        self.handle = handle
        self.name = name
    }

    deinit {
        rd_kafka_topic_destroy(handle)
    }
}
