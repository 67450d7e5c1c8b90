import Aggregation
import Kafka

extension StartOffsetPlanner {
    /// Asks `consumer` what the planner needs, one batched call per question, until it
    /// decides: `.start`, `.refuse` or `.timeLookupUnsupported`, never `.ask`.
    mutating func decide(asking consumer: KafkaConsumer, topic: String, timeoutMs: Int32) throws(KafkaError) -> Decision {
        while true {
            switch next() {
            case .ask(.offsetRanges(let asked)):
                learn(ranges: try consumer.queryOffsetRanges(topic: topic, partitions: asked, timeoutMs: timeoutMs))
            case .ask(.committedOffsets(let asked)):
                learn(committed: try consumer.committedOffsets(topic: topic, partitions: asked, timeoutMs: timeoutMs))
            case .ask(.offsetsAtOrAfter(let time, let asked)):
                learn(offsetsAt: time, try consumer.offsets(atOrAfter: time, topic: topic, partitions: asked, timeoutMs: timeoutMs))
            case let decision:
                return decision
            }
        }
    }
}

/// The brokers do not find offsets by time.
struct UnsupportedLookup: Error, CustomStringConvertible {
    var description: String {
        "the brokers cannot find records by time, so --from with a day cannot work here "
            + "(librdkafka's mock cluster, as in `tbdash broker` and `demo`, cannot); use --from earliest"
    }
}
