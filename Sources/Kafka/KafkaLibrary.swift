import CRdKafka

/// The librdkafka this binary runs with (the shared library loaded at run time, which may
/// differ from the headers it was built against): for `tbdash --version` and bug reports.
public enum KafkaLibrary {
    /// Such as "2.0.2".
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
