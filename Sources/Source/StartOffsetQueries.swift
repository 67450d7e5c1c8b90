import Kafka
import LiveValues

extension StartOffsetPlanner {
    /// Asks `consumer` what the planner needs, one batched call per question, until it
    /// decides: `.start` or `.refuse`, never `.ask`. Records are read (a search by time
    /// the brokers cannot do) by a probe of its own, made when first needed.
    public mutating func decide(asking consumer: KafkaConsumer, topic: String, timeoutMs: Int32) throws(KafkaError) -> Decision {
        var probe: RecordProbe?
        while true {
            switch next() {
            case .ask(.offsetRanges(let asked)):
                learn(ranges: try consumer.queryOffsetRanges(topic: topic, partitions: asked, timeoutMs: timeoutMs))
            case .ask(.committedOffsets(let asked)):
                learn(committed: try consumer.committedOffsets(topic: topic, partitions: asked, timeoutMs: timeoutMs))
            case .ask(.offsetsAtOrAfter(let time, let asked)):
                learn(offsetsAt: time, try consumer.offsets(atOrAfter: time, topic: topic, partitions: asked, timeoutMs: timeoutMs))
            case .ask(.recordsAt(let asked)):
                if probe == nil { probe = try consumer.makeProbe() }
                learn(records: try probe!.firstRecords(topic: topic, at: asked, timeoutMs: timeoutMs), at: asked)
            case let decision:
                return decision
            }
        }
    }
}
