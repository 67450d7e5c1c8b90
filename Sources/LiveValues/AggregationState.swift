import Analytics

/// The part of an aggregation that must survive a restart: everything counted, and per
/// partition how far it was read and its watermark.
public struct AggregationState: Equatable, Sendable {
    public var counts = Counts()
    /// Segments, distinct users, trending and repeat buyers (SPEC §7).
    public var summary = BehaviorSummary()
    public var batches = 0
    public var globalWatermark: Int64?
    public var partitions: [PartitionProgress] = []

    public init() {}

    /// Each partition's next offset to read: what a commit records.
    public var nextOffsets: [Int32: Int64] {
        Dictionary(uniqueKeysWithValues: partitions.compactMap { p in p.nextOffset.map { (p.partition, $0) } })
    }
}

extension AggregationState {
    /// The state as a reader that takes it over at `now` sees it (a changelog viewer, each
    /// time it merges): every partition active now, and each partition of `ends` given
    /// that end offset, added (read from nowhere yet) when the state has none.
    public func takenOver(now: Int64, ends: [Int32: Int64], boundMs: Int64) -> AggregationState {
        var state = self
        for i in state.partitions.indices { state.partitions[i].lastActivityMs = now }
        for (partition, end) in ends {
            if let i = state.partitions.firstIndex(where: { $0.partition == partition }) {
                state.partitions[i].endOffset = end
            } else {
                var progress = PartitionProgress(partition: partition, boundMs: boundMs, now: now)
                progress.endOffset = end
                state.partitions.append(progress)
            }
        }
        return state
    }
}
