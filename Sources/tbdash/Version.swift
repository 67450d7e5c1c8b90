import Kafka

/// tbdash's release number: the one place it is written (`--version`, and through it the
/// man page and the install script).
enum Version {
    static let tbdash = "0.3.0"

    /// What `tbdash --version` prints: ours, then the librdkafka loaded at run time.
    static var description: String { "tbdash \(tbdash) (librdkafka \(KafkaLibrary.version))" }
}
