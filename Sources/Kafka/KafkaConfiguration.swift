import CRdKafka

/// librdkafka properties for one client: tbdash's defaults, then the user's `-X` overrides.
public struct KafkaConfiguration: Sendable {
    public var brokers: String
    /// In the order they are applied; a later entry for the same key wins.
    public private(set) var properties: [(key: String, value: String)] = []
    /// Where librdkafka's own log lines go; its errors are also kept as the client's last
    /// error either way.
    public var log: KafkaLog = .discard

    public init(brokers: String) {
        self.brokers = brokers
    }

    public mutating func set(_ key: String, _ value: String) {
        properties.append((key, value))
    }

    /// The value `key` takes: its last entry's.
    public func value(of key: String) -> String? {
        properties.last { $0.key == key }?.value
    }

    /// Applies `key=value` overrides as typed after `-X`.
    public mutating func apply(overrides: [String]) throws(KafkaError) {
        for override in overrides {
            let (key, value) = try Self.property(override)
            set(key, value)
        }
    }

    /// One `-X` text as a key and a value: the one check of its form (librdkafka checks
    /// the key and the value when a client is made).
    public static func property(_ text: String) throws(KafkaError) -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw .configuration("-X \(text): expected key=value, e.g. -X security.protocol=SASL_SSL")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// A fresh `rd_kafka_conf_t` with every property applied, plus log routing.
    func makeConf(context: UnsafeMutableRawPointer) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var all: [(key: String, value: String)] = brokers.isEmpty ? [] : [("bootstrap.servers", brokers)]
        all.append(contentsOf: properties)
        for (key, value) in all {
            var error = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, key, value, &error, error.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw .configuration("-X \(key)=\(value): \(text(of: error))")
            }
        }
        rd_kafka_conf_set_opaque(conf, context)
        rd_kafka_conf_set_log_cb(conf, { rk, level, facility, text in
            guard let rk, let context = rd_kafka_opaque(rk) else { return }
            Unmanaged<ClientContext>.fromOpaque(context).takeUnretainedValue().record(
                log: KafkaLogMessage(
                    level: level, facility: facility.map { String(cString: $0) } ?? "",
                    text: text.map { String(cString: $0) } ?? ""))
        })
        rd_kafka_conf_set_error_cb(conf, { _, code, reason, opaque in
            guard let opaque else { return }
            let client = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            client.record(error: rd_kafka_resp_err_t(code), reason: reason.map { String(cString: $0) } ?? "")
        })
        return conf
    }
}
