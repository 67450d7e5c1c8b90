import Aggregation
import Checkpoint
import LiveValues
import ScaleOut
import UserBehavior

/// A changelog message of topic "events" whose state holds only `partition`'s progress,
/// read up to `next`.
func changelogMessage(partition: Int32, epoch: Int32, next: Int64) throws -> [UInt8] {
    var state = AggregationState()
    var progress = PartitionProgress(partition: partition, boundMs: 300_000, now: 0)
    progress.nextOffset = next
    state.partitions = [progress]
    let config = AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
    return ChangelogCodec.encode(ChangelogRecord(sourceTopic: "events", partition: partition, epoch: epoch, writer: "w@h pid 1",
                                                 publishedAtMs: 0, semantics: Checkpoint.Semantics(config), state: state))
}
