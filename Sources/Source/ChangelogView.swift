import Aggregation
import Checkpoint

/// What a changelog says: per source partition the newest state, by (epoch, next offset),
/// so a zombie writer of an older group generation never replaces newer state, and a
/// state read twice or out of order changes nothing. Pure: fed records, asked for the
/// merged state.
public struct ChangelogView: Sendable {
    public private(set) var newest: [Int32: ChangelogRecord] = [:]
    /// Messages that are not changelog records of this format (skipped, and counted).
    public private(set) var unreadable = 0
    private var assembly = ChangelogAssembly()

    public init() {}

    /// Keeps `record` if it supersedes what the partition had; true when it did.
    @discardableResult
    public mutating func apply(_ record: ChangelogRecord) -> Bool {
        if let current = newest[record.partition], !record.supersedes(current) { return false }
        newest[record.partition] = record
        return true
    }

    /// Decodes and applies one message's value: a record, or a chunk of one (applied when
    /// its last chunk arrives).
    @discardableResult
    public mutating func apply(message bytes: [UInt8]) -> Bool {
        var bytes = bytes
        if ChangelogChunk.isChunk(bytes) {
            guard let chunk = try? ChangelogChunk.decode(bytes) else {
                unreadable += 1
                return false
            }
            guard let whole = assembly.add(chunk) else { return false }
            bytes = whole
        }
        guard let record = try? ChangelogCodec.decode(bytes) else {
            unreadable += 1
            return false
        }
        return apply(record)
    }

    /// The semantics every state was counted with (the first partition's; workers refuse to
    /// continue a state counted with other semantics).
    public var semantics: Checkpoint.Semantics? { newest.min { $0.key < $1.key }?.value.semantics }
    public var sourceTopic: String? { newest.min { $0.key < $1.key }?.value.sourceTopic }

    /// The newest states of all partitions merged: what one aggregation over the whole
    /// topic would hold.
    public func merged() -> AggregationState {
        var state = AggregationState()
        for partition in newest.keys.sorted() { state.merge(newest[partition]!.state) }
        return state
    }
}
