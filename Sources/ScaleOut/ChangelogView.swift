import Checkpoint
import LiveValues

/// What a changelog says: per source partition the newest state, by (epoch, next offset),
/// so a zombie writer of an older group generation never replaces newer state, and a
/// state read twice or out of order changes nothing. Pure: fed records, asked for the
/// merged state.
///
/// Messages are read as far as their header; a state's body (semantics and the state
/// itself) is decoded only when it is still the newest when asked for — a reader that
/// starts on a changelog meets every state the brokers kept, most of them superseded.
public struct ChangelogView: Sendable {
    /// A partition whose newest state has a readable header but a body that cannot be
    /// decoded: it counts for nothing until a newer state replaces it (a worker recounts
    /// the partition from its source and publishes one that supersedes it).
    public struct Unreadable: Sendable {
        public var entry: ChangelogEntry
        public var reason: String
    }

    public private(set) var newest: [Int32: ChangelogEntry] = [:]
    /// Messages that are not changelog records of this format, and newest states whose
    /// body cannot be read (skipped, and counted).
    public private(set) var unreadable = 0
    /// Partitions whose newest state cannot be read, found by `records()`.
    public private(set) var unavailable: [Int32: Unreadable] = [:]
    private var assembly = ChangelogAssembly()
    /// The decoded body of each partition's newest entry, once asked for.
    private var decoded: [Int32: ChangelogRecord] = [:]

    public init() {}

    /// Keeps `entry` if it supersedes what the partition had; true when it did.
    @discardableResult
    public mutating func apply(_ entry: ChangelogEntry) -> Bool {
        if let current = newest[entry.partition], !entry.supersedes(current) { return false }
        newest[entry.partition] = entry
        decoded[entry.partition] = nil
        unavailable[entry.partition] = nil
        return true
    }

    /// Reads one message's header and applies it: a record, or a chunk of one (applied
    /// when its last chunk arrives). `position` is where it was read, for messages.
    @discardableResult
    public mutating func apply(message bytes: [UInt8], at position: ChangelogPosition? = nil) -> Bool {
        var bytes = bytes
        if ChangelogChunk.isChunk(bytes) {
            guard let chunk = try? ChangelogChunk.decode(bytes) else {
                unreadable += 1
                return false
            }
            guard let whole = assembly.add(chunk) else { return false }
            bytes = whole
        }
        guard var entry = try? ChangelogCodec.decodeHeader(bytes) else {
            unreadable += 1
            return false
        }
        entry.position = position
        return apply(entry)
    }

    /// The newest record of each partition, decoded (each body once). A newest state whose
    /// body cannot be read makes its partition `unavailable` (and counts in `unreadable`):
    /// it stays the newest, so an older state never passes for the partition's counts.
    public mutating func records() -> [Int32: ChangelogRecord] {
        for (partition, entry) in newest where decoded[partition] == nil && unavailable[partition] == nil {
            do {
                decoded[partition] = try entry.record()
            } catch {
                unavailable[partition] = Unreadable(entry: entry, reason: error.description)
                unreadable += 1
            }
        }
        return decoded
    }

    /// The semantics every state was counted with (the first partition's; workers refuse to
    /// continue a state counted with other semantics).
    public mutating func semantics() -> Checkpoint.Semantics? { records().min { $0.key < $1.key }?.value.semantics }
    public var sourceTopic: String? { newest.min { $0.key < $1.key }?.value.sourceTopic }

    /// The newest states of all partitions merged: what one aggregation over the whole
    /// topic would hold (without the unavailable partitions), in the rings the states were
    /// counted in, not the defaults: the shortest hold among them (so the merged rings never
    /// claim more than every part holds), its phase and half-life.
    public mutating func merged() -> AggregationState {
        let records = records()
        let shortest = records.min { ($0.value.state.windows.holdBins, $0.key) < ($1.value.state.windows.holdBins, $1.key) }
        var state = shortest?.value.state.empty ?? AggregationState()
        for partition in records.keys.sorted() { state.merge(records[partition]!.state) }
        return state
    }
}
