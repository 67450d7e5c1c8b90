import Kafka
import LiveValues
import UserBehavior

/// Records handed from the reader to the aggregator, already decoded: the reader thread
/// decodes while the aggregator folds, so the two share the work. librdkafka's messages
/// are freed at once by the reader (so its fetch queue drains and fetching never stalls on
/// its thresholds). Only a rejected message's bytes are copied, into one arena, for the
/// tail to show. Chunks are recycled through a pool: no allocation per record or per batch.
final class RecordChunk: @unchecked Sendable {
    struct Entry {
        var kind: KafkaRecord.Kind
        var partition: Int32
        var offset: Int64
        /// A message's event or why it was rejected; nil for other kinds.
        var decoded: MessageDecoder.Result?
        /// A rejected message's bytes in the arena; start −1: not kept (too large to copy).
        var start: Int
        var length: Int
        /// The message's send stamp (ns since 1970) when a trace reads them; 0 otherwise.
        var sentNs: Int64
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
        // Written once now: otherwise a chunk's memory grows with the largest batch it has
        // carried yet, and a long catch-up looks like a leak.
        entries.initialize(repeating: Entry(kind: .message, partition: 0, offset: 0, decoded: nil, start: -1, length: 0, sentNs: 0),
                           count: entryCapacity)
        self.entryCapacity = entryCapacity
    }

    deinit {
        arena.deallocate()
        entries.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// Decodes one record in; false when the chunk is full (the caller sends it on and
    /// continues in a fresh one, which always has room).
    func append(_ record: KafkaRecord, decoder: borrowing MessageDecoder, sentNs: Int64 = 0) -> Bool {
        guard count < entryCapacity else { return false }
        var entry = Entry(kind: record.kind, partition: record.partition, offset: record.offset, decoded: nil, start: -1, length: 0,
                          sentNs: sentNs)
        if record.kind == .message {
            let decoded = decoder.decode(record.payload)
            entry.decoded = decoded
            // A message over `maxMessageBytes` is rejected unparsed and not copied.
            if case .rejected(let reason) = decoded, reason != .tooLarge {
                let size = record.payload.count
                guard used + size <= arena.count else { return false }
                if size > 0 {
                    (arena.baseAddress! + used).copyMemory(from: record.payload.baseAddress!, byteCount: size)
                }
                entry.start = used
                entry.length = size
                used += size
            }
        }
        entries[count] = entry
        count += 1
        return true
    }

    subscript(index: Int) -> Entry { entries[index] }

    /// The bytes kept of a rejected message; valid until the chunk is reset.
    func rejectedPayload(_ entry: Entry) -> UnsafeRawBufferPointer? {
        entry.start < 0 ? nil : UnsafeRawBufferPointer(rebasing: arena[entry.start..<(entry.start + entry.length)])
    }

    func reset() {
        count = 0
        used = 0
    }
}
