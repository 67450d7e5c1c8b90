import Runtime

/// A record's place and time, as a consumer read it.
public struct RecordStamp: Equatable, Sendable {
    public var offset: Int64
    /// ms since 1970.
    public var timestampMs: Int64

    public init(offset: Int64, timestampMs: Int64) {
        self.offset = offset
        self.timestampMs = timestampMs
    }
}

/// Reads the first record at or after given offsets, one per partition, with a consumer of
/// its own: how tbdash finds records by time where the brokers cannot (`StartOffsetPlanner`
/// searches; this answers its questions).
public final class RecordProbe: @unchecked Sendable {
    private let consumer: KafkaConsumer
    private let batch = KafkaRecordBatch(capacity: 256)

    init(consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    /// Per partition, the first record at or after its offset; absent where there is none
    /// up to the partition's end. Throws when retention deleted the offset meanwhile, on
    /// any other consumer error, or when the brokers do not answer within `timeoutMs`.
    public func firstRecords(topic: String, at offsets: [Int32: Int64], timeoutMs: Int32) throws(KafkaError) -> [Int32: RecordStamp] {
        var found: [Int32: RecordStamp] = [:]
        try consume(topic: topic, from: offsets, timeoutMs: timeoutMs) { record, index throws(KafkaError) in
            if record.kind == .message {
                guard let timestamp = batch.timestampMs(at: index) else {
                    throw .operation("read \(topic)[\(record.partition)] at \(record.offset)", detail: "the record has no timestamp")
                }
                found[record.partition] = RecordStamp(offset: record.offset, timestampMs: timestamp)
            }
            return true
        }
        return found
    }

    /// Hands `body` every record from `ranges[p].lowerBound` up to (not including) its upper
    /// bound, partition by partition as they arrive; the payload is valid during the call.
    /// Throws as `firstRecords` does.
    public func read(topic: String, _ ranges: [Int32: Range<Int64>], timeoutMs: Int32,
                     _ body: (_ partition: Int32, _ payload: UnsafeRawBufferPointer) -> Void) throws(KafkaError) {
        let wanted = ranges.filter { !$0.value.isEmpty }
        try consume(topic: topic, from: wanted.mapValues(\.lowerBound), timeoutMs: timeoutMs) { record, _ in
            let range = wanted[record.partition]!
            guard record.kind == .message else { return record.offset >= range.upperBound }
            if range.contains(record.offset) { body(record.partition, record.payload) }
            return record.offset + 1 >= range.upperBound
        }
    }

    /// Reads every partition from its offset on and hands `take` each message and partition
    /// end at or after it, until `take` says that partition is done (true); throws on a
    /// deleted offset, any other consumer error, or no answer within `timeoutMs`.
    private func consume(topic: String, from offsets: [Int32: Int64], timeoutMs: Int32,
                         _ take: (_ record: KafkaRecord, _ index: Int) throws(KafkaError) -> Bool) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        // What was fetched for the previous question must not answer this one: librdkafka
        // drops records of an older assignment, and what is queued already goes here.
        try consumer.assign(topic: topic, [:])
        while consumer.consume(into: batch, timeoutMs: 0) > 0 {}
        try consumer.assign(topic: topic, offsets.mapValues { .at($0) })
        var pending = Set(offsets.keys)
        let deadline = MonotonicClock.milliseconds() + Int64(timeoutMs)
        while !pending.isEmpty {
            guard MonotonicClock.milliseconds() < deadline else {
                throw .operation("read records of \(topic) by offset", detail: "no answer within \(timeoutMs) ms")
            }
            consumer.consume(into: batch, timeoutMs: 100)
            for index in 0..<batch.count {
                let record = batch[index]
                guard pending.contains(record.partition), let asked = offsets[record.partition], record.offset >= asked else { continue }
                switch record.kind {
                case .message, .partitionEnd:
                    if try take(record, index) { pending.remove(record.partition) }
                case .offsetOutOfRange:
                    throw .operation("read \(topic)[\(record.partition)] at \(asked)", detail: "the offset is gone (retention)")
                case .error:
                    throw .operation("read \(topic)[\(record.partition)]", detail: String(decoding: record.payload, as: UTF8.self))
                }
            }
        }
        batch.release()
    }
}
