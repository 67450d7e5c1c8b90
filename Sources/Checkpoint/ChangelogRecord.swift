import Aggregation
import Analytics

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

    /// Whether this record should replace `other` as the partition's newest state.
    public func supersedes(_ other: ChangelogRecord) -> Bool {
        (epoch, nextOffset) >= (other.epoch, other.nextOffset)
    }

    /// The message key: the source partition as decimal text.
    public static func key(partition: Int32) -> [UInt8] { Array("\(partition)".utf8) }
}

/// The changelog message format: `tbcl`, a version byte, the record's header fields, then
/// the semantics and state exactly as the state file encodes them (`AggregationStateCodec`).
/// No checksum of its own: Kafka's record batches carry a CRC-32C.
public enum ChangelogCodec {
    public static let magic: [UInt8] = Array("tbcl".utf8)
    public static let formatVersion: UInt8 = 1

    public static func encode(_ record: ChangelogRecord) -> [UInt8] {
        var w = BinaryWriter(reservingCapacity: 1 << 14)
        for byte in magic { w.write(byte) }
        w.write(formatVersion)
        w.write(bytes: Array(record.sourceTopic.utf8))
        w.write(varint: UInt64(record.partition))
        w.write(signedVarint: Int64(record.epoch))
        w.write(bytes: Array(record.writer.utf8))
        w.write(signedVarint: record.publishedAtMs)
        AggregationStateCodec.write(record.semantics, to: &w)
        AggregationStateCodec.write(record.state, to: &w)
        return w.bytes
    }

    /// Reads a changelog message; a message of another format or version, or damaged, is
    /// an error naming why (readers skip it and say so, never misread it).
    public static func decode(_ bytes: [UInt8]) throws(SummaryDecodingError) -> ChangelogRecord {
        guard bytes.count > magic.count, Array(bytes[..<magic.count]) == magic else {
            throw .invalid("not a tbdash changelog record")
        }
        var r = BinaryReader(bytes, position: magic.count)
        let version = try r.readByte()
        guard version == formatVersion else { throw .invalid("changelog record version \(version) (this tbdash reads \(formatVersion))") }
        do {
            let topic = try r.readText()
            let partition = Int32(try r.readCount(atMost: Int(Int32.max)))
            let epochValue = try r.readSignedVarint()
            guard let epoch = Int32(exactly: epochValue) else { throw SummaryDecodingError.invalid("an epoch out of range") }
            let writer = try r.readText()
            let publishedAt = try r.readSignedVarint()
            let config = try AggregationStateCodec.readConfig(&r)
            let state = try AggregationStateCodec.read(&r, boundMs: config.outOfOrdernessMs)
            guard r.isAtEnd else { throw SummaryDecodingError.invalid("bytes after the state") }
            guard state.partitions.map(\.partition) == [partition] else {
                throw SummaryDecodingError.invalid("a state of other partitions than its key's")
            }
            return ChangelogRecord(sourceTopic: topic, partition: partition, epoch: epoch, writer: writer,
                                   publishedAtMs: publishedAt, semantics: Checkpoint.Semantics(config), state: state)
        } catch let error as SummaryDecodingError {
            throw error
        } catch {
            throw .invalid("\(error)")
        }
    }
}
