import Kafka
import Runtime

/// Reads the newest state of some source partitions from a changelog: each lives in
/// changelog partition `p mod count`, read from its beginning to its current end. A
/// partition whose newest state cannot be read comes back apart, never as an older state.
enum ChangelogRestore {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func read(partitions: [Int32], of topic: String, partitionCount: Int, consumer: KafkaConsumer,
                     timeoutMs: Int64) throws(Problem) -> (records: [Int32: ChangelogRecord], unreadable: [Int32: ChangelogView.Unreadable]) {
        let wanted = Set(partitions)
        var ends: [Int32: Int64] = [:]
        do {
            for changelogPartition in Set(partitions.map { $0 % Int32(partitionCount) }) {
                let range = try consumer.queryOffsetRange(topic: topic, partition: changelogPartition, timeoutMs: 10_000)
                if range.count > 0 { ends[changelogPartition] = range.end }
            }
            guard !ends.isEmpty else { return ([:], [:]) }
            try consumer.assign(topic: topic, ends.mapValues { _ in .beginning })
        } catch {
            throw Problem(description: error.description)
        }
        defer { try? consumer.assign(topic: topic, [:]) }
        var view = ChangelogView()
        var remaining = ends
        let batch = KafkaRecordBatch(capacity: 256)
        let deadline = MonotonicClock.milliseconds() + timeoutMs
        while !remaining.isEmpty {
            guard MonotonicClock.milliseconds() < deadline else {
                throw Problem(description: "not read to its end within \(timeoutMs / 1000) s")
            }
            consumer.consume(into: batch, timeoutMs: 100)
            for i in 0..<batch.count {
                let record = batch[i]
                switch record.kind {
                case .message:
                    if let end = remaining[record.partition], record.offset + 1 >= end { remaining[record.partition] = nil }
                    guard let partition = ChangelogRecord.partition(ofKey: record.key), wanted.contains(partition) else { continue }
                    view.apply(message: Array(record.payload), at: ChangelogPosition(partition: record.partition, offset: record.offset))
                case .partitionEnd:
                    if let end = remaining[record.partition], record.offset >= end { remaining[record.partition] = nil }
                case .offsetOutOfRange:
                    // Retention moved the log start while we read: start again from it.
                    consumer.seek(topic: topic, [record.partition: .beginning])
                case .error:
                    break
                }
            }
            batch.release()
        }
        let records = view.records().filter { wanted.contains($0.key) }
        return (records, view.unavailable.filter { wanted.contains($0.key) })
    }
}
