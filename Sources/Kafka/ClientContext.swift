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

    /// Set by a consumer that joins a group (`KafkaConsumer.subscribe`); called on the
    /// thread that consumes, from inside librdkafka's rebalance callback.
    let rebalanceHandler = Mutex<KafkaConsumer.RebalanceHandler?>(nil)

    init(log: KafkaLog) {
        self.log = log
    }

    func record(error code: rd_kafka_resp_err_t, reason: String) {
        if code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN { brokersDown.store(true, ordering: .relaxed) }
        // Not logged: librdkafka logs the same event itself; callers show `lastErrorText`.
        lastError.withLock { $0 = reason }
    }

    /// librdkafka's log lines arrive here from its own threads, right away (unlike the
    /// error callback, which waits for a poll).
    func record(log message: KafkaLogMessage) {
        if message.level <= 3 { lastError.withLock { $0 = Self.tidy(message.text) } }
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
}
