import Runtime

/// One line librdkafka wants to log. librdkafka writes to stderr by default, which would
/// corrupt a terminal dashboard, so every client routes its logs through a `KafkaLog`.
public struct KafkaLogMessage: Sendable {
    /// syslog levels: 0 emergency … 3 error, 4 warning, 5 notice, 6 info, 7 debug.
    public let level: Int32
    public let facility: String
    public let text: String
}

/// Where a client's log lines go: stderr for command-line tools, a file or a ring buffer
/// for the dashboard.
public struct KafkaLog: Sendable {
    public let write: @Sendable (KafkaLogMessage) -> Void

    public init(_ write: @escaping @Sendable (KafkaLogMessage) -> Void) {
        self.write = write
    }

    /// Everything librdkafka logs (it filters by `log_level` itself) to stderr, prefixed so
    /// it is not mistaken for tbdash's own lines. For when the user asks with `-X debug=…`.
    public static let stderr = KafkaLog { message in
        StandardError.write("kafka: \(message.text)\n")
    }

    /// Nothing: tbdash reports connection trouble itself, in one line, using the client's
    /// last error.
    public static let discard = KafkaLog { _ in }
}
