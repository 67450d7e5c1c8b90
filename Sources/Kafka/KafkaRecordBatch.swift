import CRdKafka

/// One consumed record (or a consumer event) as Swift values; `payload` points into the
/// batch that holds it and is valid until that batch is released or refilled.
public struct KafkaRecord {
    public enum Kind: Equatable, Sendable {
        case message
        /// The partition has been read to its current end (`offset` is that end).
        case partitionEnd
        /// The requested offset is gone from the broker (retention): `offset` is the one
        /// that was asked for.
        case offsetOutOfRange
        /// Any other consumer error; `payload` holds librdkafka's text.
        case error
    }

    public let kind: Kind
    public let partition: Int32
    public let offset: Int64
    public let payload: UnsafeRawBufferPointer
    public let key: UnsafeRawBufferPointer
}

/// Records fetched in one call, zero-copy: the batch owns librdkafka's messages until it is
/// released, refilled or deinitialised. Hand it to one other thread at a time.
public final class KafkaRecordBatch: @unchecked Sendable {
    let messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    public let capacity: Int
    public internal(set) var count = 0

    public init(capacity: Int) {
        self.capacity = capacity
        messages = .allocate(capacity: capacity)
        messages.initialize(repeating: nil, count: capacity)
    }

    deinit {
        release()
        messages.deallocate()
    }

    /// Returns the messages to librdkafka.
    public func release() {
        for i in 0..<count {
            if let message = messages[i] { rd_kafka_message_destroy(message) }
            messages[i] = nil
        }
        count = 0
    }

    /// The record's timestamp (ms since 1970), or nil when it has none.
    public func timestampMs(at index: Int) -> Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(messages[index].unsafelyUnwrapped, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
    }

    public subscript(index: Int) -> KafkaRecord {
        let message = messages[index].unsafelyUnwrapped.pointee
        let payload = UnsafeRawBufferPointer(start: message.payload, count: message.payload == nil ? 0 : message.len)
        let kind: KafkaRecord.Kind
        switch message.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR: kind = .message
        case RD_KAFKA_RESP_ERR__PARTITION_EOF: kind = .partitionEnd
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET, RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE: kind = .offsetOutOfRange
        default: kind = .error
        }
        let key = UnsafeRawBufferPointer(start: message.key, count: message.key == nil ? 0 : message.key_len)
        return KafkaRecord(kind: kind, partition: message.partition, offset: message.offset, payload: payload, key: key)
    }
}
