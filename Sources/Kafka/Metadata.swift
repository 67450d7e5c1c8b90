import CRdKafka

/// Topic metadata requests, shared by producer and consumer.
enum Metadata {
    /// The partition ids of a topic, asking the brokers within `timeoutMs`.
    static func partitions(
        handle: OpaquePointer, topic: OpaquePointer, name: String, brokers: String, timeoutMs: Int32,
        lastError: () -> String?
    ) throws(KafkaError) -> [Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 0, topic, &metadata, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw .unreachable(brokers: brokers, seconds: Int(timeoutMs / 1000), detail: lastError() ?? describe(code))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == name }) else {
            throw .unknownTopic(name)
        }
        switch entry.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR: break
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: throw .unknownTopic(name)
        default: throw .operation("metadata for topic '\(name)'", detail: describe(entry.err))
        }
        let partitions = UnsafeBufferPointer(start: entry.partitions, count: Int(entry.partition_cnt))
        guard !partitions.isEmpty else { throw .unknownTopic(name) }
        return partitions.map(\.id).sorted()
    }

    /// Whether the cluster has `name`, from a metadata request for all topics (which,
    /// unlike one for the topic itself, never makes a broker create it).
    static func topicExists(handle: OpaquePointer, name: String, brokers: String, timeoutMs: Int32,
                            lastError: () -> String?) throws(KafkaError) -> Bool {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw .unreachable(brokers: brokers, seconds: Int(timeoutMs / 1000), detail: lastError() ?? describe(code))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        return topics.contains { String(cString: $0.topic) == name && $0.err == RD_KAFKA_RESP_ERR_NO_ERROR }
    }
}
