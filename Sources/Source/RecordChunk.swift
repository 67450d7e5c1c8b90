import Aggregation
import Kafka
import UserBehavior

/// Records handed from the reader to the aggregator, copied out of librdkafka into one
/// arena: librdkafka's messages are freed at once by the reader (so its fetch queue
/// drains and fetching never stalls on its thresholds), and the aggregator gets compact
/// records. Chunks are recycled through a pool: no allocation per record or per batch.
final class RecordChunk: @unchecked Sendable {
    struct Entry {
        var kind: KafkaRecord.Kind
        var partition: Int32
        var offset: Int64
        var start: Int
        var length: Int
    }

    private let arena: UnsafeMutableRawBufferPointer
    private let entries: UnsafeMutablePointer<Entry>
    let entryCapacity: Int
    private(set) var count = 0
    private var used = 0

    /// The arena holds at least one message of the largest size counted.
    init(arenaBytes: Int, entryCapacity: Int) {
        arena = .allocate(byteCount: max(arenaBytes, MessageDecoder.maxMessageBytes), alignment: 16)
        entries = .allocate(capacity: entryCapacity)
        self.entryCapacity = entryCapacity
    }

    deinit {
        arena.deallocate()
        entries.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// Copies one record in; false when the chunk is full (the caller sends it on and
    /// continues in a fresh one). A message over `MessageDecoder.maxMessageBytes` is not
    /// copied: it can only be rejected as too large (`isOversized`).
    func append(_ record: KafkaRecord) -> Bool {
        let size = record.kind == .message ? record.payload.count : 0
        let oversized = size > MessageDecoder.maxMessageBytes
        guard count < entryCapacity, oversized || used + size <= arena.count else { return false }
        if !oversized && size > 0 {
            (arena.baseAddress! + used).copyMemory(from: record.payload.baseAddress!, byteCount: size)
        }
        entries[count] = Entry(kind: record.kind, partition: record.partition, offset: record.offset,
                               start: oversized ? -1 : used, length: oversized ? 0 : size)
        if !oversized { used += size }
        count += 1
        return true
    }

    /// A message too large to copy (and to count).
    func isOversized(_ entry: Entry) -> Bool { entry.start < 0 }

    subscript(index: Int) -> Entry { entries[index] }

    /// The payload of an entry; valid until the chunk is reset.
    func payload(_ entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: arena[entry.start..<(entry.start + entry.length)])
    }

    func reset() {
        count = 0
        used = 0
    }
}
