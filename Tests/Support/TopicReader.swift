import Foundation
import Kafka

/// Reads a whole topic back, to check what `produce` wrote: with kcat when it is installed
/// (an oracle that shares no code with tbdash), else with a plain librdkafka consumer.
public enum TopicReader {
    public struct Message: Hashable, Sendable {
        public let key: String
        public let value: String
    }

    /// How many records `topic` holds, and whether every partition still starts at offset
    /// 0: the embedded broker silently drops the oldest past 5 MiB a partition.
    public static func heldRecords(brokers: String, topic: String) throws -> (count: Int64, fromStart: Bool) {
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(brokers: brokers), group: "check")
        var held: (count: Int64, fromStart: Bool) = (0, true)
        for partition in try consumer.partitions(of: topic, timeoutMs: 10_000) {
            let range = try consumer.queryOffsetRange(topic: topic, partition: partition, timeoutMs: 10_000)
            held.fromStart = held.fromStart && range.logStart == 0
            held.count += range.end
        }
        return held
    }

    public static var kcat: String? {
        ["/usr/bin/kcat", "/usr/local/bin/kcat", "/usr/bin/kafkacat"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func readAll(brokers: String, topic: String) throws -> [Message] {
        if let kcat { return try readWithKcat(kcat, brokers: brokers, topic: topic) }
        return try readWithConsumer(brokers: brokers, topic: topic)
    }

    /// Every message of `topic` as the row it carries, in `DatasetOracle`'s canonical form.
    public static func canonicalRows(brokers: String, topic: String) throws -> [String] {
        try readAll(brokers: brokers, topic: topic).map { try DatasetOracle.canonical(message: $0.value) }
    }

    /// Every record of `topic` as kcat prints it with `format` (`kcat -f`), one line each.
    public static func kcatLines(_ kcat: String, brokers: String, topic: String, format: String) throws -> [Substring] {
        try runKcat(kcat, ["-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", format]).output
            .split(separator: "\n")
    }

    /// Runs kcat with `arguments`: its exit status and standard output (stderr dropped).
    public static func runKcat(_ kcat: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kcat)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func readWithKcat(_ kcat: String, brokers: String, topic: String) throws -> [Message] {
        try kcatLines(kcat, brokers: brokers, topic: topic, format: "%k\t%s\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return Message(key: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
    }

    static func readWithConsumer(brokers: String, topic: String) throws -> [Message] {
        try readRecords(brokers: brokers, topic: topic).map {
            Message(key: String(decoding: $0.key, as: UTF8.self), value: String(decoding: $0.value, as: UTF8.self))
        }
    }

    /// Every message of `topic` as bytes, partition by partition in offset order (for
    /// binary values, such as changelog records, that kcat's text output would mangle).
    public static func readRecords(brokers: String, topic: String) throws -> [(key: [UInt8], value: [UInt8])] {
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(brokers: brokers), group: "tbdash-test-reader")
        let partitions = try consumer.partitions(of: topic, timeoutMs: 10_000)
        try consumer.assign(topic: topic, Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.beginning) }))
        var ended = Set<Int32>()
        var messages: [(key: [UInt8], value: [UInt8])] = []
        let batch = KafkaRecordBatch(capacity: 1000)
        let deadline = Date().addingTimeInterval(60)
        while ended.count < partitions.count && Date() < deadline {
            consumer.consume(into: batch, timeoutMs: 100)
            for i in 0..<batch.count {
                let record = batch[i]
                switch record.kind {
                case .message: messages.append((Array(record.key), Array(record.payload)))
                case .partitionEnd: ended.insert(record.partition)
                default: break
                }
            }
        }
        return messages
    }
}
