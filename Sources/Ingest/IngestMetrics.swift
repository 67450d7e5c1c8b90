import UserBehavior

/// What `GET /metrics` of ingest reports, in Prometheus' text format: requests by status,
/// events accepted and rejected by reason, a request latency histogram, the queue depth.
/// Fixed-size counters: memory is the same whatever arrives.
public struct IngestMetrics: Sendable {
    /// The statuses ingest answers; any other is counted under 0.
    static let statuses = [200, 204, 207, 400, 401, 404, 405, 413, 414, 415, 429, 503]
    /// Upper bounds of the latency buckets, in seconds (then +Inf).
    static let latencyBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private var requests = [Int](repeating: 0, count: statuses.count + 1)
    private var latencyBuckets = [Int](repeating: 0, count: latencyBounds.count + 1)
    private var latencySum = 0.0
    private var accepted = 0
    private var rejected = [Int](repeating: 0, count: RejectionReason.count)

    public init() {}

    /// One answered request of the event paths (with its latency) or of the others.
    public mutating func record(status: Int, seconds: Double?) {
        requests[Self.statuses.firstIndex(of: status).map { $0 + 1 } ?? 0] += 1
        if let seconds {
            latencyBuckets[Self.latencyBounds.firstIndex { seconds <= $0 } ?? Self.latencyBounds.count] += 1
            latencySum += seconds
        }
    }

    /// Events delivered to Kafka.
    public mutating func recordAccepted(_ count: Int) { accepted += count }

    public mutating func recordRejected(_ reason: RejectionReason) { rejected[reason.rawValue] += 1 }

    public var acceptedEvents: Int { accepted }

    /// The exposition, with the queue's state now.
    public func exposition(outstandingEvents: Int, maxOutstandingEvents: Int, kafkaReachable: Bool) -> String {
        var text = "# HELP tbdash_ingest_requests_total Requests answered, by status.\n# TYPE tbdash_ingest_requests_total counter\n"
        for (n, count) in requests.enumerated() {
            let status = n == 0 ? "other" : String(Self.statuses[n - 1])
            text += "tbdash_ingest_requests_total{status=\"\(status)\"} \(count)\n"
        }
        text += "# HELP tbdash_ingest_events_accepted_total Events delivered to Kafka.\n# TYPE tbdash_ingest_events_accepted_total counter\n"
        text += "tbdash_ingest_events_accepted_total \(accepted)\n"
        text += "# HELP tbdash_ingest_events_rejected_total Events refused by the decoder, by reason.\n# TYPE tbdash_ingest_events_rejected_total counter\n"
        for reason in RejectionReason.allCases {
            text += "tbdash_ingest_events_rejected_total{reason=\"\(reason.key)\"} \(rejected[reason.rawValue])\n"
        }
        text += "# HELP tbdash_ingest_request_seconds Time from a whole request to its answer, event paths only.\n# TYPE tbdash_ingest_request_seconds histogram\n"
        var cumulative = 0
        for (n, bound) in Self.latencyBounds.enumerated() {
            cumulative += latencyBuckets[n]
            text += "tbdash_ingest_request_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += latencyBuckets[Self.latencyBounds.count]
        text += "tbdash_ingest_request_seconds_bucket{le=\"+Inf\"} \(cumulative)\n"
        text += "tbdash_ingest_request_seconds_sum \(latencySum)\ntbdash_ingest_request_seconds_count \(cumulative)\n"
        text += "# HELP tbdash_ingest_queue_events Events admitted and waiting for their delivery report.\n# TYPE tbdash_ingest_queue_events gauge\n"
        text += "tbdash_ingest_queue_events \(outstandingEvents)\n"
        text += "# HELP tbdash_ingest_queue_capacity_events The bound on waiting events (--max-outstanding).\n# TYPE tbdash_ingest_queue_capacity_events gauge\n"
        text += "tbdash_ingest_queue_capacity_events \(maxOutstandingEvents)\n"
        text += "# HELP tbdash_ingest_kafka_reachable 1 when the last deliveries succeeded.\n# TYPE tbdash_ingest_kafka_reachable gauge\n"
        text += "tbdash_ingest_kafka_reachable \(kafkaReachable ? 1 : 0)\n"
        return text
    }
}
