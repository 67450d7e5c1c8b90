import CRdKafka
import Formatting

/// A failure talking to Kafka, in words that name what to fix.
public enum KafkaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `-X key=value` librdkafka refused, or a client that could not be created.
    case configuration(String)
    /// The brokers did not answer within the bound: nothing listens, or nothing got through.
    case unreachable(brokers: String, timeoutMs: Int32, detail: String)
    /// The brokers answer, but the connection fails at TLS or SASL: a setting, not an address.
    case refused(ConnectionProblem, brokers: String, detail: String)
    /// A topic the cluster does not have, with the names it has (to spot a typo).
    case unknownTopic(String, existing: [String] = [])
    /// The cluster's ACLs refuse this client the topic or the consumer group.
    case notAuthorized(AuthorizedResource, detail: String)
    /// Any other librdkafka error, with what we were doing.
    case operation(String, detail: String)

    public var description: String {
        switch self {
        case .configuration(let detail): detail
        case .unreachable(let brokers, let timeoutMs, let detail):
            "cannot reach Kafka at \(brokers) within \(OptionValue.durationText(milliseconds: Int64(timeoutMs))) (\(detail)); "
                + "start one with `tbdash broker` or pass --brokers"
        case .refused(let problem, let brokers, let detail): problem.line(brokers: brokers, detail: detail)
        case .unknownTopic(let topic, let existing):
            "topic '\(topic)' does not exist\(TopicNames.hint(for: topic, among: existing)); "
                + "produce to it first or pass --topic"
        case .notAuthorized(let resource, let detail): resource.line(detail: detail)
        case .operation(let what, let detail): "\(what): \(detail)"
        }
    }
}

extension KafkaError {
    /// librdkafka refused to create a client: most often a -X value, named in `reason`; a CA
    /// file it cannot read also says what the option wants.
    static func clientCreation(_ client: String, reason: String) -> KafkaError {
        let hint = reason.contains("ssl.ca.location")
            ? "; -X ssl.ca.location=FILE.pem must name a readable PEM file of the CA certificates that signed the brokers'" : ""
        return .configuration("cannot create \(client): \(reason)\(hint)")
    }
}

/// Why brokers that answer refuse the connection, each with the options that fix it.
public enum ConnectionProblem: Equatable, Sendable {
    /// The TLS handshake failed: most often TLS towards a plaintext listener.
    case tlsHandshake
    /// TLS works but the broker's certificate is not signed by a CA the client trusts.
    case certificateVerification
    /// The listener does not offer the SASL mechanism (or SASL at all).
    case saslMechanism
    /// SASL ran and the broker refused the credentials.
    case authentication

    /// Sorts librdkafka's last error (`RD_KAFKA_RESP_ERR__SSL`, `__AUTHENTICATION`, and its
    /// texts for them, which its log lines carry too); nil when it is none of these, so the
    /// brokers count as unreachable (`__TRANSPORT`, `__ALL_BROKERS_DOWN`, `__RESOLVE`, …).
    init?(code: rd_kafka_resp_err_t?, reason: String) {
        let text = reason.lowercased()
        if text.contains("certificate verify failed") || text.contains("certificate could not be verified") {
            self = .certificateVerification
        } else if code == RD_KAFKA_RESP_ERR__SSL || text.contains("ssl handshake failed") {
            self = .tlsHandshake
        } else if text.contains("sasl handshake not supported") || text.contains("unsupported sasl mechanism")
                    || text.contains("no worthy mechs") || text.contains("mechanism not supported") {
            self = .saslMechanism
        } else if code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED
                    || text.contains("authentication failed") || text.contains("sasl authentication error") {
            self = .authentication
        } else {
            return nil
        }
    }

    func line(brokers: String, detail: String) -> String {
        switch self {
        case .tlsHandshake:
            "TLS handshake with Kafka at \(brokers) failed (\(detail)); a plaintext listener takes "
                + "-X security.protocol=plaintext (or sasl_plaintext), a TLS one -X security.protocol=ssl (or sasl_ssl) on its TLS port"
        case .certificateVerification:
            "Kafka at \(brokers) has a certificate this client does not trust (\(detail)); "
                + "pass the CA that signed it with -X ssl.ca.location=FILE.pem"
        case .saslMechanism:
            "Kafka at \(brokers) does not offer this SASL mechanism (\(detail)); pass one the listener enables with "
                + "-X sasl.mechanism=PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER, or -X security.protocol=plaintext (or ssl) "
                + "for a listener without SASL"
        case .authentication:
            "Kafka at \(brokers) refused the credentials (\(detail)); "
                + "check -X sasl.mechanism=… -X sasl.username=… -X sasl.password=…"
        }
    }
}

/// What the cluster's ACLs refuse.
public enum AuthorizedResource: Equatable, Sendable {
    case topic(String)
    case group(String)

    func line(detail: String) -> String {
        switch self {
        case .topic(let name):
            "not authorised to read topic '\(name)' (\(detail)); the cluster's admin grants READ and DESCRIBE on it "
                + "to the principal of -X sasl.username=…, or pass --topic"
        case .group(let name):
            "not authorised to use consumer group '\(name)' (\(detail)); the cluster's admin grants READ on it "
                + "to the principal of -X sasl.username=…, or pass --group with a group you may use"
        }
    }
}

/// The unknown-topic hint: the topics there are when few, else the closest name.
enum TopicNames {
    static let listedAtMost = 8

    static func hint(for topic: String, among existing: [String]) -> String {
        let visible = existing.filter { !$0.hasPrefix("__") }.sorted()
        if visible.isEmpty { return "" }
        if visible.count <= listedAtMost { return " (topics: \(visible.joined(separator: ", ")))" }
        return Spelling.closest(to: topic, among: visible).map { " (did you mean '\(visible[$0])'?)" } ?? ""
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
