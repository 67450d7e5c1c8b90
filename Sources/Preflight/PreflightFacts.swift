/// What `tbdash check` found out about a cluster, a topic and a group: gathered by the
/// command (the I/O), read by `Preflight.lines` (no I/O), so every verdict is testable.
public struct PreflightFacts: Equatable, Sendable {
    /// The bootstrap brokers as given.
    public var brokers: String
    /// `security.protocol` (and `sasl.mechanism`) as configured: what the connection used.
    public var security: String
    public var connection: Connection
    public var topic: TopicOutcome?
    public var group: GroupOutcome?
    public var sample: SampleFacts?
    /// Given with `--event-time`: whether retention would delete a replay stamped with event time.
    public var replay: ReplayFacts?
    /// ms since 1970.
    public var nowMs: Int64

    public init(brokers: String, security: String, connection: Connection, nowMs: Int64) {
        self.brokers = brokers
        self.security = security
        self.connection = connection
        self.nowMs = nowMs
    }

    public enum Connection: Equatable, Sendable {
        /// The brokers answered a metadata request after `milliseconds`.
        case reached(milliseconds: Int64, clusterID: String?, brokerCount: Int)
        /// Nothing answered: the one-line failure, which names the fix.
        case unreachable(String)
        /// The brokers answer but TLS or SASL refused the connection: the classified line.
        case refused(String)
    }

    public enum TopicOutcome: Equatable, Sendable {
        case exists(name: String, partitions: Int, configuration: TopicConfiguration)
        /// Absent or refused: the one-line failure.
        case failed(String)
    }

    /// The topic's configuration entries as DescribeConfigs gives them.
    public enum TopicConfiguration: Equatable, Sendable {
        case described([String: String])
        /// The brokers have no DescribeConfigs (librdkafka's mock cluster, `tbdash broker`).
        case notSupported
        /// The brokers refused or failed the request: why.
        case failed(String)

        var entries: [String: String]? {
            if case .described(let entries) = self { entries } else { nil }
        }
    }

    public enum GroupOutcome: Equatable, Sendable {
        case read(name: String, partitions: [PartitionLag])
        case failed(String)
    }

    /// One partition's log and the group's place in it.
    public struct PartitionLag: Equatable, Sendable {
        public var partition: Int32
        public var logStart: Int64
        public var end: Int64
        /// The group's committed next offset; nil without a commit.
        public var committed: Int64?
        /// The record time the unread records span: the newest record's timestamp minus the
        /// one at the committed offset; nil where it could not be read.
        public var lagMs: Int64?

        public init(partition: Int32, logStart: Int64, end: Int64, committed: Int64?, lagMs: Int64? = nil) {
            self.partition = partition
            self.logStart = logStart
            self.end = end
            self.committed = committed
            self.lagMs = lagMs
        }

        /// Records behind the end; nil without a commit.
        public var lagRecords: Int64? { committed.map { max(0, end - $0) } }
    }

    /// The newest records of every partition, decoded.
    public struct SampleFacts: Equatable, Sendable {
        public var records: Int
        public var events: Int
        /// Rejected records by reason key (`missing_field`, …).
        public var rejections: [String: Int]
        /// The top-level field names of the rejected records that are JSON objects.
        public var fieldNames: Set<String>
        /// The values seen in the field a suggested map reads the action from.
        public var actionValues: [String: Set<String>]

        public init(records: Int, events: Int, rejections: [String: Int] = [:], fieldNames: Set<String> = [],
                    actionValues: [String: Set<String>] = [:]) {
            self.records = records
            self.events = events
            self.rejections = rejections
            self.fieldNames = fieldNames
            self.actionValues = actionValues
        }
    }

    public struct ReplayFacts: Equatable, Sendable {
        /// The timestamp of the oldest record the topic holds; nil when it is empty.
        public var oldestRecordMs: Int64?

        public init(oldestRecordMs: Int64?) {
            self.oldestRecordMs = oldestRecordMs
        }
    }
}
