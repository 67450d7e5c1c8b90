import Foundation
import Testing
import TestSupport

/// The same scenarios against noida-db, a broker that shares no code with our client, and
/// the broker stall of issue 15 (item 2) against both brokers.
@Suite(.serialized, .enabled(if: NoidaBroker.runs, Comment(rawValue: NoidaBroker.notInstalled)))
struct IndependentBrokerTests {
    private let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")

    @Test func theSampleThroughNoidaIsExactlyTheCSV() throws {
        let broker = try NoidaBroker()
        try broker.createTopic("sample", partitions: 1)
        let produce = try TBDashProcess.run(["produce", sample.path, "-b", broker.bootstrapServers, "-t", "sample"])
        #expect(produce.status == 0, "\(produce.stderr)")
        #expect(produce.stderr.contains("20,000 delivered, 0 not delivered"), "\(produce.stderr)")

        let watch = try TBDashProcess.run(
            ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
             "-b", broker.bootstrapServers, "-t", "sample"])
        #expect(watch.status == 0, "\(watch.stderr)")
        let expected = SnapshotOracle.compute(rows: try SnapshotOracle.rows(of: sample), year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        #expect(try SnapshotOracle.parse(json: watch.stdout) == expected)
        #expect(expected.events == 20_000)
    }

    // MARK: Retention (issue 22, item 5)
    //
    // noida-db, like Kafka, deletes records stamped longer ago than the topic's retention.ms
    // (7 days by default), and the dataset's days are months old.

    /// A topic with Kafka's default retention: produce refuses before sending anything,
    /// with one line naming the topic, its retention, the oldest (or first) day and the
    /// fixes; the topic stays empty.
    @Test(arguments: [false, true])
    func aReplayOlderThanTheRetentionIsRefusedBeforeSending(eventTime: Bool) throws {
        let broker = try NoidaBroker()
        try broker.createTopic("week", partitions: 2, config: [:])
        #expect(try broker.describeTopic("week").config["retention.ms"] == "604800000")
        let dir = try TemporaryDirectory()
        let produce = try TBDashProcess.run(["produce", sample.path, "-b", broker.bootstrapServers, "-t", "week", "--year", "2026"]
                                            + (eventTime ? ["--event-time", "--day-seconds", "0"] : []),
                                            environment: ["TMPDIR": dir.url.path])
        #expect(produce.status == 1, "\(produce.stderr)")
        // The oracle: the oldest day of the CSV, or in file order the first row's day.
        let days = try DatasetOracle.rows(ofSimpleCSV: sample).map { row in
            let columns = row.split(separator: "|")
            return String(format: "2026-%02d-%02d", Int(columns[5])!, Int(columns[6])!)
        }
        let day = eventTime ? days.min()! : days[0]
        let lines = produce.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(produce.stderr)")
        #expect(produce.stderr.contains("topic week deletes records stamped more than 7 days ago (retention.ms=604800000), "
                                        + "and rows of event day \(day) are older: nothing was sent"), "\(produce.stderr)")
        #expect(produce.stderr.contains("retention.ms=-1") && produce.stderr.contains("--timestamps send-time"), "\(produce.stderr)")
        #expect(!produce.stderr.contains("delivered"), "\(produce.stderr)")
        #expect(try TopicReader.readAll(brokers: broker.bootstrapServers, topic: "week").isEmpty)
    }

    /// In file order the first too-old row stops the replay before it is sent: rows before
    /// it (within retention) are delivered and counted, nothing from it on is sent.
    @Test func inFileOrderNothingFromTheFirstTooOldRowOnIsSent() throws {
        let broker = try NoidaBroker()
        try broker.createTopic("week", partitions: 2, config: [:])
        // Yesterday in Asia/Shanghai: well within 7 days.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let yesterday = calendar.dateComponents([.year, .month, .day], from: Date().addingTimeInterval(-86_400))
        let recent = (1...600).map { "\($0),1,2,3,4.0,\(yesterday.month!),\(yesterday.day!),0,3,1,浙江" }
        let old = "601,1,2,3,4.0,5,11,0,3,1,浙江"
        let dir = try TemporaryDirectory()
        let file = dir.file("mixed.csv")
        try ([EventTimeReplayTests.header] + recent + [old] + recent.prefix(10)).joined(separator: "\n").appending("\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let produce = try TBDashProcess.run(["produce", file.path, "-b", broker.bootstrapServers, "-t", "week",
                                             "--year", "\(yesterday.year!)"])
        #expect(produce.status == 1, "\(produce.stderr)")
        let held = try TopicReader.readAll(brokers: broker.bootstrapServers, topic: "week")
        let users = held.map { Int($0.key)! }
        // Only rows before the old one, each once, and the line says how many.
        #expect(!users.isEmpty && users.allSatisfy { (1...600).contains($0) } && Set(users).count == users.count, "\(users.count) held")
        #expect(produce.stderr.contains("\(EventTimeReplayTests.grouped(users.count)) sent, \(EventTimeReplayTests.grouped(users.count)) delivered"),
                "\(produce.stderr)")
        #expect(produce.stderr.contains("rows of event day \(yesterday.year!)-05-11 are older: the \(EventTimeReplayTests.grouped(users.count)) "
                                        + "rows before them were sent, none after"), "\(produce.stderr)")
    }

    /// A topic produce creates is kept forever (and it says so): the replay is there whole,
    /// with and without --event-time.
    @Test(arguments: [false, true])
    func aTopicProduceCreatesKeepsTheReplay(eventTime: Bool) throws {
        let broker = try NoidaBroker()
        let dir = try TemporaryDirectory()
        let produce = try TBDashProcess.run(["produce", sample.path, "-b", broker.bootstrapServers, "-t", "new", "--year", "2026",
                                             "--partitions", "3"] + (eventTime ? ["--event-time", "--day-seconds", "0"] : []),
                                            environment: ["TMPDIR": dir.url.path])
        #expect(produce.status == 0, "\(produce.stderr)")
        #expect(produce.stderr.contains("created topic new: 3 partitions, retention.ms=-1"), "\(produce.stderr)")
        #expect(produce.stderr.contains("20,000 delivered, 0 not delivered"), "\(produce.stderr)")
        let described = try broker.describeTopic("new")
        #expect(described.partitions == 3 && described.config["retention.ms"] == "-1", "\(described)")
        // Past noida-db's retention sweep (seconds): every row is still there, once.
        Thread.sleep(forTimeInterval: 5)
        let held = try TopicReader.canonicalRows(brokers: broker.bootstrapServers, topic: "new")
        let (missing, extra) = DatasetOracle.difference(expected: try DatasetOracle.rows(ofSimpleCSV: sample), actual: held)
        #expect(missing.isEmpty && extra.isEmpty, "\(missing.count) missing, \(extra.count) duplicated")
    }

    /// --timestamps send-time: records stamped when sent, so a 7-day topic keeps them.
    @Test func sendTimeStampsAreKeptByAWeekLongTopic() throws {
        let broker = try NoidaBroker()
        try broker.createTopic("week", partitions: 2, config: [:])
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let produce = try TBDashProcess.run(["produce", sample.path, "-b", broker.bootstrapServers, "-t", "week", "--year", "2026",
                                             "--timestamps", "send-time"])
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(produce.status == 0, "\(produce.stderr)")
        #expect(produce.stderr.contains("20,000 delivered, 0 not delivered"), "\(produce.stderr)")
        Thread.sleep(forTimeInterval: 5)
        let kcat = try #require(TopicReader.kcat, "kcat is needed to read record timestamps")
        let stamps = try TopicReader.kcatLines(kcat, brokers: broker.bootstrapServers, topic: "week", format: "%T\n").map { Int64($0)! }
        #expect(stamps.count == 20_000 && stamps.allSatisfy { (before...after).contains($0) }, "\(stamps.count) records, \(stamps.prefix(3))")
        let held = try TopicReader.canonicalRows(brokers: broker.bootstrapServers, topic: "week")
        let (missing, extra) = DatasetOracle.difference(expected: try DatasetOracle.rows(ofSimpleCSV: sample), actual: held)
        #expect(missing.isEmpty && extra.isEmpty, "\(missing.count) missing, \(extra.count) duplicated")
    }

    // MARK: A stalled broker (SIGSTOP … SIGCONT)
    //
    // After socket.timeout.ms (60 s by default) librdkafka gives up on the requests in
    // flight, reconnects and sends the same batches again with the same producer id and
    // sequence numbers. A Kafka broker drops a batch it already has (idempotence); the
    // mock appends the stale requests it finds in its socket after SIGCONT *and* the
    // retries. The tests shorten socket.timeout.ms to 2 s so that a 6 s stall does what a
    // 70 s one does with the defaults.

    private static let rows = 3_000
    private static let rate = "500"
    private static let shortSocketTimeout = ["-X", "socket.timeout.ms=2000"]

    /// Produces `rows` at 500 rows/s while `stall` stops the broker 1.5 s in for `seconds`;
    /// returns what produce said and the rows the topic holds, canonical.
    private func producePast(stall: (Int32) -> Void, seconds: Double, brokers: String, extra: [String],
                             file: URL) throws -> (TBDashProcess.Result, [String]) {
        let producer = try TBDashProcess.start(["produce", file.path, "-b", brokers, "-t", "stall", "--rate", Self.rate] + extra)
        Thread.sleep(forTimeInterval: 1.5)
        stall(SIGSTOP)
        Thread.sleep(forTimeInterval: seconds)
        stall(SIGCONT)
        let produced = producer.wait(timeout: 120)
        let held = try TopicReader.canonicalRows(brokers: brokers, topic: "stall")
        return (produced, held)
    }

    private func dataset(_ dir: TemporaryDirectory) throws -> URL {
        let file = dir.file("stall.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "\(Self.rows)", "--seed", "31", "-o", file.path]).status == 0)
        return file
    }

    @Test func aStallPastTheSocketTimeoutDuplicatesNothingOnNoida() throws {
        let broker = try NoidaBroker()
        try broker.createTopic("stall", partitions: 4)
        let dir = try TemporaryDirectory()
        let file = try dataset(dir)
        let (produced, held) = try producePast(stall: broker.signal, seconds: 6, brokers: broker.bootstrapServers,
                                               extra: Self.shortSocketTimeout, file: file)
        #expect(produced.status == 0, "\(produced.stderr)")
        #expect(produced.stderr.contains("3,000 delivered, 0 not delivered"), "\(produced.stderr)")
        let (missing, extra) = DatasetOracle.difference(expected: try DatasetOracle.rows(ofSimpleCSV: file), actual: held)
        #expect(missing.isEmpty && extra.isEmpty, "\(missing.count) missing, \(extra.count) duplicated")
    }

    /// The embedded broker (`tbdash broker`, a separate process) stalled as above: nothing
    /// is lost, and what the mock adds are copies of delivered rows — its documented limit.
    /// A stall shorter than the socket timeout (the defaults, 60 s) adds nothing at all,
    /// so tbdash's own settings do not cause duplicates.
    @Test func theEmbeddedBrokerLosesNothingAndDuplicatesOnlyPastTheSocketTimeout() throws {
        let dir = try TemporaryDirectory()
        let file = try dataset(dir)
        let expected = try DatasetOracle.rows(ofSimpleCSV: file)
        for extra in [[], Self.shortSocketTimeout] {
            let runtime = try TemporaryDirectory()
            let broker = try TBDashProcess.start(["broker", "--partitions", "4", "--topic", "stall"],
                                                 environment: ["TBDASH_RUNTIME_DIR": runtime.url.path])
            defer {
                broker.signal(SIGCONT)
                broker.signal(SIGTERM)
                _ = broker.wait(timeout: 20)
            }
            let addressFile = runtime.file("broker.address")
            #expect(Running.eventually(timeout: 10) { FileManager.default.fileExists(atPath: addressFile.path) })
            let address = try String(contentsOf: addressFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

            let (produced, held) = try producePast(stall: broker.signal, seconds: 6, brokers: address, extra: extra, file: file)
            #expect(produced.status == 0, "\(produced.stderr)")
            #expect(produced.stderr.contains("3,000 delivered, 0 not delivered"), "\(produced.stderr)")
            let (missing, added) = DatasetOracle.difference(expected: expected, actual: held)
            #expect(missing.isEmpty, "\(extra): \(missing.count) rows lost")
            if extra.isEmpty {
                #expect(added.isEmpty, "a 6 s stall within the socket timeout added \(added.count) records")
            } else {
                #expect(added.allSatisfy(Set(expected).contains), "records that are not copies of rows: \(added.prefix(3))")
            }
        }
    }
}
