import CRdKafka

/// Topic metadata requests, shared by producer and consumer.
enum Metadata {
    /// The partition ids of a topic, asking the brokers within `timeoutMs`: about the topic
    /// itself when `topic` is given (brokers that create topics on first use create it),
    /// else about every topic (never creating one; an absent topic is named with the ones
    /// there are).
    static func partitions(
        handle: OpaquePointer, topic: OpaquePointer?, name: String, brokers: String, timeoutMs: Int32,
        context: ClientContext
    ) throws(KafkaError) -> [Int32] {
        try withTopics(handle: handle, topic: topic, brokers: brokers, timeoutMs: timeoutMs, context: context) {
            topics throws(KafkaError) in
            let unknown = KafkaError.unknownTopic(name, existing: topic == nil ? names(in: topics) : [])
            guard let entry = topics.first(where: { String(cString: $0.topic) == name }) else { throw unknown }
            switch entry.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR: break
            case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: throw unknown
            case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED: throw .notAuthorized(.topic(name), detail: describe(entry.err))
            default: throw .operation("metadata for topic '\(name)'", detail: describe(entry.err))
            }
            let partitions = UnsafeBufferPointer(start: entry.partitions, count: Int(entry.partition_cnt))
            guard !partitions.isEmpty else { throw unknown }
            return partitions.map(\.id).sorted()
        }
    }

    /// The topics of a reply that exist.
    private static func names(in topics: UnsafeBufferPointer<rd_kafka_metadata_topic>) -> [String] {
        topics.filter { $0.err == RD_KAFKA_RESP_ERR_NO_ERROR }.map { String(cString: $0.topic) }
    }

    /// Whether the cluster has `name`, from a metadata request for all topics (which,
    /// unlike one for the topic itself, never makes a broker create it).
    static func topicExists(handle: OpaquePointer, name: String, brokers: String, timeoutMs: Int32,
                            context: ClientContext) throws(KafkaError) -> Bool {
        try withTopics(handle: handle, topic: nil, brokers: brokers, timeoutMs: timeoutMs, context: context) { topics in
            topics.contains { String(cString: $0.topic) == name && $0.err == RD_KAFKA_RESP_ERR_NO_ERROR }
        }
    }

    /// The number of brokers in the cluster, from a metadata request for no topic; throws
    /// `.unreachable` or `.refused` as every first request does.
    static func brokerCount(handle: OpaquePointer, brokers: String, timeoutMs: Int32, context: ClientContext) throws(KafkaError) -> Int {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, nil, &metadata, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw context.connectionFailure(brokers: brokers, timeoutMs: timeoutMs, code: code)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return Int(metadata.pointee.broker_cnt)
    }

    /// The cluster's id from metadata, or nil when the brokers give none within the bound.
    static func clusterID(handle: OpaquePointer, timeoutMs: Int32) -> String? {
        guard let id = rd_kafka_clusterid(handle, timeoutMs) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }

    /// One metadata request — for `topic`, or for every topic when nil — with its topics
    /// lent to `body`; the reply is freed after. Brokers that do not answer in time throw
    /// `.unreachable`, or `.refused` when librdkafka's last error says TLS or SASL failed.
    private static func withTopics<T>(
        handle: OpaquePointer, topic: OpaquePointer?, brokers: String, timeoutMs: Int32, context: ClientContext,
        _ body: (UnsafeBufferPointer<rd_kafka_metadata_topic>) throws(KafkaError) -> T
    ) throws(KafkaError) -> T {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, topic == nil ? 1 : 0, topic, &metadata, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw context.connectionFailure(brokers: brokers, timeoutMs: timeoutMs, code: code)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return try body(UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt)))
    }
}
