import CRdKafka
import Synchronization

/// What librdkafka's callbacks report back to a client: passed as the handle's opaque
/// pointer and kept alive by the client object until after `rd_kafka_destroy`.
final class ClientContext: Sendable {
    let log: KafkaLog
    let delivered = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    /// Set by the error callback on "all brokers down", cleared when data flows again.
    let brokersDown = Atomic<Bool>(false)
    private let firstFailure = Mutex<String?>(nil)
    private let lastError = Mutex<String?>(nil)
    /// The last error that was a refusal by TLS or SASL, kept when a plain "Disconnected"
    /// follows it (it always does): that one says what to fix.
    private let lastRefusal = Mutex<(problem: ConnectionProblem, reason: String)?>(nil)

    /// Set by a consumer that joins a group (`KafkaConsumer.subscribe`); called on the
    /// thread that consumes, from inside librdkafka's rebalance callback.
    let rebalanceHandler = Mutex<KafkaConsumer.RebalanceHandler?>(nil)

    /// Told each tagged message's delivery report (see `KafkaProducer.produce(…tag:)`), on
    /// the thread that polls.
    let onTaggedDelivery: (@Sendable (_ tag: Int, _ failure: String?) -> Void)?

    init(log: KafkaLog, onTaggedDelivery: (@Sendable (_ tag: Int, _ failure: String?) -> Void)? = nil) {
        self.log = log
        self.onTaggedDelivery = onTaggedDelivery
    }

    func record(error code: rd_kafka_resp_err_t, reason: String) {
        if code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN { brokersDown.store(true, ordering: .relaxed) }
        // Not logged: librdkafka logs the same event itself; callers show `lastErrorText`.
        lastError.withLock { $0 = reason }
        if let problem = ConnectionProblem(code: code, reason: reason) { lastRefusal.withLock { $0 = (problem, reason) } }
    }

    /// librdkafka's log lines arrive here from its own threads, right away (unlike the
    /// error callback, which waits for a poll).
    func record(log message: KafkaLogMessage) {
        if message.level <= 3 {
            let reason = Self.tidy(message.text)
            lastError.withLock { $0 = reason }
            if let problem = ConnectionProblem(code: nil, reason: reason) { lastRefusal.withLock { $0 = (problem, reason) } }
        }
        log.write(message)
    }

    /// librdkafka's log text without thread and broker prefixes or timing suffixes:
    /// "Connect to ipv4#127.0.0.1:1 failed: Connection refused".
    static func tidy(_ text: String) -> String {
        var text = Substring(text)
        if text.hasPrefix("[thrd:"), let end = text.firstRange(of: "]: ") { text = text[end.upperBound...] }
        if let colon = text.firstRange(of: ": "), text[..<colon.lowerBound].contains("/"),
            !text[..<colon.lowerBound].contains(" ") {
            text = text[colon.upperBound...]
        }
        if let timing = text.firstRange(of: " (after ") { text = text[..<timing.lowerBound] }
        return String(text)
    }

    func recordDelivery(_ code: rd_kafka_resp_err_t, tag: UnsafeMutableRawPointer?) {
        recordDelivery(code)
        if let tag, let onTaggedDelivery {
            onTaggedDelivery(Int(bitPattern: tag), code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : describe(code))
        }
    }

    func recordDelivery(_ code: rd_kafka_resp_err_t) {
        if code == RD_KAFKA_RESP_ERR_NO_ERROR {
            delivered.add(1, ordering: .relaxed)
        } else {
            failed.add(1, ordering: .relaxed)
            firstFailure.withLock { if $0 == nil { $0 = describe(code) } }
        }
    }

    var firstDeliveryFailure: String? { firstFailure.withLock { $0 } }
    var lastErrorText: String? { lastError.withLock { $0 } }

    /// The brokers did not answer within the bound: why, from librdkafka's errors —
    /// refused by TLS or SASL when one said so, else unreachable with the last one.
    func connectionFailure(brokers: String, timeoutMs: Int32, code: rd_kafka_resp_err_t) -> KafkaError {
        if let refusal = lastRefusal.withLock({ $0 }) {
            return .refused(refusal.problem, brokers: brokers, detail: refusal.reason)
        }
        return .unreachable(brokers: brokers, timeoutMs: timeoutMs, detail: lastErrorText ?? describe(code))
    }
}
