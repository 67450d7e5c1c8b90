import UserBehavior

/// Group commit for ingest: which requests are let in, and when each is answered.
///
/// The events of every admitted request go into one producer's queue as they come, so
/// requests that arrive together are sent together (librdkafka batches them per
/// partition); a request is answered when the delivery report of each of its events has
/// arrived — 200 (or 207) only when every accepted event is in Kafka (idempotent, acks=all),
/// 503 with `Retry-After` when one failed or the deadline passed first. It never answers
/// 200 for an event Kafka does not have.
///
/// Memory is bounded by `maxOutstandingEvents`: events admitted and not yet reported. A
/// request that would pass it is refused with 429 and `Retry-After` (it fits in a moment);
/// one with more events than the whole bound, with 413. After a failed delivery, requests
/// are refused with 503 for `retryAfterSeconds` (Kafka is unreachable; waiting the
/// deadline out for each would only hold connections), then let in again to try: a
/// circuit breaker that closes by itself. (Not librdkafka's "all brokers down": that
/// flag clears only when data flows, and refusing every request until then would keep
/// it set forever — an earlier version stayed at 503 after the broker came back.)
///
/// Sans-I/O: the caller passes the time (`nowMs`, any monotonic milliseconds) and the
/// delivery reports in, and carries the answers out.
public struct GroupCommit: Sendable {
    public struct Limits: Sendable {
        /// Events admitted and not yet reported, at most.
        public var maxOutstandingEvents: Int
        /// A request not wholly delivered within this is answered 503 (librdkafka's
        /// `message.timeout.ms` is set to it, so its reports come by then too).
        public var deliveryTimeoutMs: Int64
        /// What `Retry-After` says, and how long requests are refused after a failure.
        public var retryAfterSeconds: Int

        public init(maxOutstandingEvents: Int = 100_000, deliveryTimeoutMs: Int64 = 5_000, retryAfterSeconds: Int = 1) {
            self.maxOutstandingEvents = maxOutstandingEvents
            self.deliveryTimeoutMs = deliveryTimeoutMs
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public enum Admission: Equatable, Sendable {
        /// Produce the accepted events with this tag (non-zero), then wait for their reports.
        case admitted(tag: Int)
        /// Answer this now; nothing is produced.
        case answered(IngestAnswer)
    }

    /// A request answered: the tag it was admitted with and its answer.
    public struct Completion: Equatable, Sendable {
        public let tag: Int
        public let answer: IngestAnswer
    }

    private struct Pending: Sendable {
        var remaining: Int
        var failed = 0
        let accepted: Int
        let rejected: [Rejection]
        let deadlineMs: Int64
        var answered = false
    }

    public struct Rejection: Equatable, Sendable {
        public let index: Int
        public let reason: RejectionReason

        public init(index: Int, reason: RejectionReason) {
            self.index = index
            self.reason = reason
        }
    }

    public let limits: Limits
    private var pending: [Int: Pending] = [:]
    private var nextTag = 1
    /// Events admitted whose delivery report has not arrived.
    public private(set) var outstandingEvents = 0
    private var refusingUntilMs = Int64.min
    /// Set by `stopAdmitting`: every new request is 503.
    public private(set) var stopping = false

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Admits a decoded request with `accepted` events to produce and its rejections, or
    /// answers it at once.
    public mutating func admit(accepted: Int, rejected: [Rejection], nowMs: Int64) -> Admission {
        if accepted == 0 {
            if rejected.isEmpty { return .answered(.error(400, "no events: send a JSON event, an array of events, or one event per line")) }
            return .answered(outcomeAnswer(accepted: 0, rejected: rejected))
        }
        if stopping {
            return .answered(.error(503, "stopping: send to another instance or retry", retryAfterSeconds: limits.retryAfterSeconds))
        }
        if nowMs < refusingUntilMs {
            return .answered(.error(503, "Kafka is unreachable: nothing was sent, retry later", retryAfterSeconds: limits.retryAfterSeconds))
        }
        if accepted > limits.maxOutstandingEvents {
            return .answered(.error(413, "\(accepted) events in one request: at most \(limits.maxOutstandingEvents)"))
        }
        if outstandingEvents + accepted > limits.maxOutstandingEvents {
            return .answered(.error(429, "too many events waiting for Kafka: nothing was sent, retry later",
                                    retryAfterSeconds: limits.retryAfterSeconds))
        }
        let tag = nextTag
        nextTag = nextTag == Int.max ? 1 : nextTag + 1
        pending[tag] = Pending(remaining: accepted, accepted: accepted, rejected: rejected, deadlineMs: nowMs + limits.deliveryTimeoutMs)
        outstandingEvents += accepted
        return .admitted(tag: tag)
    }

    /// Delivery reports of `tag`'s events: `delivered` in Kafka, `failed` not (or refused
    /// by the producer's queue). The request's answer once its last report is in.
    public mutating func reports(tag: Int, delivered: Int, failed: Int, nowMs: Int64) -> Completion? {
        guard var request = pending[tag] else { return nil }
        let count = min(delivered + failed, request.remaining)
        request.remaining -= count
        outstandingEvents -= count
        request.failed += failed
        if failed > 0 { refusingUntilMs = max(refusingUntilMs, nowMs + Int64(limits.retryAfterSeconds) * 1000) }
        guard request.remaining == 0 else {
            pending[tag] = request
            return nil
        }
        pending[tag] = nil
        guard !request.answered else { return nil }
        if request.failed > 0 {
            return Completion(tag: tag, answer: .error(503, "Kafka did not take \(request.failed) of \(request.accepted) events: retry (the others may be in Kafka already)",
                                                      retryAfterSeconds: limits.retryAfterSeconds))
        }
        return Completion(tag: tag, answer: outcomeAnswer(accepted: request.accepted, rejected: request.rejected))
    }

    /// Requests past their deadline, answered 503 now; their reports are still awaited
    /// (their events stay outstanding until librdkafka reports them).
    public mutating func expire(nowMs: Int64) -> [Completion] {
        var expired: [Completion] = []
        for (tag, request) in pending where !request.answered && request.deadlineMs <= nowMs {
            pending[tag]!.answered = true
            expired.append(Completion(tag: tag, answer: .error(503, "Kafka did not confirm the events in time: retry (some may be in Kafka already)",
                                                               retryAfterSeconds: limits.retryAfterSeconds)))
        }
        if !expired.isEmpty { refusingUntilMs = max(refusingUntilMs, nowMs + Int64(limits.retryAfterSeconds) * 1000) }
        return expired.sorted { $0.tag < $1.tag }
    }

    /// From now on every request is refused (a graceful stop answers what is in flight).
    public mutating func stopAdmitting() { stopping = true }

    /// Requests admitted and not answered yet.
    public var unanswered: Int { pending.values.count { !$0.answered } }

    /// Whether a new request of one event would be let in now (for /healthz).
    public func isHealthy(nowMs: Int64) -> Bool {
        !stopping && !refusesAfterFailure(nowMs: nowMs) && outstandingEvents < limits.maxOutstandingEvents
    }

    /// Whether a delivery failed (or a deadline passed) less than `retryAfterSeconds` ago.
    public func refusesAfterFailure(nowMs: Int64) -> Bool { nowMs < refusingUntilMs }

    private func outcomeAnswer(accepted: Int, rejected: [Rejection]) -> IngestAnswer {
        .outcome(accepted: accepted, rejected: rejected.map { ($0.index, $0.reason) })
    }
}
