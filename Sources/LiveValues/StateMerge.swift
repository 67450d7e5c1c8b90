import Analytics

extension Counts {
    /// Adds the counts of events this value did not see (another partition, another
    /// worker): every table sums, the largest lateness is the larger one. Exact.
    public mutating func merge(_ other: Counts) {
        events += other.events
        late += other.late
        maxLatenessMs = max(maxLatenessMs, other.maxLatenessMs)
        noEventTime += other.noEventTime
        for path in [\Counts.action, \.ageRange, \.gender, \.province, \.perDay, \.rejected] as [WritableKeyPath<Counts, [Int]>] {
            for i in self[keyPath: path].indices { self[keyPath: path][i] += other[keyPath: path][i] }
        }
    }
}

extension AggregationState {
    /// Adds the state of other partitions (a scale-out viewer merges one state per
    /// partition). Lateness is judged per partition, so merging the states of any split
    /// of the partitions gives the state of one aggregation over all of them: counts and
    /// the segment cube exactly, the summaries within their bounds.
    ///
    /// `batches` sums the parts' micro-batches (a count of folds, not of anything in the
    /// data); the global watermark is the smallest of the parts' (each part's is already
    /// the minimum over its own active partitions). Partitions are expected to be
    /// disjoint; if one appears on both sides, the one read further wins.
    public mutating func merge(_ other: AggregationState) {
        counts.merge(other.counts)
        summary.merge(other.summary)
        batches += other.batches
        switch (globalWatermark, other.globalWatermark) {
        case (let a?, let b?): globalWatermark = min(a, b)
        case (nil, let b): globalWatermark = b
        default: break
        }
        for progress in other.partitions {
            if let index = partitions.firstIndex(where: { $0.partition == progress.partition }) {
                if (progress.nextOffset ?? -1) > (partitions[index].nextOffset ?? -1) { partitions[index] = progress }
            } else {
                partitions.append(progress)
            }
        }
        partitions.sort { $0.partition < $1.partition }
    }
}
