import Foundation
import Kafka
@testable import Producer
import Runtime
import Synchronization
import Testing
import TestSupport
import UserBehavior

/// A replay reads and encodes rows on the thread that sends them (two cores) or on a
/// thread of its own (more): either way the topic must hold exactly the file's valid rows,
/// bad rows must be counted alike, and a pipe's rows must go out as they come. This
/// machine has two cores, so both ways are run here explicitly.
@Suite(.serialized) struct ReplayThreadingTests {
    private static let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")

    private static func replay(_ path: String, cluster: MockCluster, topic: String, ownThread: Bool,
                               limit: Int? = nil) throws -> Replay.Summary {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers))
        var options = Replay.Options(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
        options.parsesOnItsOwnThread = ownThread
        options.limit = limit
        let replay = Replay(reader: try CSVFileReader(path: path), producer: producer, topic: topic, options: options, stop: StopFlag())
        return try replay.run()
    }

    @Test(arguments: [false, true])
    func theTopicHoldsExactlyTheValidRows(ownThread: Bool) throws {
        let cluster = try MockCluster()
        try cluster.createTopic("rows", partitions: 4)
        let dir = try TemporaryDirectory()
        // The sample with a bad row after every 1,000th: bad rows travel in the batches too.
        let lines = try String(contentsOf: Self.sample, encoding: .utf8).split(separator: "\n")
        var text = ""
        for (index, line) in lines.enumerated() {
            text += line + "\n"
            if index > 0 && index % 1_000 == 0 { text += "\(index),1,2,3,4,5,6,9,1,1,浙江\n" }
        }
        let file = dir.file("rows.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)

        let summary = try Self.replay(file.path, cluster: cluster, topic: "rows", ownThread: ownThread)
        #expect(summary.allDelivered)
        #expect(summary.progress.sent == lines.count - 1)
        #expect(summary.progress.badRows == (lines.count - 1) / 1_000)
        let expected = try DatasetOracle.rows(ofSimpleCSV: Self.sample)
        let actual = try TopicReader.canonicalRows(brokers: cluster.bootstrapServers, topic: "rows")
        #expect(DatasetOracle.difference(expected: expected, actual: actual) == ([], []))
    }

    @Test(arguments: [false, true])
    func theLimitStopsMidBatch(ownThread: Bool) throws {
        let cluster = try MockCluster()
        try cluster.createTopic("limited", partitions: 2)
        let limit = EncodedBatch.messageCapacity * 3 + 7
        let summary = try Self.replay(Self.sample.path, cluster: cluster, topic: "limited", ownThread: ownThread, limit: limit)
        #expect(summary.progress.sent == limit)
        #expect(summary.allDelivered)
        let expected = Array(try DatasetOracle.rows(ofSimpleCSV: Self.sample).prefix(limit))
        let actual = try TopicReader.canonicalRows(brokers: cluster.bootstrapServers, topic: "limited")
        #expect(DatasetOracle.difference(expected: expected, actual: actual) == ([], []))
    }

    @Test(arguments: [false, true])
    func rowsTrickledIntoAPipeGoOutAsTheyCome(ownThread: Bool) throws {
        let cluster = try MockCluster()
        try cluster.createTopic("trickle", partitions: 2)
        let dir = try TemporaryDirectory()
        let fifo = dir.file("rows.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let lines = try String(contentsOf: Self.sample, encoding: .utf8).split(separator: "\n").prefix(4).map { $0 + "\n" }

        let seenWhileOpen = Mutex(false)
        let writer = WorkerThread.start(name: "test-writer") {
            let fd = open(fifo.path, O_WRONLY)
            let text = lines.joined()
            _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
            // The pipe stays open until the three rows are in the topic (or 15 s passed).
            let seen = Running.eventually(timeout: 15) {
                (try? TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "trickle").count) == 3
            }
            seenWhileOpen.withLock { $0 = seen }
            close(fd)
        }
        let summary = try Self.replay(fifo.path, cluster: cluster, topic: "trickle", ownThread: ownThread)
        writer.join()
        #expect(seenWhileOpen.withLock { $0 }, "rows written to the pipe were not sent while it stayed open")
        #expect(summary.progress.sent == 3 && summary.allDelivered)
    }
}
