import CRdKafka

/// A failure talking to Kafka, in words that name what to fix.
public enum KafkaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `-X key=value` librdkafka refused, or a client that could not be created.
    case configuration(String)
    /// The brokers did not answer within the bound.
    case unreachable(brokers: String, seconds: Int, detail: String)
    case unknownTopic(String)
    /// Any other librdkafka error, with what we were doing.
    case operation(String, detail: String)

    public var description: String {
        switch self {
        case .configuration(let detail): detail
        case .unreachable(let brokers, let seconds, let detail):
            "cannot reach Kafka at \(brokers) within \(seconds) s (\(detail)); "
                + "start one with `tbdash broker` or pass --brokers"
        case .unknownTopic(let topic): "topic '\(topic)' does not exist; produce to it first or pass --topic"
        case .operation(let what, let detail): "\(what): \(detail)"
        }
    }
}

/// librdkafka's text for an error code.
func describe(_ code: rd_kafka_resp_err_t) -> String {
    String(cString: rd_kafka_err2str(code))
}

/// The text librdkafka wrote into an error buffer.
func text(of buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
