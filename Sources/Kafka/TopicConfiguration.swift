import CRdKafka

/// What a topic's configuration says about keeping records by time, as the brokers describe
/// it (DescribeConfigs): how long, and by which timestamp.
public struct TopicRetention: Equatable, Sendable {
    /// `retention.ms`; nil when the topic keeps records forever (-1).
    public var retentionMs: Int64?
    /// `message.timestamp.type` is CreateTime: retention goes by the timestamp the producer
    /// gave each record (LogAppendTime: by when the broker wrote it).
    public var byCreateTime: Bool

    public init(retentionMs: Int64?, byCreateTime: Bool) {
        self.retentionMs = retentionMs
        self.byCreateTime = byCreateTime
    }

    /// The oldest record timestamp (ms since 1970) the topic keeps at `nowMs`; nil when it
    /// deletes nothing by the producer's timestamps.
    public func oldestKept(nowMs: Int64) -> Int64? {
        guard byCreateTime, let retentionMs else { return nil }
        return nowMs - retentionMs
    }
}

extension KafkaProducer {
    /// The time retention of topic `name` (DescribeConfigs); nil when the brokers do not
    /// describe topics at all — librdkafka's mock cluster (`tbdash broker`) has no such
    /// request, and deletes by size only. Throws when the brokers refuse or do not answer.
    public func retention(ofTopic name: String, timeoutMs: Int32) throws(KafkaError) -> TopicRetention? {
        guard let entries = try configuration(ofTopic: name, timeoutMs: timeoutMs) else { return nil }
        let retention = entries["retention.ms"].flatMap { Int64($0) }
        return TopicRetention(retentionMs: retention.flatMap { $0 < 0 ? nil : $0 },
                              byCreateTime: entries["message.timestamp.type"] != "LogAppendTime")
    }

    /// Topic `name`'s configuration entries by name; nil when the brokers do not support the request.
    public func configuration(ofTopic name: String, timeoutMs: Int32) throws(KafkaError) -> [String: String]? {
        let what = "describe topic '\(name)'"
        guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name) else {
            throw .operation(what, detail: "invalid topic name")
        }
        defer { rd_kafka_ConfigResource_destroy(resource) }
        let replies = rd_kafka_queue_new(handle)!
        defer { rd_kafka_queue_destroy(replies) }
        var resources: [OpaquePointer?] = [resource]
        rd_kafka_DescribeConfigs(handle, &resources, 1, nil, replies)
        guard let event = rd_kafka_queue_poll(replies, timeoutMs) else {
            throw .operation(what, detail: "no answer within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        if code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE || code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION { return nil }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation(what, detail: String(cString: rd_kafka_event_error_string(event)))
        }
        var count = 0
        guard let result = rd_kafka_event_DescribeConfigs_result(event),
              let described = rd_kafka_DescribeConfigs_result_resources(result, &count), count == 1, let first = described[0]
        else { throw .operation(what, detail: "no result") }
        let resourceCode = rd_kafka_ConfigResource_error(first)
        if resourceCode == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART { throw .unknownTopic(name) }
        guard resourceCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation(what, detail: rd_kafka_ConfigResource_error_string(first).map { String(cString: $0) } ?? describe(resourceCode))
        }
        var entryCount = 0
        guard let entries = rd_kafka_ConfigResource_configs(first, &entryCount) else { return [:] }
        var configuration: [String: String] = [:]
        for index in 0..<entryCount {
            guard let entry = entries[index], let value = rd_kafka_ConfigEntry_value(entry) else { continue }
            configuration[String(cString: rd_kafka_ConfigEntry_name(entry))] = String(cString: value)
        }
        return configuration
    }
}
