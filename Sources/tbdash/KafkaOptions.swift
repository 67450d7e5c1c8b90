import ArgumentParser
import Kafka
import Runtime

/// The Kafka options every command shares, named as in kcat.
struct KafkaOptions: ParsableArguments {
    @Option(
        name: [.short, .customLong("brokers")],
        help: ArgumentHelp(
            "Bootstrap brokers, host:port[,host:port].",
            discussion: "Default: $KAFKA_BROKER_URL, else the embedded broker started by `tbdash broker` on this machine, else localhost:9092."))
    var brokers: String?

    @Option(name: [.customShort("t"), .customLong("topic")], help: "Topic to use. (default: \(Self.defaultTopic))")
    var givenTopic: String?

    var topic: String { givenTopic ?? Self.defaultTopic }

    /// The topic of SPEC §2, where `produce` writes, `watch` reads and `broker` creates.
    static let defaultTopic = "user_behavior_logs"

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "A librdkafka property, key=value (repeatable).",
            discussion: "How SASL/SSL clusters are reached, e.g. -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN.",
            valueName: "key=value"))
    var properties: [String] = []

    /// The brokers to use, and where that choice came from (for messages).
    func resolvedBrokers() -> (address: String, source: String) {
        if let brokers, !brokers.isEmpty { return (brokers, "--brokers") }
        if let url = Environment.value("KAFKA_BROKER_URL"), !url.isEmpty { return (url, "$KAFKA_BROKER_URL") }
        if let address = BrokerBeacon().runningBrokerAddress() { return (address, "the embedded broker") }
        return ("localhost:9092", "the default")
    }

    /// Whether the brokers are the embedded broker `tbdash broker` runs on this machine:
    /// found with no --brokers, or given its address.
    func reachesEmbeddedBroker() -> Bool {
        BrokerBeacon().runningBrokerAddress() == resolvedBrokers().address
    }

    /// A client configuration with tbdash's defaults, then the user's -X overrides.
    func configuration(defaults: [(String, String)] = []) throws -> KafkaConfiguration {
        var configuration = KafkaConfiguration(brokers: resolvedBrokers().address)
        // librdkafka's own log only when asked for; tbdash reports trouble in one line.
        if properties.contains(where: { $0.hasPrefix("debug=") || $0.hasPrefix("log_level=") }) {
            configuration.log = .stderr
        }
        for (key, value) in defaults { configuration.set(key, value) }
        do {
            try configuration.apply(overrides: properties)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        return configuration
    }

    func validate() throws {
        for property in properties {
            do { _ = try KafkaConfiguration.property(property) } catch { throw ValidationError(error.description) }
        }
        if topic.isEmpty { throw ValidationError("--topic must not be empty") }
    }
}

