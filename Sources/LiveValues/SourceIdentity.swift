/// What a checkpoint's offsets were taken against, so that they are never resumed in
/// someone else's log: the Kafka cluster's id (from metadata), the topic's id where the
/// client can see one, and how many partitions the topic had.
///
/// librdkafka 2.0.2 does not expose topic ids (its metadata has none), so `topicID` stays
/// nil for now; a topic deleted and recreated on the same cluster is then recognised only
/// by a saved offset beyond a partition's end.
public struct SourceIdentity: Equatable, Sendable {
    public var clusterID: String?
    public var topicID: String?
    public var partitionCount: Int

    public init(clusterID: String?, topicID: String?, partitionCount: Int) {
        self.clusterID = clusterID
        self.topicID = topicID
        self.partitionCount = partitionCount
    }
}

/// Why saved offsets cannot be resumed against what the brokers have now.
public enum ResumeMismatch: Equatable, Sendable {
    case cluster(saved: String, found: String)
    case topicID(saved: String, found: String)
    /// The topic has fewer partitions than when the checkpoint was taken.
    case partitionCount(saved: Int, found: Int)
    /// A saved offset lies past the partition's end: the log was recreated or replaced.
    case offsetBeyondEnd(partition: Int32, saved: Int64, end: Int64)

    /// The first reason the saved offsets do not belong to this log, or nil when they may.
    /// `saved` is nil for a state file written before identities were recorded: then only
    /// the offsets are checked. `ends` holds each partition's end end offset;
    /// a saved partition missing from it no longer exists.
    public static func find(saved: SourceIdentity?, offsets: [Int32: Int64], current: SourceIdentity,
                            ends: [Int32: Int64]) -> ResumeMismatch? {
        if let was = saved?.clusterID, let now = current.clusterID, was != now { return .cluster(saved: was, found: now) }
        if let was = saved?.topicID, let now = current.topicID, was != now { return .topicID(saved: was, found: now) }
        if let was = saved?.partitionCount, was > current.partitionCount {
            return .partitionCount(saved: was, found: current.partitionCount)
        }
        for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            guard let end = ends[partition] else {
                return .partitionCount(saved: max(saved?.partitionCount ?? 0, Int(partition) + 1), found: current.partitionCount)
            }
            if offset > end { return .offsetBeyondEnd(partition: partition, saved: offset, end: end) }
        }
        return nil
    }

    /// One line naming the state file and what differs, and the way out.
    public func message(stateFile: String, topic: String) -> String {
        let what = switch self {
        case .cluster(let saved, let found):
            "was taken on Kafka cluster \(saved), but these brokers are cluster \(found)"
        case .topicID(let saved, let found):
            "was taken on topic '\(topic)' with id \(saved), but the topic now has id \(found) (it was recreated)"
        case .partitionCount(let saved, let found):
            "was taken when '\(topic)' had \(saved) partitions; it now has \(found)"
        case .offsetBeyondEnd(let partition, let saved, let end):
            "continues partition \(partition) of '\(topic)' at offset \(saved), but that partition ends at offset \(end) "
                + "(the topic was recreated, or this is another cluster)"
        }
        return "state file \(stateFile) \(what); its offsets do not belong to this log. "
            + "Pass --reset-state to start over from zero, or point -b at the cluster it was taken on"
    }
}
