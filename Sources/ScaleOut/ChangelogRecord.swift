import Analytics
import Checkpoint
import LiveValues

/// One message of the scale-out changelog (`tbdash aggregate`): the whole state of one
/// source partition, the offsets it covers (its next offset), and who wrote it with which
/// fencing epoch. Keyed by the source partition in a compacted topic, so the newest state
/// of every partition survives; a reader keeps, per partition, the record with the highest
/// (epoch, next offset), so a zombie writer of an older epoch never replaces newer state.
public struct ChangelogRecord: Equatable, Sendable {
    public var sourceTopic: String
    public var partition: Int32
    /// The writer's consumer-group generation when it published (never below the epoch of
    /// the state it restored): the fencing token.
    public var epoch: Int32
    /// Who published it: client id, host and process, for operators.
    public var writer: String
    /// Wall-clock milliseconds of the publish (for "last published"; never for ordering).
    public var publishedAtMs: Int64
    public var semantics: Checkpoint.Semantics
    /// The partition's state; `state.partitions` holds exactly `partition`.
    public var state: AggregationState

    public init(sourceTopic: String, partition: Int32, epoch: Int32, writer: String, publishedAtMs: Int64,
                semantics: Checkpoint.Semantics, state: AggregationState) {
        self.sourceTopic = sourceTopic
        self.partition = partition
        self.epoch = epoch
        self.writer = writer
        self.publishedAtMs = publishedAtMs
        self.semantics = semantics
        self.state = state
    }

    /// The offset after the last record the state counts (0: nothing yet).
    public var nextOffset: Int64 { state.partitions.first?.nextOffset ?? 0 }

    /// The writer's client id and host and the publish time. `writer` is
    /// `client.id@host pid N` (`AggregateWorker.Options.writer`); a host has no `@`, so the
    /// last one ends the client id. A writer of another form is all client id.
    public var owner: PartitionOwner { Self.owner(writer: writer, publishedAtMs: publishedAtMs) }

    static func owner(writer: String, publishedAtMs: Int64) -> PartitionOwner {
        guard let at = writer.lastIndex(of: "@") else { return PartitionOwner(clientID: writer, host: "", publishedAtMs: publishedAtMs) }
        let rest = writer[writer.index(after: at)...]
        let host = rest.range(of: " pid ").map { rest[..<$0.lowerBound] } ?? rest
        return PartitionOwner(clientID: String(writer[..<at]), host: String(host), publishedAtMs: publishedAtMs)
    }

    /// The message key: the source partition as decimal text.
    public static func key(partition: Int32) -> [UInt8] { Array("\(partition)".utf8) }
}

/// A changelog message read only as far as its header: enough to choose each partition's
/// newest state (`ChangelogView`). A reader that starts on a changelog meets every state
/// the brokers kept, most of them superseded; only the ones it keeps are decoded whole.
public struct ChangelogEntry: Sendable {
    public var sourceTopic: String
    public var partition: Int32
    public var epoch: Int32
    public var nextOffset: Int64
    public var writer: String
    public var publishedAtMs: Int64
    /// Where the message was read in the changelog, when the reader said (for messages
    /// that name a record an operator can find with kcat).
    public var position: ChangelogPosition?
    /// The whole message, for `record()`.
    let bytes: [UInt8]

    /// Whether this state should replace `other` as the partition's newest: the highest
    /// (epoch, next offset) wins, so a zombie of an older epoch never does, and a state read
    /// twice changes nothing. The one rule every reader (viewer, restoring worker) applies.
    public func supersedes(_ other: ChangelogEntry) -> Bool {
        (epoch, nextOffset) >= (other.epoch, other.nextOffset)
    }

    public var owner: PartitionOwner { ChangelogRecord.owner(writer: writer, publishedAtMs: publishedAtMs) }

    /// The whole record: header, semantics and state.
    public func record() throws(SummaryDecodingError) -> ChangelogRecord { try ChangelogCodec.decode(bytes) }
}

/// A message's place in the changelog topic: its partition and offset.
public struct ChangelogPosition: Equatable, Sendable, CustomStringConvertible {
    public var partition: Int32
    public var offset: Int64

    public init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }

    public var description: String { "partition \(partition), offset \(offset)" }
}

/// The changelog message format: `tbcl`, a version byte, the record's header fields (topic,
/// partition, epoch, next offset, writer, publish time), then the semantics and state
/// exactly as the state file encodes them (`AggregationStateCodec`). No checksum of its
/// own: Kafka's record batches carry a CRC-32C. Version 3 is the state file's version 3
/// (timestamps, the unknown province); records of older versions are refused with the
/// reason, and the workers that wrote them republish once they run this tbdash.
public enum ChangelogCodec {
    public static let magic: [UInt8] = Array("tbcl".utf8)
    public static let formatVersion: UInt8 = 3

    public static func encode(_ record: ChangelogRecord) -> [UInt8] {
        var w = BinaryWriter(reservingCapacity: 1 << 14)
        for byte in magic { w.write(byte) }
        w.write(formatVersion)
        w.write(bytes: Array(record.sourceTopic.utf8))
        w.write(varint: UInt64(record.partition))
        w.write(signedVarint: Int64(record.epoch))
        w.write(signedVarint: record.nextOffset)
        w.write(bytes: Array(record.writer.utf8))
        w.write(signedVarint: record.publishedAtMs)
        AggregationStateCodec.write(record.semantics, to: &w)
        AggregationStateCodec.write(record.state, to: &w)
        AggregationStateCodec.write(mapping: record.semantics.mapping, to: &w)
        return w.bytes
    }

    /// Reads a changelog message; a message of another format or version, or damaged, is
    /// an error naming why (readers skip it and say so, never misread it).
    public static func decode(_ bytes: [UInt8]) throws(SummaryDecodingError) -> ChangelogRecord {
        var r = try open(bytes)
        do {
            let header = try readHeader(&r, bytes: bytes)
            let config = try AggregationStateCodec.readConfig(&r)
            let state = try AggregationStateCodec.read(&r, boundMs: config.outOfOrdernessMs)
            var semantics = Checkpoint.Semantics(config)
            semantics.take(ringsOf: state)
            semantics.mapping = try AggregationStateCodec.readMapping(&r)
            guard r.isAtEnd else { throw SummaryDecodingError.invalid("bytes after the state") }
            guard state.partitions.map(\.partition) == [header.partition] else {
                throw SummaryDecodingError.invalid("a state of other partitions than its key's")
            }
            let record = ChangelogRecord(sourceTopic: header.sourceTopic, partition: header.partition, epoch: header.epoch,
                                         writer: header.writer, publishedAtMs: header.publishedAtMs,
                                         semantics: semantics, state: state)
            if record.nextOffset != header.nextOffset {
                throw SummaryDecodingError.invalid("a header offset other than its state's")
            }
            return record
        } catch let error as SummaryDecodingError {
            throw error
        } catch {
            throw .invalid("\(error)")
        }
    }

    /// Reads a changelog message's header only.
    public static func decodeHeader(_ bytes: [UInt8]) throws(SummaryDecodingError) -> ChangelogEntry {
        var r = try open(bytes)
        return try readHeader(&r, bytes: bytes)
    }

    /// A reader past the magic and a version this tbdash reads.
    private static func open(_ bytes: [UInt8]) throws(SummaryDecodingError) -> BinaryReader {
        guard bytes.count > magic.count, Array(bytes[..<magic.count]) == magic else {
            throw .invalid("not a tbdash changelog record")
        }
        var r = BinaryReader(bytes, position: magic.count)
        let version = try r.readByte()
        guard version == formatVersion else {
            let hint = version < formatVersion ? "; restart the aggregate workers with this tbdash to republish" : ""
            throw .invalid("changelog record version \(version) (this tbdash reads \(formatVersion))\(hint)")
        }
        return r
    }

    private static func readHeader(_ r: inout BinaryReader, bytes: [UInt8]) throws(SummaryDecodingError) -> ChangelogEntry {
        let topic = try r.readText()
        let partition = Int32(try r.readCount(atMost: Int(Int32.max)))
        let epochValue = try r.readSignedVarint()
        guard let epoch = Int32(exactly: epochValue) else { throw .invalid("an epoch out of range") }
        let nextOffset = try r.readSignedVarint()
        let writer = try r.readText()
        let publishedAt = try r.readSignedVarint()
        return ChangelogEntry(sourceTopic: topic, partition: partition, epoch: epoch, nextOffset: nextOffset, writer: writer,
                              publishedAtMs: publishedAt, bytes: bytes)
    }
}

extension ChangelogRecord {
    /// The source partition a changelog message's key names ("p", or "p/slot/chunk"), or nil.
    public static func partition(ofKey key: some Collection<UInt8>) -> Int32? {
        Int32(String(decoding: key.prefix { $0 != UInt8(ascii: "/") }, as: UTF8.self))
    }
}

/// A changelog record too big for one Kafka message, in pieces. librdkafka refuses a
/// message over `message.max.bytes` (1,000,000 by default) before compressing it, and a
/// partition's state outgrows that (about 570 KB at 15,000 events per partition).
///
/// Framing: `tbck`, a version byte, the source partition, the slot (0 or 1), the chunk's
/// index, the number of chunks, the CRC-32 and length of the whole record, then the
/// record's bytes from `index × chunk size`. Key `p/slot/index`, so compaction keeps the
/// newest chunk of each index. A writer alternates the two slots, so a writer that dies
/// halfway through a state leaves the other slot's complete state (an older one, which is
/// still a correct place to continue from). Readers join chunks of one slot that agree on
/// CRC, length and count, and use the record only when every chunk is there.
public struct ChangelogChunk: Equatable, Sendable {
    public static let magic: [UInt8] = Array("tbck".utf8)
    public static let formatVersion: UInt8 = 1
    /// Room for this header, the key and Kafka's per-record overhead within `message.max.bytes`.
    public static let overhead = 256

    public var partition: Int32
    public var slot: UInt8
    public var index: Int
    public var count: Int
    public var checksum: UInt32
    public var length: Int
    public var payload: ArraySlice<UInt8>

    /// The messages (key, value) that carry `record`, encoded: itself under key "p" when it
    /// fits in `maxMessageBytes`, else chunks in `slot`.
    public static func messages(for record: [UInt8], partition: Int32, slot: UInt8,
                                maxMessageBytes: Int) -> [(key: [UInt8], value: [UInt8])] {
        if record.count + overhead <= maxMessageBytes { return [(ChangelogRecord.key(partition: partition), record)] }
        let size = max(1, maxMessageBytes - overhead)
        let count = (record.count + size - 1) / size
        let checksum = CRC32.checksum(record)
        return (0..<count).map { index in
            var w = BinaryWriter(reservingCapacity: size + 64)
            for byte in magic { w.write(byte) }
            w.write(formatVersion)
            w.write(varint: UInt64(partition))
            w.write(slot)
            w.write(varint: UInt64(index))
            w.write(varint: UInt64(count))
            w.write(fixed: checksum)
            w.write(varint: UInt64(record.count))
            return (Array("\(partition)/\(slot)/\(index)".utf8), w.bytes + record[(index * size)..<min(record.count, (index + 1) * size)])
        }
    }

    public static func isChunk(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    public static func decode(_ bytes: [UInt8]) throws(SummaryDecodingError) -> ChangelogChunk {
        guard isChunk(bytes) else { throw .invalid("not a tbdash changelog chunk") }
        var r = BinaryReader(bytes, position: magic.count)
        let version = try r.readByte()
        guard version == formatVersion else { throw .invalid("changelog chunk version \(version) (this tbdash reads \(formatVersion))") }
        let partition = Int32(try r.readCount(atMost: Int(Int32.max)))
        let slot = try r.readByte()
        let index = try r.readCount(atMost: Int(Int32.max))
        let count = try r.readCount(atMost: Int(Int32.max))
        let checksum = try r.read(fixed: UInt32.self)
        let length = try r.readCount(atMost: 1 << 30)
        // A chunk holds at least one byte: a damaged count cannot make readers reserve more.
        guard slot < 2, index < count, count <= length else { throw .invalid("a chunk \(index) of \(count) in slot \(slot)") }
        return ChangelogChunk(partition: partition, slot: slot, index: index, count: count, checksum: checksum,
                              length: length, payload: bytes[r.position...])
    }
}

/// Joins chunks back into records: per (partition, slot) the chunks of one record, until
/// all are there. A chunk of another record (other CRC, length or count) starts over.
public struct ChangelogAssembly: Sendable {
    private struct Pending: Sendable {
        var checksum: UInt32
        var length: Int
        var pieces: [ArraySlice<UInt8>?]
    }

    private var pending: [Int64: Pending] = [:]

    public init() {}

    /// The whole record's bytes when `chunk` completes one whose CRC matches, else nil.
    public mutating func add(_ chunk: ChangelogChunk) -> [UInt8]? {
        let id = Int64(chunk.partition) << 1 | Int64(chunk.slot)
        var entry = pending[id] ?? Pending(checksum: chunk.checksum, length: chunk.length, pieces: [])
        if entry.checksum != chunk.checksum || entry.length != chunk.length || entry.pieces.count != chunk.count {
            entry = Pending(checksum: chunk.checksum, length: chunk.length, pieces: Array(repeating: nil, count: chunk.count))
        }
        entry.pieces[chunk.index] = chunk.payload
        guard entry.pieces.allSatisfy({ $0 != nil }) else {
            pending[id] = entry
            return nil
        }
        pending[id] = nil
        let bytes = entry.pieces.flatMap { $0! }
        guard bytes.count == entry.length, CRC32.checksum(bytes) == entry.checksum else { return nil }
        return bytes
    }
}
