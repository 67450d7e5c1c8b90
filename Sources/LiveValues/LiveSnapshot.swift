/// How the connection to Kafka is doing, for the header and the logs.
public enum SourceStatus: Equatable, Sendable {
    /// Waiting for the brokers' first answer.
    case connecting
    /// Reading, or caught up.
    case live
    /// Connected but not progressing while records wait.
    case stalled
    /// The brokers are down; retrying. The text says why.
    case disconnected(String)
    /// Cannot continue (unknown topic, bad configuration).
    case failed(String)
}

/// How the pipeline keeps up: Flink's backpressure view of the reader and aggregator.
public struct PipelineStats: Equatable, Sendable {
    /// Share of wall time the Kafka reader spent blocked on the full queue, 0…1.
    public var readerBlockedShare = 0.0
    /// Share of wall time the aggregator spent working, 0…1.
    public var aggregatorBusyShare = 0.0
    /// How full the queue between them is, 0…1.
    public var queueFill = 0.0
    /// Records read from Kafka per second.
    public var arrivalPerSecond = 0.0
    /// Total lag sampled once a second, oldest first (for its trend).
    public var lagHistory: [Int64] = []

    public init() {}

    /// Flink's levels: OK ≤ 10 %, LOW ≤ 50 %, HIGH above.
    public enum Level: String, Sendable {
        case ok = "OK"
        case low = "LOW"
        case high = "HIGH"

        public init(share: Double) {
            self = share <= 0.10 ? .ok : share <= 0.50 ? .low : .high
        }
    }
}

/// Everything a dashboard frame or a headless summary needs, as one value.
public struct LiveSnapshot: Equatable, Sendable {
    public var aggregate: AggregateSnapshot
    public var pipeline: PipelineStats
    public var status: SourceStatus
    /// Why the last checkpoint could not be saved, until one is (with --state).
    public var checkpointProblem: String?
    /// Records already in the topic that this watch will not read (see `EarlierRecords`).
    public var earlierRecords: Int64
    /// A changelog viewer's skipped messages and unavailable partitions (nil for one process).
    public var changelog: ChangelogHealth?

    public init(aggregate: AggregateSnapshot = AggregateSnapshot(), pipeline: PipelineStats = PipelineStats(),
                status: SourceStatus = .connecting, checkpointProblem: String? = nil, earlierRecords: Int64 = 0,
                changelog: ChangelogHealth? = nil) {
        self.aggregate = aggregate
        self.pipeline = pipeline
        self.status = status
        self.checkpointProblem = checkpointProblem
        self.earlierRecords = earlierRecords
        self.changelog = changelog
    }
}

/// Records that were in the topic before a watch that started at the end of partitions
/// (`--from latest`, or `committed` where the group has no offset), and that it therefore
/// does not read. Said on screen and in the summary, so an empty dashboard over a full
/// topic is never a mystery.
public enum EarlierRecords {
    /// A partition's log start offset and the offset the watch started it at.
    public struct LogRange: Sendable {
        public var logStart: Int64
        public var start: Int64

        public init(logStart: Int64, start: Int64) {
            self.logStart = logStart
            self.start = start
        }
    }

    public static func count(_ ranges: [LogRange]) -> Int64 {
        ranges.reduce(0) { $0 + max(0, $1.start - $1.logStart) }
    }
}
