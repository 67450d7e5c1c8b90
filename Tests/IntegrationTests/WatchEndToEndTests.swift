import Foundation
import Kafka
import Testing
import TestSupport

/// `tbdash produce` then `tbdash watch --headless --exit-at-end --json`, on an embedded
/// broker, against snapshots computed straight from the CSV.
@Suite(.serialized) struct WatchEndToEndTests {
    /// A generated file plus rows with impossible dates, which still count as events.
    private func dataset(rows: Int, seed: Int, in dir: TemporaryDirectory) throws -> URL {
        let file = dir.file("events.csv")
        let gen = try TBDashProcess.run(["gen", "--rows", "\(rows)", "--seed", "\(seed)", "-o", file.path])
        #expect(gen.status == 0)
        let handle = try FileHandle(forWritingTo: file)
        handle.seekToEndOfFile()
        handle.write(Data("900001,1,1,1,,13,1,2,3,1,浙江\n900002,1,1,1,5.0,2,30,0,0,0,上海市\n900003,1,1,1,5.0,11,11,1,7,2,西藏\n".utf8))
        try handle.close()
        return file
    }

    private func produce(_ file: URL, _ cluster: MockCluster, topic: String) throws {
        let result = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", topic])
        #expect(result.status == 0, "\(result.stderr)")
    }

    private func watchJSON(_ cluster: MockCluster, topic: String, extra: [String] = []) throws -> (SnapshotOracle, [String: Any]) {
        let result = try TBDashProcess.run(
            ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
             "-b", cluster.bootstrapServers, "-t", topic] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        let raw = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        return (try SnapshotOracle.parse(json: result.stdout), raw)
    }

    @Test func onePartitionIsExactlyTheIndependentComputation() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("exact", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = try dataset(rows: 20_000, seed: 11, in: dir)
        try produce(file, cluster, topic: "exact")

        let (actual, raw) = try watchJSON(cluster, topic: "exact")
        let expected = SnapshotOracle.compute(rows: try SnapshotOracle.rows(of: file), year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        #expect(actual == expected)
        #expect(expected.events == 20_003 && expected.noEventTime == 2 && expected.late > 0)
        #expect(raw["offsets"] as? [String: Int] == ["0": 20_003])
        #expect(raw["skipped"] as? Int == 0)
        #expect(raw["rejected"] as? [String: Int] == [:])
        let batches = raw["batches"] as! Int
        #expect(batches >= 20_003 / 10 && batches <= 20_003)
    }

    @Test func theBoundChangesLateExactly() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("bound", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = try dataset(rows: 3_000, seed: 12, in: dir)
        try produce(file, cluster, topic: "bound")
        let (actual, _) = try watchJSON(cluster, topic: "bound", extra: ["--out-of-orderness", "30d"])
        let expected = SnapshotOracle.compute(rows: try SnapshotOracle.rows(of: file), year: 2026, utcOffsetHours: 8, boundMs: 30 * 86_400_000)
        #expect(actual == expected)
    }

    @Test func threePartitionsHaveExactTotalsAndDistributions() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("three", partitions: 3)
        let dir = try TemporaryDirectory()
        let file = try dataset(rows: 20_000, seed: 13, in: dir)
        try produce(file, cluster, topic: "three")

        var (actual, raw) = try watchJSON(cluster, topic: "three")
        let expected = SnapshotOracle.compute(rows: try SnapshotOracle.rows(of: file), year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        // Lateness depends on how rows were spread over partitions; everything else is exact.
        actual.late = expected.late
        actual.maxLatenessMs = expected.maxLatenessMs
        actual.watermark = expected.watermark
        #expect(actual == expected)
        let offsets = raw["offsets"] as! [String: Int]
        #expect(offsets.count == 3 && offsets.values.reduce(0, +) == 20_003)
    }

    @Test func retentionGapIsCountedNotHidden() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("overflow", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = dir.file("big.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "40000", "-o", file.path]).status == 0)
        try produce(file, cluster, topic: "overflow")

        let (actual, raw) = try watchJSON(cluster, topic: "overflow")
        let skipped = raw["skipped"] as! Int
        #expect(skipped > 0)
        #expect(actual.events + skipped == 40_000)
        #expect(actual.events == (try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "overflow")).count)

        // The summary names the likely reason (issue 22, item 5).
        let summary = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--from", "earliest", "--year", "2026",
                                             "-b", cluster.bootstrapServers, "-t", "overflow"])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("skipped: \(EventTimeReplayTests.grouped(skipped)) records were deleted before they were read, "
                                        + "most likely by the topic's retention"), "\(summary.stdout)")
    }

    @Test func rawCSVLinesFromKcatCountLikeJSON() throws {
        guard let kcat = TopicReader.kcat else {
            Issue.record("kcat is not installed: install it (scripts/install-deps) to run the interop test")
            return
        }
        let cluster = try MockCluster()
        try cluster.createTopic("raw", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = try dataset(rows: 5_000, seed: 14, in: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kcat)
        process.arguments = ["-b", cluster.bootstrapServers, "-P", "-t", "raw", "-l", file.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let (actual, raw) = try watchJSON(cluster, topic: "raw")
        let expected = SnapshotOracle.compute(rows: try SnapshotOracle.rows(of: file), year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        #expect(actual == expected)
        #expect(raw["rejected"] as? [String: Int] == ["csv_header": 1])
    }

    @Test func badMessagesAreCountedByReasonAndNeverStopIt() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("mixed", partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers))
        let topic = producer.topic("mixed")
        let good = #"{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":"2661.0","month":"11","day":11,"action":0,"age_range":3,"gender":1,"province":"\u6d59\u6c5f","extra":[1,{"a":null}]}"#
        let messages: [[UInt8]] = [
            Array(good.utf8), [], Array("{\"user_id\":".utf8), Array("[1,2]".utf8), [0xFF, 0x00, 0xFE],
            Array(good.replacingOccurrences(of: "\"action\":0", with: "\"action\":9").utf8),
            Array(good.replacingOccurrences(of: "\"user_id\":1", with: "\"user_id\":\"x\"").utf8),
            Array(good.replacingOccurrences(of: "\\u6d59\\u6c5f", with: "火星").utf8),
            Array(good.replacingOccurrences(of: "\"gender\":1,", with: "").utf8),
            [UInt8](repeating: 0x20, count: 3), Array(good.utf8),
        ]
        for message in messages {
            _ = message.withUnsafeBytes { value in
                Array("k".utf8).withUnsafeBytes { key in producer.produce(to: topic, key: key, value: value) }
            }
        }
        #expect(producer.flush(timeoutMs: 10_000))

        let (actual, raw) = try watchJSON(cluster, topic: "mixed")
        #expect(actual.events == 2)
        #expect(actual.province == ["浙江": 2])
        #expect(raw["rejected"] as? [String: Int] == [
            "empty": 2, "malformed_json": 1, "not_object": 1, "not_utf8": 1, "out_of_range": 1,
            "wrong_type": 1, "unknown_province": 1, "missing_field": 1,
        ])
    }

    @Test func committedOffsetsLetARestartContinue() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("resume", partitions: 2)
        let dir = try TemporaryDirectory()
        let file = dir.file("a.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "1000", "-o", file.path]).status == 0)
        try produce(file, cluster, topic: "resume")
        let args = ["watch", "--headless", "--exit-at-end", "--json", "--group", "g1", "-b", cluster.bootstrapServers, "-t", "resume"]
        // No committed offsets yet: falls back to latest, so nothing is counted.
        let first = try TBDashProcess.run(args)
        #expect(try SnapshotOracle.parse(json: first.stdout).events == 0)
        try produce(file, cluster, topic: "resume")
        let second = try TBDashProcess.run(args)
        #expect(try SnapshotOracle.parse(json: second.stdout).events == 1000)
        let third = try TBDashProcess.run(args)
        #expect(try SnapshotOracle.parse(json: third.stdout).events == 0)
    }

    /// `--log` works headless too: status changes and librdkafka's log (`-X debug=broker`)
    /// go to the file, the debug lines not to stderr (issue 15, item 12).
    @Test func headlessWritesTheLogFile() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("logged", partitions: 1)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        #expect(try TBDashProcess.run(["produce", sample.path, "--limit", "100", "-b", cluster.bootstrapServers, "-t", "logged"]).status == 0)
        let dir = try TemporaryDirectory()
        let log = dir.file("watch.log")
        let result = try TBDashProcess.run(
            ["watch", "--headless", "--exit-at-end", "--from", "earliest", "-b", cluster.bootstrapServers, "-t", "logged",
             "--log", log.path, "-X", "debug=broker"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("watching logged at \(cluster.bootstrapServers), group tbdash"), "\(text.prefix(2000))")
        #expect(text.contains("kafka BROKER"), "no librdkafka debug lines in the log")
        #expect(text.contains(" live\n"))
        #expect(!result.stderr.contains("BROKER"), "\(result.stderr.prefix(2000))")
    }

    /// "offsets committed" only when the broker confirmed the final commit: not when it is
    /// down at exit (issue 15, item 12).
    @Test func theSummarySaysCommittedOnlyWhenTheBrokerConfirmed() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("confirm", partitions: 2)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        #expect(try TBDashProcess.run(["produce", sample.path, "--limit", "300", "-b", cluster.bootstrapServers, "-t", "confirm"]).status == 0)
        let args = ["watch", "--headless", "--from", "earliest", "-b", cluster.bootstrapServers, "-t", "confirm"]

        let confirmed = try TBDashProcess.run(args + ["--exit-at-end", "--group", "up"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(confirmed.stdout.contains("· offsets committed to group up"), "\(confirmed.stdout)")

        let watch = try TBDashProcess.start(args + ["--group", "down"])
        #expect(Running.eventually(timeout: 20) { watch.stderr.contains("live") }, "\(watch.stderr)")
        cluster.setBroker(1, up: false)
        #expect(Running.eventually(timeout: 20) { watch.stderr.contains("disconnected") }, "\(watch.stderr)")
        watch.signal(SIGTERM)
        let down = watch.wait(timeout: 30)
        cluster.setBroker(1, up: true)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stdout.contains("events 300"), "\(down.stdout)")
        #expect(down.stdout.contains("offsets not committed to group down"), "\(down.stdout)")
        #expect(!down.stdout.contains("offsets committed"), "\(down.stdout)")
    }

    @Test func unreachableBrokerAndUnknownTopicFailInOneLine() throws {
        let unreachable = try TBDashProcess.run(
            ["watch", "--headless", "--exit-at-end", "-b", "127.0.0.1:1", "--connect-timeout", "2"], timeout: 30)
        #expect(unreachable.status == 1)
        #expect(unreachable.seconds < 10)
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("cannot reach Kafka at 127.0.0.1:1"))

        let cluster = try MockCluster()
        cluster.hideTopic("absent")
        let unknown = try TBDashProcess.run(
            ["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "absent", "--connect-timeout", "3"], timeout: 30)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("topic 'absent' does not exist"), "\(unknown.stderr)")
    }
}
